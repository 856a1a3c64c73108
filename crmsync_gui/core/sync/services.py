"""Engine-independent services over the sync state: bulk re-enable. The console and the CLI call these."""
from __future__ import annotations

from crmsync_gui.core import codes
from crmsync_gui.core.domain.direction import COLUMNS, server_side_sync_sql
from crmsync_gui.core.store.base import database_proxy, utcnow
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.core.sync import trace


def reenable_mailboxes(*, profile_id: int | None = None, error_code: str | None = None, now=None) -> int:
    """Re-enable every direction that failed and was disabled, of one profile and/or one last error code.

    Each goes back into the schedule at once with its failure count cleared; its last error stays for
    the record. Returns how many mailboxes changed.
    """
    now = now or utcnow()
    changed: set[int] = set()
    with database_proxy.atomic():
        for direction, c in COLUMNS.items():
            enabled = getattr(Mailbox, c.enabled)
            status = getattr(Mailbox, c.status)
            query = Mailbox.select(Mailbox.id).where(~enabled & (status == codes.DirectionStatus.FAILURE)
                                                     & server_side_sync_sql(Mailbox, direction))
            if profile_id is not None:
                query = query.where(Mailbox.profile == profile_id)
            if error_code is not None:
                query = query.where(Mailbox.last_error_code == error_code)
            ids = [row for (row,) in query.tuples()]
            if ids:
                Mailbox.update({enabled: True, getattr(Mailbox, c.next_run): now,
                                getattr(Mailbox, c.transient_failures): 0,
                                Mailbox.transient_failure_count: 0}).where(Mailbox.id.in_(ids)).execute()
                changed.update(ids)
        if changed:
            scope = " and ".join(filter(None, [f"profile {profile_id}" if profile_id else "",
                                               f"error {error_code}" if error_code else ""])) or "all"
            trace.record("MailboxesReenabled", f"{len(changed)} mailboxes re-enabled ({scope}).", at=now,
                         profile_id=profile_id)
    return len(changed)
