"""``kiosk demo --guests N``: many guests through the real window in one process.

Short tests cannot see a leak or a binding that fails on the 80th guest; a lobby sees both. The
soak drives the same screens a guest touches (Welcome, Details, Notice, Badge, Done, and for some
guests the check-out), alternating languages, picking hosts by search, with some guests adding
the optional note, some declining the notice and some checking out. It measures what a guest
feels (Accept → the badge screen painted) and what the tablet feels (resident memory).
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.models import Host
from kiosk.records import field, record
from kiosk.tokens import short_code
from ui.app import Kiosk
from ui.demo_tools import pick_host, type_text, wait_until

WARM_GUESTS = 50
SAMPLE_EVERY = 25  # guests between two resident-memory samples
DECLINE_EVERY = 10  # one guest in ten reads the notice and declines
CHECKOUT_EVERY = 4  # one in four checks out again before the next guest arrives
_FIRST = ["Amy", "Jia-Hui", "Oluwaseun", "Zoë", "María José", "Li", "Nguyễn", "Søren"]
_LAST = ["Chen", "Wang", "Adeyemi", "Müller", "García-López", "Lin", "Văn An", "Kierkegaard"]
_CJK = ["陳大文", "林美玲", "王小明", "張雅婷", "黃志豪", "李佳穎"]


def resident_mb(pid: int | str = "self") -> float:
    """A process's resident memory now (Linux ``/proc``), in MiB."""
    return _status_kib("VmRSS", pid) / 1024


def peak_mb() -> float:
    """The most resident memory this process has held, in MiB."""
    return _status_kib("VmHWM", "self") / 1024


def _status_kib(key: str, pid: int | str) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:  # not Linux, or the process has ended
        return 0
    for line in status.splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return 0


class PaintWatch(QObject):
    """Notes the moment a widget is painted: 'the badge is on screen', not 'setText was called'."""

    def __init__(self, target: QWidget) -> None:
        super().__init__(target)
        self.painted_at = 0.0
        target.installEventFilter(self)

    def arm(self) -> None:
        self.painted_at = 0.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.painted_at:
            self.painted_at = time.perf_counter()
        return False


