"""Application wiring: every object is built here once, in a fixed, logged order, and passed in.

Order: Qt application and style → store → check-in service → printer → workers → window →
flow → activity filter → retention timer. Shutdown waits for workers, then closes the store.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

import printers
from kiosk import assets
from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.models import NoticeVersion, PurgeResult
from kiosk.retention import purge
from kiosk.store import Store
from kiosk.timeutil import Clock, utc_now
from printers.jobs import print_badge
from ui.flow import CheckinFlow
from ui.style import stylesheet
from ui.window import KioskWindow
from ui.workers import Workers

log = logging.getLogger(__name__)
RETENTION_INTERVAL_MS = 60 * 60 * 1000
_ACTIVITY = {
    QEvent.Type.MouseButtonPress,
    QEvent.Type.KeyPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.Wheel,
}
UI_FONT = "Noto Sans CJK TC"


class ActivityFilter(QObject):
    """Sees every touch and key press in the app, to keep the idle timer honest."""

    def __init__(self, flow: CheckinFlow) -> None:
        super().__init__()
        self._flow = flow

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self._flow.user_activity()
        return False


class RetentionTimer(QObject):
    """Runs the purge at start (catching up after downtime) and every hour, in a worker."""

    def __init__(self, store: Store, config: Config, workers: Workers, clock: Clock) -> None:
        super().__init__()
        self._store, self._config, self._workers, self._clock = store, config, workers, clock
        self.last_result: PurgeResult | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(RETENTION_INTERVAL_MS)
        self.timer.timeout.connect(self.run_now)

    def start(self) -> None:
        self.run_now()
        self.timer.start()

    def run_now(self) -> None:
        config = self._config
        self._workers.submit(
            lambda: purge(self._store, config.spool_dir, self._clock(), config.retention_days),
            self._on_purged,
            self._on_failed,
        )

    def _on_purged(self, result: PurgeResult) -> None:
        self.last_result = result

    def _on_failed(self, error: BaseException) -> None:
        log.error("retention run failed (%s); will retry next hour", type(error).__name__)


def _notices_published(notices: list[NoticeVersion]) -> None:
    log.info("notice versions in force: %s", ", ".join(n.version for n in notices))


def _notices_failed(error: BaseException) -> None:
    log.error("could not store the notice versions (%s)", type(error).__name__)


@dataclass
class Kiosk:
    """Everything the running kiosk is made of, for start-up, shutdown and tests."""

    config: Config
    store: Store
    service: CheckinService
    printer: printers.Printer
    workers: Workers
    window: KioskWindow
    flow: CheckinFlow
    activity: ActivityFilter
    retention: RetentionTimer

    def shutdown(self) -> None:
        self.retention.timer.stop()
        self.workers.wait()
        self.store.close()


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


def build_kiosk(app: QApplication, config: Config, clock: Clock = utc_now) -> Kiosk:
    log.info("start: data in %s, config from %s", config.data_dir, config.source)
    store = Store(config.database_path)
    service = CheckinService(store, config, clock)
    printer = printers.create(config)
    log.info("printer backend: %s", printer.name)
    workers = Workers()
    window = KioskWindow(config)
    flow = CheckinFlow(
        window,
        service,
        config,
        workers,
        print_job=lambda visit_id: print_badge(store, config, printer, visit_id, clock()),
        printer_name=printer.name,
    )
    activity = ActivityFilter(flow)
    app.installEventFilter(activity)
    retention = RetentionTimer(store, config, workers, clock)
    workers.submit(service.publish_notices, _notices_published, _notices_failed)
    return Kiosk(config, store, service, printer, workers, window, flow, activity, retention)


def guard_against_crashes(flow: CheckinFlow) -> Callable[..., None]:
    """An unexpected error in a slot must not leave a guest staring at a broken screen: log it
    (type and stack only, since a message may quote what a guest typed) and start over."""

    def on_unexpected(
        kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        log.critical(
            "unexpected %s; screen reset\n%s", kind.__name__, "".join(traceback.format_tb(tb))
        )
        flow.reset()

    return on_unexpected


def run(config: Config) -> int:
    app = create_application()
    kiosk = build_kiosk(app, config)
    sys.excepthook = guard_against_crashes(kiosk.flow)
    kiosk.retention.start()
    kiosk.window.resize(1280, 800)
    kiosk.window.show()
    app.aboutToQuit.connect(kiosk.shutdown)
    return app.exec()
