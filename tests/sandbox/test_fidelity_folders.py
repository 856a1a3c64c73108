"""EmptyFolder and MoveFolder as Exchange does them (issue 21, item 7)."""
from __future__ import annotations

import pytest
from exchangelib import Folder, Message
from exchangelib.errors import ErrorCannotEmptyFolder, ErrorMoveCopyFailed, ErrorMoveDistinguishedFolder
from exchangelib.items import MOVE_TO_DELETED_ITEMS


def _names(folder) -> list[str]:
    return sorted(f.name for f in folder.children)


def test_empty_folder_with_and_without_subfolders(sandbox, ann):
    clients = Folder(parent=ann.inbox, name="Clients")
    clients.save()
    for i in range(3):
        sandbox.add_message(ann.primary_smtp_address, subject=f"mail {i}", body="x")
    sandbox.add_message(ann.primary_smtp_address, folder=clients.id, subject="filed", body="x")
    ann.inbox.empty()
    assert ann.inbox.all().count() == 0 and ann.trash.all().count() == 0  # HardDelete: gone
    assert _names(ann.inbox) == ["Clients"] and clients.all().count() == 1

    ann.inbox.empty(delete_type=MOVE_TO_DELETED_ITEMS, delete_sub_folders=True)
    ann.root.refresh()
    assert _names(ann.inbox) == [] and _names(ann.trash) == ["Clients"]
    assert [i.subject for i in (ann.trash / "Clients").all()] == ["filed"]
    ann.trash.empty(delete_sub_folders=True)
    ann.root.refresh()
    assert _names(ann.trash) == []
    with pytest.raises(ErrorCannotEmptyFolder):
        ann.msg_folder_root.empty()


def test_move_folder_keeps_its_id_and_contents(sandbox, ann):
    projects = Folder(parent=ann.inbox, name="Projects")
    projects.save()
    done = Folder(parent=ann.inbox, name="Done")
    done.save()
    Message(account=ann, folder=projects, subject="plan", body="x").save()
    _, state = list(ann.msg_folder_root.sync_hierarchy()), ann.msg_folder_root.folder_sync_state
    folder_id = projects.id
    projects.move(done)
    ann.root.refresh()
    moved = ann.inbox / "Done" / "Projects"
    assert moved.id == folder_id and [i.subject for i in moved.all()] == ["plan"]
    assert _names(ann.inbox) == ["Done"]
    changes = list(ann.msg_folder_root.sync_hierarchy(sync_state=state))
    assert sorted((kind, f.name) for kind, f in changes) == [("update", "Done"), ("update", "Inbox"),
                                                             ("update", "Projects")]
    with pytest.raises(ErrorMoveCopyFailed):
        (ann.inbox / "Done").move(moved)
    with pytest.raises(ErrorMoveDistinguishedFolder):
        ann.inbox.move(moved)
