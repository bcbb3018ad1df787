"""The console's audit trail says each entry's detail in the reader's language, from the short
form its action wrote, and never rewrites what a person typed."""

from __future__ import annotations

import pytest

from kiosk.hub.audit_trail import ACTIONS
from kiosk.hub.audit_words import FORMS, detail_in_words
from kiosk.hub.console_words import words_in


@pytest.mark.parametrize(
    ("action", "detail", "english", "chinese"),
    [
        ("rights_erase", "kiosks=1", "sent to 1 kiosk", "送往 1 台登記機"),
        ("rights_export", "kiosks=3", "sent to 3 kiosks", "送往 3 台登記機"),
        ("rights_erase_done", "visits=1", "1 visit", "1 筆來訪"),
        ("rights_export_done", "visits=0", "0 visits", "0 筆來訪"),
        ("rights_download", "parts=2", "data from 2 kiosks", "2 台登記機的資料"),
        ("hosts_import", "rows=1", "1 row", "1 列"),
        ("user_add", "role=privacy", "role: privacy officer", "角色：個資負責人"),
        ("user_role", "role=frontdesk", "role: front desk", "角色：櫃檯"),
        ("invited", "host h-lin", "for host h-lin", "受訪者 h-lin"),
        ("roll call started", "12 on site", "12 on site", "在場 12 人"),
        ("roll call closed", "2 accounted for, 1 missing", "2 accounted for, 1 missing",
         "已確認 2 人，未確認 1 人"),
        ("kiosk_enrol", "code valid 24 h", "code valid for 24 hours", "代碼 24 小時內有效"),
        ("checked out", "console", "at the console", "於主控台"),
        ("host_save", "inactive", "inactive", "停用"),
        ("deny_add", "days=1", "for 1 day", "為期 1 天"),
        ("deny_add", "days=30", "for 30 days", "為期 30 天"),
        ("deny_add", "until removed", "until removed", "直到移除"),
    ],
)  # fmt: skip
def test_a_detail_is_said_in_each_language(
    action: str, detail: str, english: str, chinese: str
) -> None:
    assert detail_in_words(action, detail, words_in("en")) == english
    assert detail_in_words(action, detail, words_in("zh-TW")) == chinese


@pytest.mark.parametrize(
    ("action", "typed"),
    [("deny_add", "kiosks=9"), ("company_save", "console"), ("deny_add", "role=admin")],
)
def test_what_a_person_typed_is_shown_as_typed_even_when_it_looks_like_a_form(
    action: str, typed: str
) -> None:
    assert detail_in_words(action, typed, words_in("zh-TW")) == typed


def test_a_detail_its_action_did_not_write_in_its_form_is_shown_as_written() -> None:
    """An entry written by an older or newer hub in another form stays readable."""
    assert detail_in_words("rights_erase", "kiosks=all", words_in("en")) == "kiosks=all"
    assert detail_in_words("user_add", "role=auditor", words_in("en")) == "role: auditor"


def test_every_form_belongs_to_an_audited_action() -> None:
    assert set(FORMS) <= ACTIONS
