"""What the sandbox's mailboxes hold: folders, items and the change log that sync states point into.

Items keep their properties as the EWS elements clients sent (one per element name; ExtendedProperty is a
list), so whatever a client stores it reads back unchanged. Every change bumps the mailbox's sequence number:
a sync state is just "folder and sequence seen", which makes SyncFolderItems and SyncFolderHierarchy exact.
All access goes through the store's lock: the server's thread and the test's thread share it.
"""
from __future__ import annotations

import base64
import copy
import itertools
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

T_NS_BYTES = b"http://schemas.microsoft.com/exchange/services/2006/types"
# Distinguished folders every mailbox has: id -> (display name, parent, element, folder class)
DISTINGUISHED = {
    "root": ("Root", None, "Folder", None),
    "msgfolderroot": ("Top of Information Store", "root", "Folder", "IPF.Note"),
    "inbox": ("Inbox", "msgfolderroot", "Folder", "IPF.Note"),
    "sentitems": ("Sent Items", "msgfolderroot", "Folder", "IPF.Note"),
    "drafts": ("Drafts", "msgfolderroot", "Folder", "IPF.Note"),
    "deleteditems": ("Deleted Items", "msgfolderroot", "Folder", "IPF.Note"),
    "outbox": ("Outbox", "msgfolderroot", "Folder", "IPF.Note"),
    "junkemail": ("Junk Email", "msgfolderroot", "Folder", "IPF.Note"),
    "calendar": ("Calendar", "msgfolderroot", "CalendarFolder", "IPF.Appointment"),
    "contacts": ("Contacts", "msgfolderroot", "ContactsFolder", "IPF.Contact"),
    "tasks": ("Tasks", "msgfolderroot", "TasksFolder", "IPF.Task"),
    "recoverableitemsroot": ("Recoverable Items", "root", "Folder", None),
    "recoverableitemsdeletions": ("Deletions", "recoverableitemsroot", "Folder", None),
}
ITEM_CLASS = {"Message": "IPM.Note", "Contact": "IPM.Contact", "Task": "IPM.Task",
              "CalendarItem": "IPM.Appointment", "Item": "IPM.Note"}


_SALT = base64.urlsafe_b64encode(os.urandom(6)).decode()  # ids of one run never match another run's
_counter = itertools.count(1)


def new_id(prefix: str, tag: int) -> str:
    """Opaque like Exchange's ids, but naming the mailbox (tag) so lookups need no scan."""
    return f"{prefix}{tag}.{_SALT}{next(_counter):x}"


def is_well_formed(object_id: str, prefix: str) -> bool:
    """An id of the shape new_id() gives (of this run or another)."""
    tag, dot, rest = object_id.removeprefix(prefix).partition(".")
    return (object_id.startswith(prefix) and tag.isdigit() and bool(dot) and len(rest) > 8
            and all(c.isalnum() or c in "-_" for c in rest))


def tag_of(object_id: str) -> int | None:
    head = object_id[5:].partition(".")[0]
    return int(head) if head.isdigit() else None


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Attachment:
    """A file attachment, or an item attachment (`item`: an email attached to an email, say; content unused)."""
    id: str
    name: str
    content_type: str
    content: bytes
    content_id: str | None = None
    is_inline: bool = False
    modified: datetime = field(default_factory=now)
    item: Item | None = None


def renew_attachment_ids(item: Item, tag: int) -> None:
    """A copied item's attachments, and its attached items' own, get ids of their own in the mailbox (tag)."""
    for attachment in item.attachments:
        attachment.id = new_id("AAMkA", tag)
        if attachment.item is not None:
            renew_attachment_ids(attachment.item, tag)


@dataclass
class Folder:
    id: str
    name: str
    parent_id: str | None
    element: str = "Folder"  # Folder, CalendarFolder, ContactsFolder, TasksFolder
    folder_class: str | None = "IPF.Note"
    distinguished: str | None = None
    version: int = 1
    created_seq: int = 0
    changed_seq: int = 0

    @property
    def change_key(self) -> str:
        return f"AQAAA{self.version:08d}"


