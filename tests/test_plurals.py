"""Words that follow a count, on the kiosk, in the console and on the command line: "1 visit",
"2 visits", never "visit(s)"."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from kiosk import assets
from kiosk.hub.console_words import Words, shared_words, words_in
from kiosk.i18n import MissingTranslationError, Translator
from kiosk.plurals import counted, how_many, is_plural_table, plural_form

HUB_LOCALE = Path(__file__).resolve().parent.parent / "kiosk" / "hub" / "locale"


def _catalogs() -> dict[str, Mapping[str, Any]]:
    """Every catalog the product speaks from: the kiosk's and the console's, in each language."""
    found: dict[str, Mapping[str, Any]] = {}
    for language in ("en", "zh-TW"):
        found[f"kiosk {language}"] = tomllib.loads(assets.read_text("locale", f"{language}.toml"))
        found[f"hub {language}"] = tomllib.loads((HUB_LOCALE / f"{language}.toml").read_text())
    return found


def _texts(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    texts: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, Mapping):
            texts.update(_texts(value, f"{prefix}{key}."))
        else:
            texts[f"{prefix}{key}"] = str(value)
    return texts


def _counted_entries(table: Mapping[str, Any]) -> dict[str, Mapping[str, str]]:
    found: dict[str, Mapping[str, str]] = {}
    for key, value in table.items():
        if isinstance(value, Mapping):
            if is_plural_table(value):
                found[key] = value
            else:
                found.update({f"{key}.{k}": v for k, v in _counted_entries(value).items()})
    return found


@pytest.mark.parametrize(
    ("language", "count", "form"),
    [("en", 0, "other"), ("en", 1, "one"), ("en", 2, "other"), ("en-GB", 1, "one")]
    + [("zh-TW", count, "other") for count in (0, 1, 2)],
)
def test_english_says_one_for_exactly_one_and_chinese_has_one_form(
    language: str, count: int, form: str
) -> None:
    assert plural_form(language, count) == form


def test_a_missing_form_falls_back_to_other_and_a_plain_string_serves_every_count() -> None:
    strings = {"a.one": "{count} record", "a.other": "{count} records", "b.other": "{count} 筆"}
    assert [counted(strings, "a", "en", n) for n in (0, 1, 2)] == [
        "0 records",
        "1 record",
        "2 records",
    ]
    assert counted(strings, "b", "en", 1) == "1 筆"
    assert counted({"c": "{count} 人，{site}"}, "c", "zh-TW", 1, site="大廳") == "1 人，大廳"
    with pytest.raises(KeyError):
        counted(strings, "missing", "en", 1)


def test_the_kiosk_translator_counts_in_each_language() -> None:
    english, chinese = Translator("en"), Translator("zh-TW")
    assert "flagged 1 check-in since" in english("staff.alerts", count=1)
    assert "who can review it." in english("staff.alerts", count=1)
    assert "flagged 3 check-ins since" in english("staff.alerts", count=3)
    assert "標示了 1 筆登記" in chinese("staff.alerts", count=1)
    assert [english("onsite.done", count=n) for n in (1, 2)] == [
        "Checked out 1 guest.",
        "Checked out 2 guests.",
    ]
    assert chinese("onsite.done", count=1) == "已簽退 1 人。"
    with pytest.raises(MissingTranslationError):
        english("staff.no_such_count", count=1)


def test_the_console_counts_in_each_language() -> None:
    english = words_in("en")
    assert english.counted("numbers_total", 1) == "1 check-in in 14 days"
    assert english.counted("numbers_total", 12) == "12 check-ins in 14 days"
    assert english.counted("rights_hub_copies", 1) == "hub: 1 record"
    assert english.counted("admin_chain_ok", 1) == "The audit trail is intact: 1 entry."
    assert words_in("zh-TW").counted("rights_visits", 1) == "1 筆來訪"
    # A page may add to its copy; the words every page shares stay as they were.
    english["extra"] = "x"
    assert "extra" not in shared_words("en") and isinstance(shared_words("en"), Words)


def test_no_catalog_says_s_in_brackets() -> None:
    for name, catalog in _catalogs().items():
        lazy = {key: text for key, text in _texts(catalog).items() if "(s)" in text}
        assert lazy == {}, name


def test_every_english_count_has_both_forms_and_every_form_the_same_placeholders() -> None:
    for name, catalog in _catalogs().items():
        for key, forms in _counted_entries(catalog).items():
            if name.endswith(" en"):
                assert set(forms) == {"one", "other"}, f"{name}: {key}"
            placeholders = {text.count("{count}") > 0 for text in forms.values()}
            assert placeholders == {True}, f"{name}: {key} loses its count in a form"


@pytest.mark.parametrize("language", ["en", "zh-TW"])
def test_no_word_of_the_console_is_hidden_by_an_attribute_in_its_templates(language: str) -> None:
    """Jinja reads ``t.language`` as the attribute before the key of that name."""
    words = words_in(language)
    assert {key for key in words if hasattr(words, key)} == set()


def test_a_table_in_the_consoles_words_must_be_a_counted_entry(tmp_path: Path) -> None:
    from kiosk.hub import console_words

    with pytest.raises(ValueError, match="counted entry"):
        console_words._flat({"group": {"title": "not a plural form"}})


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0 visits"), (1, "1 visit"), (2, "2 visits")],
)
def test_the_command_line_counts_in_english(count: int, text: str) -> None:
    assert how_many(count, "visit") == text
    assert how_many(count, "new deny entry", "new deny entries").endswith(
        "entry" if count == 1 else "entries"
    )
