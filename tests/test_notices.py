from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.config import Config
from kiosk.notices import notice_version, render_notice


@pytest.mark.parametrize("language", ["en", "zh-TW"])
def test_notice_names_everything_the_law_asks_for(config: Config, language: str) -> None:
    notice = render_notice(config, language)
    text = notice.text
    for value in (config.controller_name, config.privacy_contact, config.site_name):
        assert value in text
    assert str(config.retention_days) in text
    assert "{" not in text and "}" not in text
    assert notice.version == notice_version(text)
    headings = {  # GDPR Art. 13 and Taiwan PDPA Art. 8 items, in each language's words
        "en": [
            "Who collects",
            "What",
            "Why",
            "legitimate interest",
            "Who receives",
            "How long",
            "Your rights",
            "see, correct or delete",
            "object",
            "complain",
            "don't agree",
        ],
        "zh-TW": [
            "蒐集者",
            "蒐集項目",
            "蒐集目的",
            "正當利益",
            "利用對象及地區",
            "保存期間",
            "您的權利",
            "查詢",
            "更正",
            "刪除",
            "停止蒐集處理利用",
            "申訴",
            "不同意",
        ],
    }[language]
    for heading in headings:
        assert heading in text
    assert len(text) < 1400  # short enough to read without scrolling at the default size


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
