"""An audit entry's detail in the reader's words: "sent to 2 kiosks", not "kiosks=2".

The trail keeps each detail as it was written (the hash chain covers it), in a short form the
code wrote for its action. The console reads that form back for the actions that wrote one and
says it in the page's language. A detail a person typed (a company's name; a deny reason, in
entries written before the term took its place) is shown as typed, even when it looks like such a
form: only the action decides how it is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kiosk.hub.console_words import Words

Reader = Callable[[re.Match[str], Words], str]


def _counted(key: str) -> Reader:
    return lambda found, words: words.counted(key, int(found[1]))


def _role(found: re.Match[str], words: Words) -> str:
    return words["detail_role"].format(role=words.get(f"role_{found[1]}", found[1]))


def _host(found: re.Match[str], words: Words) -> str:
    return words["detail_host"].format(host=found[1])


def _closed(found: re.Match[str], words: Words) -> str:
    return words["detail_roll_closed"].format(accounted=found[1], missing=found[2])


def _term(found: re.Match[str], words: Words) -> str:
    return words.counted("detail_days", int(found[1])) if found[1] else words["detail_no_end"]


def _word(key: str) -> Reader:
    return lambda _found, words: words[key]


COUNT_OF_KIOSKS = (re.compile(r"kiosks=(\d+)"), _counted("detail_kiosks"))
COUNT_OF_VISITS = (re.compile(r"visits=(\d+)"), _counted("rights_visits"))
# What each action wrote as its detail, and how to say it.
FORMS: dict[str, tuple[re.Pattern[str], Reader]] = {
    "rights_erase": COUNT_OF_KIOSKS,
    "rights_export": COUNT_OF_KIOSKS,
    "rights_erase_done": COUNT_OF_VISITS,
    "rights_export_done": COUNT_OF_VISITS,
    "rights_download": (re.compile(r"parts=(\d+)"), _counted("detail_parts")),
    "hosts_import": (re.compile(r"rows=(\d+)"), _counted("detail_rows")),
    "user_add": (re.compile(r"role=(\w+)"), _role),
    "user_role": (re.compile(r"role=(\w+)"), _role),
    "invited": (re.compile(r"host (.+)"), _host),
    "invitation cancelled": (re.compile(r"host (.+)"), _host),
    "roll call started": (re.compile(r"(\d+) on site"), _counted("detail_on_site")),
    "roll call closed": (re.compile(r"(\d+) accounted for, (\d+) missing"), _closed),
    "kiosk_enrol": (re.compile(r"code valid 24 h"), _word("detail_code_valid")),
    "checked out": (re.compile(r"console"), _word("detail_console")),
    "host_save": (re.compile(r"(active|inactive)"), lambda f, w: w[f"admin_{f[1]}"]),
    "deny_add": (re.compile(r"days=(\d+)|until removed"), _term),
}


def detail_in_words(action: str, detail: str, words: Words) -> str:
    """``detail`` as the console says it; as written when its action wrote no known form."""
    form = FORMS.get(action)
    found = form[0].fullmatch(detail) if form else None
    return form[1](found, words) if form and found else detail
