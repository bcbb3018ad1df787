"""Application wiring: every object is built here once, in a fixed, logged order, and passed in.

Order: (Welcome on screen, see ``ui.start``) → store → check-in service → workers → job process
(printing and notifications, see ``printers.worker``) → the other screens → flow → activity
watch → maintenance timers.
Shutdown waits for workers, ends the job process, then closes the store.
"""

from __future__ import annotations

import gc
import logging
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication

from kiosk import audit, invitations
from kiosk.checkin import CheckinService
from kiosk.config import Config
from kiosk.enrolment import enrol
from kiosk.models import NoticeVersion
from kiosk.records import record
from kiosk.reports import last_days, period_totals, report, to_csv
from kiosk.site import Site
from kiosk.site_sync import share_with_site
from kiosk.staff import check_pin
from kiosk.store import Store
from kiosk.timeutil import Clock, utc_now
from printers.pages import print_roll_call
from ui.activity import ActivityWatch
from ui.application import create_application
from ui.camera import CameraScanner
from ui.flow import CheckinFlow
from ui.job_process import JobProcess
from ui.lockdown import Lockdown
from ui.maintenance import Maintenance
from ui.screen_set import ScreenSet
from ui.services import Services
from ui.window import KioskWindow
from ui.workers import Workers

log = logging.getLogger(__name__)
REPORT_DAYS = 14


