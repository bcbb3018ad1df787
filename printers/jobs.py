"""Print queued badges: the step between the outbox and a printer backend.

Runs in a worker thread. The visit is read from the store when the job runs (the outbox row holds
no personal data), and the job is marked done or failed with a reason staff can act on.
"""

from __future__ import annotations

import logging
from datetime import datetime

from kiosk import audit
from kiosk.badges import BadgeTokens
from kiosk.config import Config
from kiosk.hosts import HostDirectory
from kiosk.outbox import PRINT_GIVE_UP, failed_prints_due, settle
from kiosk.store import Store
from printers import Printer, PrintResult
from printers.labels import label

log = logging.getLogger(__name__)


def print_badge(
    store: Store,
    config: Config,
    printer: Printer,
    tokens: BadgeTokens,
    directory: HostDirectory,
    visit_id: str,
    now: datetime,
    actor: str = "kiosk",
) -> PrintResult:
    """Print the pending badge of one visit; a visit with no pending job is not printed twice.
    Every printed badge is audited; any after the first is marked a reprint."""
    jobs = store.pending_outbox("print", visit_id)
    visit = store.visit(visit_id)
    if not jobs or visit is None:
        return PrintResult(ok=False, message="no pending print job for this visit")
    host = directory.get(visit.host_id)
    content = tokens.content(visit, host.name if host else visit.host_id)
    spec = label(config.printer_label)
    try:
        result = printer.print(content, spec, visit.id)
    except Exception as error:  # a backend bug must not lose the job: it stays queued
        log.exception("printer %s failed", printer.name)
        result = PrintResult(ok=False, message=f"printer error: {type(error).__name__}")
    for job in jobs:  # a failure is tried again on the outbox's schedule, until its deadline
        settle(store, job, "" if result.ok else result.message, now)
    if result.ok:
        printed_before = store.audit_count("print", visit.id) + store.audit_count(
            "reprint", visit.id
        )
        audit.record(store, now, "reprint" if printed_before else "print", actor, visit.id)
    return result


def reprint(
    store: Store,
    config: Config,
    printer: Printer,
    tokens: BadgeTokens,
    directory: HostDirectory,
    visit_id: str,
    now: datetime,
    staff: str,
) -> PrintResult:
    """Queue one more print of a visit's badge and print it now. Staff only, so the audit names
    them; an unknown visit queues nothing and is reported as having no job."""
    if store.visit(visit_id) is not None:
        store.enqueue(visit_id, "print", now, now + PRINT_GIVE_UP)
    return print_badge(
        store, config, printer, tokens, directory, visit_id, now, actor=f"staff:{staff}"
    )


def retry_failed_prints(
    store: Store,
    config: Config,
    printer: Printer,
    tokens: BadgeTokens,
    directory: HostDirectory,
    now: datetime,
) -> list[PrintResult]:
    """Badges that failed to print and are due another try (the outbox's backoff), each once."""
    return [
        print_badge(store, config, printer, tokens, directory, visit_id, now)
        for visit_id in failed_prints_due(store, now)
    ]
