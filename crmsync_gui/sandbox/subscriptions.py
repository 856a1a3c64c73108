"""Pull and streaming subscriptions, read off the mailbox change log (a watermark is a sequence number)."""
from __future__ import annotations

import base64
import threading
from dataclasses import dataclass

from lxml import etree

from .soap import M_NS, sub, xml_time
from .store import Mailbox, now

_KINDS = {"Create": "CreatedEvent", "Update": "ModifiedEvent", "ReadFlagChange": "ModifiedEvent",
          "Delete": "DeletedEvent"}


@dataclass
class Subscription:
    id: str
    mailbox: Mailbox
    folder_ids: set[str]
    events: set[str]
    streaming: bool
    seq: int
    creator: str = ""  # who signed in to subscribe: an impersonating account may stream many mailboxes at once

    @property
    def watermark(self) -> str:
        return _watermark(self.seq)


def _watermark(seq: int) -> str:
    return base64.b64encode(f"sandbox:{seq}".encode()).decode()


class Subscriptions:
    def __init__(self):
        self._subs: dict[str, Subscription] = {}
        self._count = 0
        self._lock = threading.Lock()

    def add(self, mailbox: Mailbox, folder_ids: set[str], events: set[str], streaming: bool,
            creator: str = "") -> Subscription:
        with self._lock:
            self._count += 1
            sub_id = f"SUBS{mailbox.tag}.{self._count:08d}"
            self._subs[sub_id] = Subscription(sub_id, mailbox, folder_ids, events, streaming, mailbox.seq,
                                              creator.lower())
            return self._subs[sub_id]

    def get(self, sub_id: str | None, mailbox: Mailbox) -> Subscription | None:
        found = self._subs.get(sub_id or "")
        return found if found is not None and found.mailbox is mailbox else None

    def streamable(self, sub_id: str | None, acting: Mailbox, user: Mailbox) -> Subscription | None:
        """A streaming subscription this request may read: the acting mailbox's own, or, as Exchange groups
        them, any one the same signed-in account made (impersonation: one connection for many mailboxes)."""
        found = self._subs.get(sub_id or "")
        if found is None or not found.streaming:
            return None
        return found if found.mailbox is acting or found.creator == user.address.lower() else None

    def remove(self, sub_id: str | None, mailbox: Mailbox) -> bool:
        with self._lock:
            if self.get(sub_id, mailbox) is None:
                return False
            del self._subs[sub_id]
            return True

    def pending(self, subscription: Subscription) -> list[tuple]:
        """(seq, event name, item id, folder id, (old item id, old folder id) of a move or None) since the
        subscription's watermark. A move is one MovedEvent, as Exchange reports it, whichever of its two
        folders the subscription watches."""
        mailbox = subscription.mailbox
        found, moves = [], {}
        for folder_id in subscription.folder_ids:
            folder = mailbox.folders.get(folder_id)
            if folder is None:
                continue
            for seq, kind, what in mailbox.item_changes(folder, subscription.seq):
                item_id = what if isinstance(what, str) else what.id
                if kind == "Delete" and (moved_to := mailbox.item_tombstones[folder_id][item_id].moved_to):
                    moves.setdefault(moved_to[0], (seq, "MovedEvent", *moved_to, (item_id, folder_id)))
                elif kind == "Create" and item_id in mailbox.moved_from:
                    moves.setdefault(item_id, (seq, "MovedEvent", item_id, folder_id, mailbox.moved_from[item_id]))
                else:
                    found.append((seq, _KINDS[kind], item_id, folder_id, None))
                    if kind == "Create" and folder.distinguished == "inbox":
                        found.append((seq, "NewMailEvent", item_id, folder_id, None))
        return sorted(e for e in [*found, *moves.values()] if e[1] in subscription.events)

    def notification(self, subscription: Subscription, ns: str = M_NS) -> tuple[etree._Element, int]:
        """The Notification of everything since the watermark (a StatusEvent when nothing happened), and the
        sequence number the watermark moves to once it is delivered (the caller moves it: a stream only after
        the write); in the messages namespace for GetEvents, the types one in GetStreamingEvents' Notifications."""
        note = etree.Element(f"{{{ns}}}Notification")
        sub(note, "t", "SubscriptionId", subscription.id)
        sub(note, "t", "PreviousWatermark", subscription.watermark)
        sub(note, "t", "MoreEvents", "false")
        events = self.pending(subscription)
        if not events:
            status = sub(note, "t", "StatusEvent")
            sub(status, "t", "Watermark", _watermark(subscription.mailbox.seq))
        for seq, name, item_id, folder_id, old in events:
            event = sub(note, "t", name)
            sub(event, "t", "Watermark", _watermark(seq))
            sub(event, "t", "TimeStamp", xml_time(now()))
            sub(event, "t", "ItemId", Id=item_id)
            sub(event, "t", "ParentFolderId", Id=folder_id)
            if old is not None:
                sub(event, "t", "OldItemId", Id=old[0])
                sub(event, "t", "OldParentFolderId", Id=old[1])
        return note, subscription.mailbox.seq