def _numbers(
    store: Store, config: Config, now: datetime
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    first, last = last_days(now.astimezone(config.zone).date(), REPORT_DAYS)
    rows = report(store, first, last, "purpose")
    totals = dict(period_totals(rows))
    days = [((first + timedelta(days=n)).isoformat(), 0) for n in range(REPORT_DAYS)]
    by_purpose: dict[str, int] = {}
    for row in rows:
        by_purpose[row.key] = by_purpose.get(row.key, 0) + row.count
    return [(day, totals.get(day, 0)) for day, _ in days], sorted(by_purpose.items())


def _export_csv(store: Store, config: Config, now: datetime) -> Path:
    first, last = last_days(now.astimezone(config.zone).date(), REPORT_DAYS)
    target = config.data_dir / "reports" / f"visitors-{first}-{last}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(to_csv(report(store, first, last, "purpose"), "purpose"), encoding="utf-8")
    return target


def _ignore(_result: object) -> None:
    """For start-up work whose result nobody waits for."""


def _warm_imports() -> None:
    """Libraries the first guest needs (address check, QR), imported by a worker once Welcome is
    up, so neither the first paint nor the first Continue pays for them."""
    import email_validator
    import qrcode

    del email_validator, qrcode


def _notices_published(notices: list[NoticeVersion]) -> None:
    log.info("notice versions in force: %s", ", ".join(n.version for n in notices))


def _notices_failed(error: BaseException) -> None:
    log.error("could not store the notice versions (%s)", type(error).__name__)


@record(frozen=False)
class Kiosk:
    """Everything the running kiosk is made of, for start-up, shutdown and tests."""

    config: Config
    store: Store
    service: CheckinService
    workers: Workers
    window: KioskWindow
    flow: CheckinFlow
    activity: ActivityWatch
    maintenance: Maintenance
    jobs: JobProcess
    site: Site
    lockdown: Lockdown | None = None

    def shutdown(self) -> None:
        self.activity.stop()
        self.maintenance.stop()
        if self.lockdown is not None:
            self.lockdown.stop()
        self.workers.wait()
        self.jobs.stop()
        self.store.close()


def build_kiosk(
    app: QApplication, config: Config, clock: Clock = utc_now, window: KioskWindow | None = None
) -> Kiosk:
    """Everything behind the screens, and the screens behind Welcome; ``window`` is the one
    ``ui.start.open_welcome`` already put on screen, if any."""
    log.info("start: data in %s, config from %s", config.data_dir, config.source)
    site = Site.open(config, clock)
    store, service, deny_list = site.store, site.checkin, site.deny_list
    log.info("badges signed with key %s", site.keys.current_kid.hex())
    log.info("printer backend: %s (in the job process)", config.printer_backend)
    workers = Workers()
    jobs = JobProcess(config)
    jobs.start()
    window = window or KioskWindow(config)
    window.add_screens(ScreenSet.build(config, service.directory))
    checkout = site.checkout
    services = Services(
        checkin=service,
        tokens=site.tokens,
        checkout=checkout,
        print_job=lambda visit_id, done: jobs.submit_print("print", clock(), done, visit=visit_id),
        printer_name=config.printer_backend,
        staff_check=lambda pin: check_pin(store, pin, clock()),
        onsite=site.on_site,
        staff_checkout=lambda ids, staff: sum(
            1 for visit_id in ids if checkout.staff_check_out(visit_id, staff)
        ),
        reprint=lambda visit_id, staff, done: jobs.submit_print(
            "reprint", clock(), done, visit=visit_id, staff=staff
        ),
        alert_count=lambda: len(store.alerts()),
        find_invitation=lambda code: invitations.find(store, code, clock(), config.zone),
        numbers=lambda: _numbers(store, config, clock()),
        export_csv=lambda: _export_csv(store, config, clock()),
        print_roll_call=lambda roll_call: print_roll_call(roll_call, config, clock()),
        clock=clock,
        camera=CameraScanner.create(workers),
        join_hub=lambda url, code: enrol(url, code, config.data_dir, config.keys_dir),
        hub_joined=lambda enrolled: maintenance.use_hub(enrolled.url, enrolled.token),
    )
    flow = CheckinFlow(window, config, workers, services)
    activity = ActivityWatch(app, window, flow.user_activity)
    maintenance = Maintenance(
        store,
        config,
        services.checkout,
        workers,
        clock,
        lambda done: jobs.submit("notify", clock(), done),
        service.directory,
        lambda client: share_with_site(store, config, client, deny_list, site.keys, clock()),
        retry_prints=lambda done: jobs.submit("retry_prints", clock(), done),
    )
    maintenance.hosts_reloaded.connect(lambda: jobs.submit("reload_hosts", clock(), _ignore))
    flow.checked_in.connect(maintenance.run_notifications)
    flow.checked_in.connect(maintenance.send_visits)
    workers.submit(_warm_imports, _ignore, _ignore)
    workers.submit(service.publish_notices, _notices_published, _notices_failed)
    workers.submit(
        lambda: audit.note_config(store, config, clock()),
        _ignore,
        lambda error: log.error("could not audit the config (%s)", type(error).__name__),
    )
    lockdown = Lockdown(window) if config.lockdown else None
    if lockdown is not None:
        lockdown.watch(app)
        flow.exit_requested.connect(lockdown.unlock)
    return Kiosk(
        config,
        store,
        service,
        workers,
        window,
        flow,
        activity,
        maintenance,
        jobs,
        site,
        lockdown,
    )


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


def keep_for_good() -> None:
    """Move what start-up made out of the cyclic collector's sight, once the kiosk is built:
    the screens, their Qt wrappers, the core (~27,000 objects besides the imports, which
    ``kiosk.cli`` froze already) live as long as the window. Left in sight, each full
    collection walked them all again, 6.5-13 ms on whichever thread triggered it, with a
    guest's tap or the purge's transaction held up meanwhile; frozen, 1.4 ms (measured). As
    ``kiosk hub serve`` does with its own start-up."""
    gc.freeze()


def run_staff_window(config: Config) -> int:
    """``kiosk staff``: the staff screens in an ordinary window, for a front-desk PC."""
    app = create_application()
    kiosk = build_kiosk(app, config)
    kiosk.flow.staff_window = True
    kiosk.flow.reset()
    kiosk.window.setWindowTitle(f"{config.site_name} · Lobby Kiosk staff")
    kiosk.window.resize(1280, 800)
    kiosk.window.show()
    kiosk.maintenance.start()
    app.aboutToQuit.connect(kiosk.shutdown)
    kiosk.flow.exit_requested.connect(app.quit)
    keep_for_good()
    return app.exec()
