"""Errors shared across the layers of the command line."""


class UsageError(Exception):
    """Something the person running a command can fix: printed as one line, exit code 2."""
