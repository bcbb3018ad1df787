"""Words that follow a count: "1 record" but "2 records", where a catalog once said "record(s)".

A catalog entry that depends on a count is a table of its plural forms, named as CLDR names them
(``alerts = { one = "... {count} check-in ...", other = "... {count} check-ins ..." }``). A
language needs only the forms its rules use: English "one" (exactly 1) and "other"; Chinese has
one form for every count, so it may keep a plain string. Catalogs are flattened to dotted ids
(``staff.alerts.one``), which is how both the kiosk's and the hub's catalogs are looked up.

Shared by the kiosk's translator and the hub's console, so it knows no catalog, only the rules.
"""

from __future__ import annotations

from collections.abc import Mapping

# CLDR's plural categories, in its order; a catalog table keyed by these is one counted entry.
CATEGORIES = ("zero", "one", "two", "few", "many", "other")
# Languages whose only distinction is exactly one against the rest (CLDR rule "i = 1 and v = 0").
ONE_OR_OTHER = frozenset({"en"})


def plural_form(language: str, count: int) -> str:
    """The CLDR category of ``count`` in ``language``; a language without rules here has one form
    (as Chinese, Japanese and Korean do)."""
    if language.partition("-")[0] in ONE_OR_OTHER and count == 1:
        return "one"
    return "other"


def is_plural_table(table: Mapping[str, object]) -> bool:
    """Whether a catalog table holds the forms of one counted entry (not a group of entries)."""
    return "other" in table and all(key in CATEGORIES for key in table)


def counted(
    strings: Mapping[str, str], string_id: str, language: str, count: int, **values: object
) -> str:
    """The entry ``string_id`` in the form ``count`` takes in ``language``, filled in."""
    return plural_template(strings, string_id, language, count).format(count=count, **values)


def plural_template(strings: Mapping[str, str], string_id: str, language: str, count: int) -> str:
    """The form of the entry ``string_id`` that ``count`` takes in ``language``. A form the
    catalog lacks falls back to "other", and an entry with one form may be a plain string.

    Raises ``KeyError`` when the catalog has no such entry at all."""
    form = plural_form(language, count)
    for key in (f"{string_id}.{form}", f"{string_id}.other", string_id):
        template = strings.get(key)
        if template is not None:
            return template
    raise KeyError(string_id)


def how_many(count: int, singular: str, plural: str = "") -> str:
    """A count and its noun for the command line, which speaks English: "1 visit", "3 visits",
    "2 entries" (given its plural)."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