class Item:
    """One item. Generated items arrive packed (`packed`: the UTF-8 XML of the item's property elements),
    which keeps a million of them small and quick to make; the first look at `fields` unpacks them for good."""

    __slots__ = ("id", "element", "folder_id", "_fields", "packed", "mime", "made_mime", "attachments", "created",
                 "modified", "received", "version", "created_seq", "changed_seq", "content_seq", "exceptions")

    def __init__(self, id: str, element: str, folder_id: str,
                 fields: dict[str, etree._Element | list[etree._Element]] | None = None, *,
                 packed: bytes | None = None, when: datetime | None = None):
        self.id = id
        self.element = element  # Message, Contact, Task, CalendarItem, Item
        self.folder_id = folder_id
        self._fields = fields if fields is not None or packed is not None else {}
        self.packed = packed
        self.mime: bytes | None = None  # the MIME it came as; None: made from its fields when asked for
        self.made_mime: tuple[tuple, bytes] | None = None  # (what it was made from, the MIME made from its fields)
        self.attachments: list[Attachment] = []
        self.created = self.modified = self.received = when or now()
        self.version = 1
        self.created_seq = 0  # when it entered its folder
        self.changed_seq = 0
        self.content_seq = 0  # its last change other than to the read flag
        # a recurring master's changed occurrences: 1-based index -> the properties it has of its own
        # (None: the occurrence was deleted)
        self.exceptions: dict[int, dict[str, etree._Element] | None] = {}

    @property
    def fields(self) -> dict[str, etree._Element | list[etree._Element]]:
        if self._fields is None:
            root = etree.fromstring(b'<t:I xmlns:t="' + T_NS_BYTES + b'">' + self.packed + b"</t:I>")
            fields: dict = {}
            for child in root:
                name = etree.QName(child).localname
                if name == "ExtendedProperty":
                    fields.setdefault(name, []).append(child)
                else:
                    fields[name] = child
            self._fields, self.packed = fields, None
        return self._fields

    @property
    def change_key(self) -> str:
        return f"CQAAAB{self.version:08d}"

    def text(self, name: str) -> str | None:
        el = self.fields.get(name)
        return el.text if isinstance(el, etree._Element) else None


@dataclass
class Tombstone:
    seq: int
    created_seq: int
    moved_to: tuple[str, str] | None = None  # (new id, folder) when the item was moved, not deleted


class Mailbox:
    """One user's mailbox. Only the store touches it, under the store's lock."""

    def __init__(self, address: str, password: str, name: str, tag: int):
        self.tag = tag
        self.address = address
        self.password = password
        self.name = name
        self.folders: dict[str, Folder] = {}
        self.folders_by_key: dict[str, Folder] = {}  # distinguished folders by their id (inbox, ...)
        self.items: dict[str, Item] = {}
        self.item_tombstones: dict[str, dict[str, Tombstone]] = {}  # folder id -> item id -> when deleted
        self.folder_tombstones: dict[str, tuple[Tombstone, str | None]] = {}  # folder id -> (when, parent)
        self.moved_from: dict[str, tuple[str, str]] = {}  # a moved item's new id -> (its old id, the folder it left)
        self._seq = itertools.count(1)
        self.seq = 0
        for key, (display, parent, element, folder_class) in DISTINGUISHED.items():
            parent_id = self.folders_by_key[parent].id if parent else None
            self._add_folder(Folder(new_id("AAMkF", self.tag), display, parent_id, element, folder_class, key))


    def next_seq(self) -> int:
        self.seq = next(self._seq)
        return self.seq

    def _add_folder(self, folder: Folder) -> Folder:
        folder.created_seq = folder.changed_seq = self.next_seq()
        self.folders[folder.id] = folder
        if folder.distinguished:
            self.folders_by_key[folder.distinguished] = folder
        self.item_tombstones[folder.id] = {}
        return folder

    def distinguished(self, key: str) -> Folder:
        return self.folders_by_key[key]

    def add_folder(self, parent: Folder, name: str, element: str = "Folder",
                   folder_class: str | None = "IPF.Note") -> Folder:
        return self._add_folder(Folder(new_id("AAMkF", self.tag), name, parent.id, element, folder_class))

    def touch_folder(self, folder: Folder) -> None:
        folder.version += 1
        folder.changed_seq = self.next_seq()

    def delete_folder(self, folder: Folder) -> None:
        for child in [f for f in self.folders.values() if f.parent_id == folder.id]:
            self.delete_folder(child)
        for item in [i for i in self.items.values() if i.folder_id == folder.id]:
            self.remove_item(item)
        del self.folders[folder.id]
        self.folder_tombstones[folder.id] = (Tombstone(self.next_seq(), folder.created_seq), folder.parent_id)

    def move_folder(self, folder: Folder, parent: Folder) -> None:
        """Exchange keeps a moved folder's id; both parents change (their child counts) and so does it."""
        old_parent = self.folders[folder.parent_id]
        folder.parent_id = parent.id
        for changed in (folder, old_parent, parent):
            self.touch_folder(changed)

    def subfolders(self, folder: Folder, deep: bool) -> list[Folder]:
        found = [f for f in self.folders.values() if f.parent_id == folder.id]
        if deep:
            for child in list(found):
                found += self.subfolders(child, deep=True)
        return found

    def items_in(self, folder: Folder) -> list[Item]:
        return [i for i in self.items.values() if i.folder_id == folder.id]

    def put_item(self, item: Item, folder: Folder) -> Item:
        item.folder_id = folder.id
        item.created_seq = item.changed_seq = item.content_seq = self.next_seq()
        self.items[item.id] = item
        return item

    def touch_item(self, item: Item, read_flag_only: bool = False) -> None:
        item.version += 1
        item.modified = now()
        item.changed_seq = self.next_seq()
        if not read_flag_only:
            item.content_seq = item.changed_seq

    def remove_item(self, item: Item) -> None:
        del self.items[item.id]
        self.item_tombstones[item.folder_id][item.id] = Tombstone(self.next_seq(), item.created_seq)

    def move_item(self, item: Item, folder: Folder) -> Item:
        """Exchange gives a moved item a new id; the source folder syncs a delete, the target a create (and a
        subscription sees one MovedEvent: the tombstone and moved_from say it was a move)."""
        old_id, old_folder_id = item.id, item.folder_id
        self.remove_item(item)
        item.id = new_id("AAMkI", self.tag)
        item.version += 1
        self.put_item(item, folder)
        self.item_tombstones[old_folder_id][old_id].moved_to = (item.id, folder.id)
        self.moved_from[item.id] = (old_id, old_folder_id)
        return item

    def copy_item(self, item: Item, folder: Folder) -> Item:
        clone = copy.deepcopy(item)
        clone.id = new_id("AAMkI", self.tag)
        clone.version = 1
        clone.created = clone.modified = now()
        renew_attachment_ids(clone, self.tag)
        return self.put_item(clone, folder)

    def item_changes(self, folder: Folder, since: int) -> list[tuple[int, str, Item | str]]:
        """(seq, 'Create'|'Update'|'ReadFlagChange'|'Delete', item or deleted id) after `since`, oldest first."""
        changes: list[tuple[int, str, Item | str]] = []
        for item in self.items_in(folder):
            if item.changed_seq > since:
                kind = ("Create" if item.created_seq > since else "Update" if item.content_seq > since
                        else "ReadFlagChange")
                changes.append((item.changed_seq, kind, item))
        for item_id, tomb in self.item_tombstones[folder.id].items():
            if tomb.seq > since and tomb.created_seq <= since:
                changes.append((tomb.seq, "Delete", item_id))
        return sorted(changes, key=lambda c: c[0])

    def folder_changes(self, top: Folder, since: int) -> list[tuple[int, str, Folder | str]]:
        below = {f.id for f in self.subfolders(top, deep=True)}
        changes: list[tuple[int, str, Folder | str]] = []
        for folder in self.folders.values():
            if folder.id in below and folder.changed_seq > since:
                changes.append((folder.changed_seq, "Create" if folder.created_seq > since else "Update", folder))
        for folder_id, (tomb, parent_id) in self.folder_tombstones.items():
            if tomb.seq > since and tomb.created_seq <= since and (parent_id in below or parent_id == top.id):
                changes.append((tomb.seq, "Delete", folder_id))
        return sorted(changes, key=lambda c: c[0])


