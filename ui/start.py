"""Start-up in two steps: Welcome on screen first, then everything else.

A bare PySide6 window is drawn ~70 ms after the interpreter starts; the whole kiosk (the core,
its store and keys, nine more screens, the job process) takes ~200 ms more. So the window first
opens with Welcome alone, in the site's default language, and only then is the rest imported and
built (``ui.app.build_kiosk``), on the same thread, before any event is handled: a guest who taps
in that moment is answered a fraction of a second later and nothing is lost.

This module therefore imports only what Welcome needs; ``ui.app`` is imported inside ``run``.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtWidgets import QApplication

from kiosk.config import Config
from kiosk.i18n import Translator
from kiosk.supervisor import FRESH_START, SUPERVISED
from ui.application import create_application
from ui.window import KioskWindow

WINDOW_SIZE = (1280, 800)


def open_welcome(app: QApplication, config: Config) -> KioskWindow:
    """The window with Welcome alone, shown and drawn (full screen in lockdown)."""
    window = KioskWindow(config)
    window.retranslate(Translator(config.default_language), config.default_language)
    window.show_step("welcome")
    window.resize(*WINDOW_SIZE)
    if config.lockdown:
        from ui.lockdown import Lockdown

        Lockdown.frame(window)
        window.showFullScreen()
    else:
        window.show()
    app.processEvents()  # draw it now, before the rest is built
    return window


def run(config: Config) -> int:
    app = create_application()
    window = open_welcome(app, config)
    from ui.app import build_kiosk, guard_against_crashes, keep_for_good

    kiosk = build_kiosk(app, config, window=window)
    sys.excepthook = guard_against_crashes(kiosk.flow)
    kiosk.maintenance.start()
    if kiosk.lockdown is not None:
        kiosk.lockdown.apply()
    app.aboutToQuit.connect(kiosk.shutdown)
    kiosk.flow.exit_requested.connect(app.quit)
    if os.environ.get(SUPERVISED):  # only a supervisor starts the window again
        from ui.fresh_start import FreshStart

        fresh_start = FreshStart(
            config.fresh_start,
            config.zone,
            kiosk.flow.services.clock,
            on_welcome=kiosk.flow.step.value == "welcome",
            busy=lambda: kiosk.workers.busy() or kiosk.jobs.busy(),
        )
        kiosk.flow.step_changed.connect(fresh_start.step_changed)
        fresh_start.due.connect(lambda: app.exit(FRESH_START))
        fresh_start.start()
    keep_for_good()
    return app.exec()
