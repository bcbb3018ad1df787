"""Hostile and unusual input through the core and the CLI: a clear per-field message or a safely
normalised value, never a crash, never stored as something that renders differently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.checkin import CheckinService
from kiosk.cli import main
from kiosk.store import Store
from kiosk.validation import ValidationError
from kiosk.wire import safe_cell
from tests.conftest import make_form

NAMES = {
    "rtl override": ("Ada\u202eecalevoL", "AdaecalevoL"),
    "isolates": ("\u2067Ada\u2069 Lovelace", "Ada Lovelace"),
    "zero width": ("A\u200bd\u200ca\u200d", "Ad\u200ca\u200d"),
    "combining flood": ("Zalgo" + "\u0301" * 500, "Zalgó" + "\u0301" * 3),
    "nul and controls": ("Ada\x00\x1b[31m Lovelace", "Ada[31m Lovelace"),
    "emoji zwj": ("👩\u200d👩\u200d👧 Family", "👩\u200d👩\u200d👧 Family"),
    "html entities": ("Tom &amp; Jerry", "Tom &amp; Jerry"),
    "sql": ("Robert'); DROP TABLE visits;--", "Robert'); DROP TABLE visits;--"),
    "csv formula": ('=1+2+cmd|"/C calc"!A0', '=1+2+cmd|"/C calc"!A0'),
    "look-alike": ("Аda Lоvelace", "Аda Lоvelace"),  # Cyrillic А and о: shown as entered
}


@pytest.mark.parametrize("case", list(NAMES))
def test_hostile_names_are_normalised_and_stored_as_shown(
    case: str, service: CheckinService, store: Store
) -> None:
    raw, expected = NAMES[case]
    visit = service.check_in(make_form(name=raw), service.current_notice("en")).visit
    assert visit.name == expected
    assert store.visit(visit.id) == visit
    assert [v.id for v in store.visits()] == [visit.id]  # the SQL text did nothing


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "x" * 10_240),
        ("name", "\u200b\u200b\u202e"),  # nothing visible left
        ("name", "<b>Bold</b> <img src=x onerror=alert(1)>"),  # markup: refused
        ("name", '=HYPERLINK("http://evil")'),  # a link: refused
        ("email", "ada@example.com\r\nBcc: everyone@example.com"),
        ("email", "ada@exa\u0000mple.com"),
        ("email", "=cmd|' /C calc'!A0@example.com"),
        ("email", "a" * 10_240 + "@example.com"),
        ("purpose_text", "y" * 10_240),
    ],
)
def test_bad_values_get_a_message_for_that_field(
    field: str, value: str, service: CheckinService
) -> None:
    form = make_form(**{field: value, "purpose": "other" if field == "purpose_text" else "meeting"})
    with pytest.raises(ValidationError) as raised:
        service.check_in(form, service.current_notice("en"))
    assert list(raised.value.errors) == [field]
    assert raised.value.errors[field].endswith((".", "com"))  # a sentence, not a stack trace


def test_spreadsheet_cells_are_never_formulas() -> None:
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(dangerous).startswith("'")


def test_cli_takes_the_whole_corpus_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--data-dir", str(tmp_path / "data")]
    for raw, _expected in NAMES.values():
        code = main(
            [
                *base,
                "checkin",
                "--name",
                raw,
                "--email",
                "h@example.com",
                "--purpose",
                "meeting",
                "--accept-notice",
                "--json",
            ]
        )
        assert code == 0
        assert "visit_id" in json.loads(capsys.readouterr().out)
    assert (
        main(
            [
                *base,
                "checkin",
                "--name",
                "x" * 10_240,
                "--email",
                "h@example.com",
                "--purpose",
                "meeting",
                "--accept-notice",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("kiosk: name:")
    assert main([*base, "visits", "--json"]) == 0
    names = [row["name"] for row in json.loads(capsys.readouterr().out)]
    assert names == [expected for _, expected in NAMES.values()]
