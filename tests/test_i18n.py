from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from kiosk import assets
from kiosk.i18n import LANGUAGE_NAMES, MissingTranslationError, Translator, catalog
from kiosk.plurals import is_plural_table

LANGUAGES = list(LANGUAGE_NAMES)


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


HUB_LOCALE = Path(__file__).resolve().parent.parent / "kiosk" / "hub" / "locale"


def entries(language: str, hub: bool = False) -> dict[str, list[str]]:
    """Each entry's texts by its id: one text, or one per plural form of a counted entry (a
    language has the forms its own rules need, so entries are compared, not catalog keys).
    ``hub``: the console's catalog instead of the kiosk's."""
    found: dict[str, list[str]] = {}

    def walk(table: Mapping[str, Any], prefix: str) -> None:
        for key, value in table.items():
            if isinstance(value, Mapping) and not is_plural_table(value):
                walk(value, f"{prefix}{key}.")
            else:
                texts = list(value.values()) if isinstance(value, Mapping) else [value]
                found[f"{prefix}{key}"] = texts

    if hub:
        text = (HUB_LOCALE / f"{language}.toml").read_text(encoding="utf-8")
    else:
        text = assets.read_text("locale", f"{language}.toml")
    walk(tomllib.loads(text), "")
    return found


@pytest.mark.parametrize("hub", [False, True], ids=["kiosk", "console"])
def test_every_language_has_every_string(hub: bool) -> None:
    reference = set(entries("en", hub))
    for language in LANGUAGES:
        assert set(entries(language, hub)) == reference, language


@pytest.mark.parametrize("hub", [False, True], ids=["kiosk", "console"])
def test_placeholders_match_and_no_string_is_empty(hub: bool) -> None:
    for key, english in entries("en", hub).items():
        for language in LANGUAGES:
            for text in entries(language, hub)[key]:
                assert text.strip(), f"{language}:{key} is empty"
                assert fields(text) == fields(english[0]), f"{language}:{key} placeholders differ"


def test_chinese_catalog_is_chinese_and_traditional() -> None:
    strings = catalog("zh-TW")
    untranslated = [
        k for k, v in strings.items() if v == catalog("en").get(k) and re.search("[a-z]{4}", v)
    ]
    assert untranslated == [] or all("example.com" in strings[k] for k in untranslated)
    simplified = set("个们这来时说过还发们见门问会为对后动么国关东车马书号电")
    assert not simplified & set("".join(strings.values()))


def test_missing_string_is_an_error() -> None:
    with pytest.raises(MissingTranslationError):
        Translator("en")("no.such.string")


def test_every_action_the_hub_audits_has_words_in_both_languages() -> None:
    """The administrator reads the audit trail in words, not in the code's action names; the
    trail refuses an action missing from ``ACTIONS``, so the list cannot fall behind."""
    import tomllib
    from pathlib import Path

    from kiosk.hub.audit_trail import ACTIONS

    hub = Path(__file__).resolve().parent.parent / "kiosk" / "hub"
    for language in ("en", "zh-TW"):
        words = tomllib.loads((hub / "locale" / f"{language}.toml").read_text(encoding="utf-8"))
        missing = [action for action in ACTIONS if f"action:{action}" not in words]
        assert missing == [], language


def test_the_chinese_texts_call_the_kiosk_by_one_name() -> None:
    """The tablet, its notice and the console said 登記機 (the product is 訪客登記), while the
    pages added later (joining a hub, privacy requests, administration) said 報到機: a front
    desk reading both could take them for two different machines."""
    import tomllib
    from pathlib import Path

    hub = Path(__file__).resolve().parent.parent / "kiosk" / "hub" / "locale" / "zh-TW.toml"
    texts = [*catalog("zh-TW").values(), *tomllib.loads(hub.read_text("utf-8")).values()]
    assert [text for text in texts if "報到" in text] == []
    assert any("登記機" in text for text in texts)
