"""The QApplication, made once: its name, the fonts shipped in ``assets/fonts`` and the kiosk's
style. Both start-up (``ui.start``) and the whole kiosk (``ui.app``) use it."""

from __future__ import annotations

import logging
import sys

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from kiosk import assets
from ui.style import stylesheet

log = logging.getLogger(__name__)
UI_FONT = "Noto Sans CJK TC"


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setApplicationName("Lobby Kiosk")
    for font_file in sorted(assets.root().joinpath("fonts").glob("*.[ot]t[fc]")):
        QFontDatabase.addApplicationFont(str(font_file))
    if UI_FONT in QFontDatabase.families():
        app.setFont(QFont(UI_FONT))
    else:
        log.warning("font %r not installed; Chinese text may render poorly", UI_FONT)
    app.setStyleSheet(stylesheet())
    return app