@record(frozen=False)
class SoakReport:
    """What ``kiosk demo --guests N --json`` prints."""

    guests: int = 0
    declined: int = 0
    checked_out: int = 0
    accept_to_badge_ms: list[float] = field(default_factory=list)
    rss_start: float = 0.0
    rss_warm: float = 0.0
    rss_end: float = 0.0
    rss_peak: float = 0.0
    jobs_rss: float = 0.0  # the job process (printing, notifications), for the whole picture
    # (guests so far, seconds since the first, resident MiB): the shape of the memory over time
    rss_samples: list[tuple[int, float, float]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        times = sorted(self.accept_to_badge_ms) or [0.0]
        return {
            "guests": self.guests,
            "declined": self.declined,
            "checked_out": self.checked_out,
            "accept_to_badge_ms": {
                "p50": round(statistics.median(times), 1),
                "p95": round(_percentile(times, 0.95), 1),
                "max": round(times[-1], 1),
            },
            # Every memory figure to the same 0.01 MiB: rounded alike, a sample that equals the
            # peak cannot print above it (to 0.1 beside 0.01, 180.14 read as over a peak of 180.1).
            "rss_mb": {
                "start": _mib(self.rss_start),
                "warm": _mib(self.rss_warm),
                "end": _mib(self.rss_end),
                "peak": _mib(self.rss_peak),
                "job_process": _mib(self.jobs_rss),
                "samples": [[n, round(at, 1), _mib(mb)] for n, at, mb in self.rss_samples],
            },
        }


def _mib(mebibytes: float) -> float:
    return round(mebibytes, 2)


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@record
class Guest:
    language: str
    name: str
    email: str
    host_query: str
    note: str
    declines: bool
    checks_out: bool


def guests(languages: tuple[str, ...], hosts: list[Host]) -> Iterator[Guest]:
    """An endless, repeatable line of guests: alternating languages, varied names and hosts."""
    for number in itertools.count():
        language = languages[number % len(languages)]
        if language == "zh-TW":
            name = _CJK[number % len(_CJK)]
        else:
            name = f"{_FIRST[number % len(_FIRST)]} {_LAST[(number // 3) % len(_LAST)]}"
        host = hosts[number % len(hosts)]
        words = host.name.split()
        query = words[-1] if number % 2 and len(words) > 1 else words[0][:2]
        yield Guest(
            language=language,
            name=name,
            email=f"guest{number}@example.com",
            host_query=query,
            note=f"Delivery {number}" if number % 3 == 0 else "",
            declines=number % DECLINE_EVERY == DECLINE_EVERY - 1,
            checks_out=number % CHECKOUT_EVERY == 1,
        )


def run_soak(kiosk: Kiosk, app: QApplication, count: int) -> SoakReport:
    """Drive ``count`` guests through ``kiosk``'s window; raises ``DemoError`` if a step sticks."""
    report = SoakReport(rss_start=resident_mb())
    watch = PaintWatch(kiosk.window.badge)
    hosts = kiosk.service.directory.active()
    started = time.perf_counter()
    for number, guest in zip(range(count), guests(kiosk.config.languages, hosts), strict=False):
        _one_guest(kiosk, app, guest, watch, report)
        if number + 1 == WARM_GUESTS:
            report.rss_warm = resident_mb()
        if (number + 1) % SAMPLE_EVERY == 0:
            sample = (number + 1, time.perf_counter() - started, resident_mb())
            report.rss_samples.append(sample)
    if not report.rss_warm:
        report.rss_warm = resident_mb()
    kiosk.workers.wait()
    wait_until(lambda: not kiosk.jobs.busy(), "the job process to finish")
    report.rss_end = resident_mb()
    report.rss_peak = peak_mb()
    report.jobs_rss = resident_mb(kiosk.jobs.pid())
    return report


def _one_guest(
    kiosk: Kiosk, app: QApplication, guest: Guest, watch: PaintWatch, report: SoakReport
) -> None:
    flow, window = kiosk.flow, kiosk.window
    flow.reset()
    flow.set_language(guest.language)
    QTest.mouseClick(window.welcome.checkin, Qt.MouseButton.LeftButton)
    details = window.details
    type_text(details.name, guest.name)
    type_text(details.email, guest.email)
    purposes = kiosk.config.purposes
    with_note = next((p for p in purposes if p.free_text), None) if guest.note else None
    purpose = with_note or purposes[report.guests % len(purposes)]
    details._purpose_buttons[purpose.key].click()
    if with_note is not None:
        type_text(details.purpose_text, guest.note)
    pick_host(details.host, guest.host_query)
    QTest.mouseClick(details.next, Qt.MouseButton.LeftButton)
    wait_until(lambda: flow.step.value == "notice", "the notice screen")
    report.guests += 1
    if guest.declines:
        QTest.mouseClick(window.notice.decline, Qt.MouseButton.LeftButton)
        wait_until(lambda: flow.step.value == "welcome", "the welcome screen after declining")
        report.declined += 1
        return
    watch.arm()
    accepted = time.perf_counter()
    QTest.mouseClick(window.notice.accept, Qt.MouseButton.LeftButton)
    wait_until(lambda: bool(watch.painted_at), "the badge screen to paint")
    report.accept_to_badge_ms.append((watch.painted_at - accepted) * 1000)
    wait_until(lambda: window.badge.status_id() != "badge.printing", "the badge to print")
    QTest.mouseClick(window.badge.done_button, Qt.MouseButton.LeftButton)
    if guest.checks_out:
        _check_out(kiosk, guest)
        report.checked_out += 1
    app.processEvents()


def _check_out(kiosk: Kiosk, guest: Guest) -> None:
    flow, window = kiosk.flow, kiosk.window
    visit = kiosk.store.visits(on_site_only=True)[-1]
    flow.reset()
    flow.set_language(guest.language)
    QTest.mouseClick(window.welcome.checkout_button, Qt.MouseButton.LeftButton)
    type_text(window.checkout.code, short_code(visit.id))
    QTest.mouseClick(window.checkout.submit, Qt.MouseButton.LeftButton)
    wait_until(window.checkout.goodbye.isVisible, "the goodbye message")
