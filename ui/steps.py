"""The steps of the kiosk, one per screen."""

from __future__ import annotations

from enum import Enum


class Step(Enum):
    WELCOME = "welcome"
    DETAILS = "details"
    NOTICE = "notice"
    BADGE = "badge"
    DONE = "done"
    CHECKOUT = "checkout"
    INVITATION = "invitation"
    STAFF = "staff"
    ONSITE = "onsite"
    REPORT = "report"
    JOIN_HUB = "join_hub"
