"""Timed upkeep while the kiosk runs: retention (at start, then hourly), the end-of-day
check-out (every few minutes), notifications and failed badge prints that are due another try
(the outbox's backoff, ``kiosk.outbox``), and the hub sync; always in a worker or the job
process, so a guest never waits on it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.checkout import CheckoutService
from kiosk.config import Config
from kiosk.hosts import HostDirectory
from kiosk.hub_client import HubClient, HubUnavailableError
from kiosk.records import replace
from kiosk.retention import purge
from kiosk.store import Store
from kiosk.sync import ExchangeReport, SyncReport, drain
from kiosk.timeutil import Clock
from ui.workers import Workers

log = logging.getLogger(__name__)
RETENTION_INTERVAL_MS = 60 * 60 * 1000
AUTO_CHECKOUT_INTERVAL_MS = 5 * 60 * 1000
NOTIFY_INTERVAL_MS = 20 * 1000
SYNC_INTERVAL_MS = 30 * 1000
PRINT_RETRY_INTERVAL_MS = 30 * 1000
Job = Callable[[Callable[[object], None]], None]  # hands work to the job process, with a reply


class Maintenance(QObject):
    hosts_reloaded = Signal()  # a sync brought a new host directory

    def __init__(
        self,
        store: Store,
        config: Config,
        checkout: CheckoutService,
        workers: Workers,
        clock: Clock,
        deliver: Callable[[Callable[[object], None]], None],
        directory: HostDirectory,
        share_site: Callable[[HubClient], ExchangeReport],
        retry_prints: Job | None = None,
    ) -> None:
        super().__init__()
        self._store, self._config, self._checkout = store, config, checkout
        self._workers, self._clock, self._deliver = workers, clock, deliver
        self._directory, self._share_site = directory, share_site
        self._delivering = False
        self._retry_prints, self._printing = retry_prints, False
        self.print_timer = self._timer(PRINT_RETRY_INTERVAL_MS, self.run_print_retries)
        self.retention_timer = self._timer(RETENTION_INTERVAL_MS, self.run_retention)
        self.checkout_timer = self._timer(AUTO_CHECKOUT_INTERVAL_MS, self.run_auto_checkout)
        self.notify_timer = self._timer(NOTIFY_INTERVAL_MS, self.run_notifications)
        self.sync_timer = self._timer(SYNC_INTERVAL_MS, self.run_sync)
        self._syncing = False

    def _timer(self, interval_ms: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setInterval(interval_ms)
        timer.timeout.connect(slot)
        return timer

    def start(self) -> None:
        """Catch up at once (the kiosk may have been off past a purge or a check-out time)."""
        self.run_retention()
        self.run_auto_checkout()
        self.run_notifications()
        timers = [self.retention_timer, self.checkout_timer, self.notify_timer]
        if self._retry_prints is not None and self._config.printer_backend != "none":
            timers.append(self.print_timer)
        if self._config.hub_url:
            self.run_sync()
            timers.append(self.sync_timer)
        for timer in timers:
            timer.start()

    def stop(self) -> None:
        for timer in (
            self.retention_timer,
            self.checkout_timer,
            self.notify_timer,
            self.sync_timer,
            self.print_timer,
        ):
            timer.stop()

    def use_hub(self, url: str, token: str) -> None:
        """The kiosk just joined a hub (staff mode): take the site's keys, hosts and deny list
        now. Check-ins go to the hub only after a restart, on purpose: the privacy notice names
        the hub's operator as a recipient once the kiosk starts with a hub, and no guest's
        record should reach it under a notice that did not say so."""
        self._config = replace(self._config, hub_url=url, hub_token=token)
        if not self.sync_timer.isActive():
            self.sync_timer.start()
        self.run_sync()

    def run_sync(self) -> None:
        """Drain the sync outbox to the hub (batches grow while the hub keeps up), then take
        what the site shares; never two runs at once."""
        self._start_sync(with_site_lists=True)

    def send_visits(self) -> None:
        """Right after a check-in: the new visit goes to the hub at once. The site's lists (the
        whole host directory among them: 115 ms for 5,000 hosts) wait for the timer; asked for
        after every check-in as well, they came while the guest's badge was on its way."""
        self._start_sync(with_site_lists=False)

    def _start_sync(self, with_site_lists: bool) -> None:
        if self._syncing or not self._config.hub_url:
            return
        self._syncing = True
        client = HubClient(self._config.hub_url, self._config.hub_token)
        self._workers.submit(
            lambda: self._sync(client, with_site_lists), self._on_synced, self._on_sync_failed
        )

    def _sync(self, client: HubClient, with_site_lists: bool) -> tuple[SyncReport, bool]:
        """Our events first, then what the site shares (keys, check-outs elsewhere, directory,
        deny list, privacy requests made at the hub: ``kiosk.site_sync``); a hub that is away
        shows up as a retry in the outbox, not as an error."""
        report = drain(self._store, self._config, client, self._clock)
        hosts_changed = False
        if with_site_lists and not report.retrying:
            try:
                shared = self._share_site(client)
            except HubUnavailableError as error:
                log.warning("site lists not refreshed: %s", error)
            else:
                if shared.hosts:  # the guest's host picker searches the directory in memory
                    self._directory.reload()
                    hosts_changed = True
        return report, hosts_changed

    def _on_synced(self, result: tuple[SyncReport, bool]) -> None:
        self._syncing = False
        if result[1]:
            self.hosts_reloaded.emit()

    def _on_sync_failed(self, error: BaseException) -> None:
        self._syncing = False
        self._on_failed("sync", error)

    def run_notifications(self) -> None:
        """Send what is due (right after a check-in, and every 20 s for retries); one run at a
        time, so a slow mail server never has two workers sending the same job."""
        if self._delivering:
            return
        self._delivering = True
        self._deliver(self._on_delivered)

    def _on_delivered(self, _report: object) -> None:
        self._delivering = False

    def run_print_retries(self) -> None:
        """Badges that failed to print, tried again when their backoff is over (one run at a
        time; the job process prints them one after another)."""
        if self._retry_prints is None or self._printing:
            return
        self._printing = True
        self._retry_prints(self._on_prints_retried)

    def _on_prints_retried(self, _answer: object) -> None:
        self._printing = False

    def run_retention(self) -> None:
        config = self._config
        self._workers.submit(
            lambda: purge(
                self._store,
                config.spool_dir,
                self._clock(),
                config.retention_days,
                config.audit_retention_days,
            ),
            lambda _result: None,
            lambda error: self._on_failed("retention", error),
        )

    def run_auto_checkout(self) -> None:
        self._workers.submit(
            lambda: self._checkout.auto_check_out(self._clock()),
            lambda _count: None,
            lambda error: self._on_failed("auto check-out", error),
        )

    def _on_failed(self, what: str, error: BaseException) -> None:
        log.error("%s failed (%s); will retry on the next tick", what, type(error).__name__)
