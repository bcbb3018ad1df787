from __future__ import annotations

import pytest

from kiosk.config import Config
from kiosk.notices import notice_version, render_notice
from kiosk.records import replace

# One heading per item of GDPR Art. 13 and Taiwan PDPA Art. 8, in each language's own words.
HEADINGS = {
    "en": [
        "Who is responsible",  # Art. 13(1)(a); PDPA 8(1)
        "What we collect",  # PDPA 8(3)
        "Why, and on what basis",  # Art. 13(1)(c)(d); PDPA 8(2)
        "Deny-list check",  # Art. 13(2)(f): automated matching
        "Where and how it is used",  # PDPA 8(4): area and method
        "Who receives it",  # Art. 13(1)(e); PDPA 8(4): recipients
        "How long",  # Art. 13(2)(a); PDPA 8(4): period
        "Your rights",  # Art. 13(2)(b)(d); PDPA 8(5)
        "Do you have to give it",  # Art. 13(2)(e); PDPA 8(6)
        "If you choose not to continue",  # PDPA 8(6)
    ],
    "zh-TW": [
        "蒐集者",
        "蒐集目的及依據",
        "個人資料類別",
        "拒絕名單比對",
        "利用期間",
        "利用地區",
        "利用對象",
        "利用方式",
        "您的權利",
        "是否必須提供",
        "若您選擇不登記",
    ],
}
# What the items must say, beyond their headings.
ITEMS = {
    "en": [
        "legitimate interest",
        "not your consent",
        "mail or chat service",  # notification services as recipients
        "checked automatically",
        "kept on this kiosk",
        "correct",
        "delete",
        "restrict",
        "portable",
        "object",
        "complain to",
        "no law requires it",
    ],
    "zh-TW": [
        "第 19 條第 1 項第 2 款",  # the PDPA basis, not GDPR's legitimate interest
        "郵件或通訊服務",
        "自動",
        "查詢或閱覽",
        "製給複製本",
        "補充或更正",
        "停止蒐集處理利用",
        "刪除",
        "申訴",
        "法律並未要求",
    ],
}


@pytest.mark.parametrize("language", ["en", "zh-TW"])
def test_notice_names_everything_the_law_asks_for(config: Config, language: str) -> None:
    notice = render_notice(config, language)
    text = notice.text
    for value in (config.controller_name, config.privacy_contact, config.site_name):
        assert value in text
    assert str(config.retention_days) in text
    assert "{" not in text and "}" not in text
    assert notice.version == notice_version(text)
    for heading in HEADINGS[language]:
        assert f"**{heading}" in text, heading
    for words in ITEMS[language]:
        assert words in text, words
    # Legitimate interest (GDPR) / quasi-contract (PDPA): declining is not worded as consent.
    assert "don't agree" not in text and "不同意" not in text
    assert len(text) < 2300  # one screen at 100 %: see the notice screen test


def test_notice_names_the_configured_supervisory_authority(config: Config) -> None:
    site = replace(config, supervisory_authority="Datatilsynet")
    assert "complain to Datatilsynet" in render_notice(site, "en").text
    assert "向Datatilsynet申訴" in render_notice(site, "zh-TW").text


def test_a_mail_copy_is_named_only_where_it_can_be_sent(config: Config) -> None:
    asked = replace(config, visitor_copy=True)
    assert "copy of your badge" not in render_notice(asked, "en").text
    mail = replace(asked, notify_email_url="mailto://127.0.0.1:9/?from=k@example.org")
    assert "copy of your badge" in render_notice(mail, "en").text


def test_version_changes_with_the_text(config: Config) -> None:
    base = render_notice(config, "en")
    assert render_notice(config, "en").version == base.version
    longer = render_notice(replace(config, retention_days=60), "en")
    assert longer.version != base.version
    assert "60 days" in longer.text


def test_hub_is_named_only_when_configured(config: Config) -> None:
    assert "hub" not in render_notice(config, "en").text
    with_hub = replace(config, hub_url="https://hub.harbour.example/v1")
    assert "hub.harbour.example" in render_notice(with_hub, "en").text
    assert "hub.harbour.example" in render_notice(with_hub, "zh-TW").text
    assert "operator of that hub" in render_notice(with_hub, "en").text  # a recipient too
    assert "該主機的管理者" in render_notice(with_hub, "zh-TW").text
    assert "正當利益" not in render_notice(with_hub, "zh-TW").text  # a GDPR notion