class Store:
    """All mailboxes of one sandbox, keyed by lower-case address."""

    def __init__(self):
        self.lock = threading.RLock()
        self.mailboxes: dict[str, Mailbox] = {}
        self.by_tag: dict[int, Mailbox] = {}

    def add(self, address: str, password: str, name: str) -> Mailbox:
        with self.lock:
            key = address.lower()
            if key in self.mailboxes:
                raise ValueError(f"the sandbox already has a mailbox {address}")
            mailbox = Mailbox(address, password, name, len(self.by_tag) + 1)
            self.mailboxes[key] = self.by_tag[mailbox.tag] = mailbox
            return mailbox

    def get(self, address: str) -> Mailbox | None:
        return self.mailboxes.get(address.lower())

    def find_folder(self, folder_id: str) -> tuple[Mailbox, Folder] | None:
        mailbox = self.by_tag.get(tag_of(folder_id))
        return (mailbox, mailbox.folders[folder_id]) if mailbox and folder_id in mailbox.folders else None

    def find_item(self, item_id: str) -> tuple[Mailbox, Item] | None:
        mailbox = self.by_tag.get(tag_of(item_id))
        return (mailbox, mailbox.items[item_id]) if mailbox and item_id in mailbox.items else None

    def find_item_by_attachment(self, attachment_id: str) -> tuple[Mailbox, Item, Attachment] | None:
        """The attachment and the item that holds it (an attached item's own attachments are found too)."""
        mailbox = self.by_tag.get(tag_of(attachment_id))

        def within(item: Item) -> tuple[Item, Attachment] | None:
            for attachment in item.attachments:
                if attachment.id == attachment_id:
                    return item, attachment
                found = within(attachment.item) if attachment.item is not None else None
                if found is not None:
                    return found
            return None
        for item in mailbox.items.values() if mailbox else ():
            if (found := within(item)) is not None:
                return mailbox, *found
        return None
