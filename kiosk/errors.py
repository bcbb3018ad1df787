"""Errors shared across the layers of the command line."""


class UsageError(Exception):
    """Something the person running a command can fix: printed as one line, exit code 2."""


class KeyRingError(ValueError):
    """A key file or key value cannot be used; worded for the operator."""


class GuestFacingError(Exception):
    """A refusal a guest or staff member reads; ``reason`` is a catalog string id, translated
    where it is shown (so the message follows a language switch)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
