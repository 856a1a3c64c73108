"""Messages through exchangelib over HTTPS: send, deliver, read, update, move, delete, search."""
from __future__ import annotations

import pytest
from exchangelib import ExtendedProperty, FileAttachment, Folder, Mailbox, Message
from exchangelib.errors import ErrorIrresolvableConflict, ErrorItemNotFound


class CrmTracking(ExtendedProperty):
    property_set_id = "c11ff724-aa03-4555-9952-8fa248a11c3e"
    property_name = "crmid"
    property_type = "String"


@pytest.fixture(autouse=True, scope="module")
def _register_extended_property():
    Message.register("crm_id", CrmTracking)
    yield
    Message.deregister("crm_id")


def test_version_probe_and_distinguished_folders(ann):
    assert ann.version.api_version == "Exchange2016"
    assert ann.inbox.name == "Inbox"
    assert ann.sent.name == "Sent Items"
    assert {f.name for f in ann.msg_folder_root.children} >= {"Inbox", "Sent Items", "Drafts", "Deleted Items",
                                                              "Calendar", "Contacts", "Tasks"}


def test_send_and_save_delivers_to_recipient_keeping_thread_headers(sandbox, ann, bob):
    m = Message(account=ann, folder=ann.sent, subject="Quote for Grüße GmbH", body="Price list attached",
                to_recipients=[Mailbox(email_address=bob.primary_smtp_address)],
                in_reply_to="<first@crm.test>", references="<root@crm.test> <first@crm.test>")
    m.send_and_save()
    received = list(bob.inbox.all())
    assert [r.subject for r in received] == ["Quote for Grüße GmbH"]
    got = received[0]
    sent = list(ann.sent.all())[0]
    assert got.message_id == sent.message_id and got.message_id.startswith("<")
    assert got.in_reply_to == "<first@crm.test>"
    assert got.references == "<root@crm.test> <first@crm.test>"
    assert got.author.email_address == ann.primary_smtp_address
    assert got.is_read is False and sent.is_read is True
    assert b"In-Reply-To: <first@crm.test>" in got.mime_content


def test_mime_message_keeps_its_headers_and_attachment(sandbox, ann, bob):
    mime = (b"From: Carol <carol@outside.test>\r\nTo: " + ann.primary_smtp_address.encode() + b"\r\n"
            b"Subject: =?utf-8?q?R=C3=A9union?=\r\nMessage-ID: <m1@outside.test>\r\n"
            b"Thread-Index: AdQ3ZJ1c2Rk0JrKvQeqz1o7n8Vq0AA==\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour\r\n--b1\r\n"
            b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=offer.pdf\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--b1--\r\n")
    Message(account=ann, folder=ann.inbox, mime_content=mime).save()
    item = ann.inbox.get(subject="Réunion")
    assert item.message_id == "<m1@outside.test>"
    assert item.conversation_index == b"\x01\xd47d\x9d\\\xd9\x194&\xb2\xafA\xea\xb3\xd6\x8e\xe7\xf1Z\xb4\x00"
    assert item.mime_content == mime
    assert [a.name for a in item.attachments] == ["offer.pdf"]
    att = item.attachments[0]
    assert isinstance(att, FileAttachment) and att.content == b"%PDF-1.4"


def test_update_with_change_keys_and_never_overwrite_conflict(ann):
    m = Message(account=ann, folder=ann.inbox, subject="v1", body="b")
    m.save()
    stale = Message(account=ann, folder=ann.inbox, id=m.id, changekey=m.changekey, subject="v1", body="b")
    m.subject = "v2"
    m.categories = ["CRM", "Tracked"]
    m.crm_id = "{4711}"
    m.save(update_fields=["subject", "categories", "crm_id"])
    assert m.changekey != stale.changekey
    fresh = ann.inbox.get(id=m.id)
    assert (fresh.subject, fresh.categories, fresh.crm_id) == ("v2", ["CRM", "Tracked"], "{4711}")
    stale.subject = "v3"
    with pytest.raises(ErrorIrresolvableConflict):
        stale.save(update_fields=["subject"], conflict_resolution="NeverOverwrite")
    assert ann.inbox.get(id=m.id).subject == "v2"


def test_filters_exchangelib_builds(ann):
    for i, (subject, cats) in enumerate([("Alpha deal", ["CRM"]), ("beta DEAL", []), ("Gamma", ["CRM"])]):
        Message(account=ann, folder=ann.inbox, subject=subject, body=str(i), categories=cats).save()
    assert {m.subject for m in ann.inbox.filter(subject__icontains="deal")} == {"Alpha deal", "beta DEAL"}
    assert {m.subject for m in ann.inbox.filter(subject__contains="deal")} == {"Alpha deal"}
    assert {m.subject for m in ann.inbox.filter(categories__contains=["CRM"])} == {"Alpha deal", "Gamma"}
    assert {m.subject for m in ann.inbox.filter(subject__startswith="Gam")} == {"Gamma"}
    assert {m.subject for m in ann.inbox.exclude(subject="Gamma")} == {"Alpha deal", "beta DEAL"}
    assert [m.subject for m in ann.inbox.all().order_by("-subject")] == ["Gamma", "beta DEAL", "Alpha deal"]
    assert ann.inbox.filter(subject__icontains="deal").count() == 2
    assert [m.subject for m in ann.inbox.all().order_by("subject")[1:3]] == ["beta DEAL", "Gamma"]


def test_move_copy_and_delete(ann):
    clients = Folder(parent=ann.inbox, name="Clients")
    clients.save()
    m = Message(account=ann, folder=ann.inbox, subject="file me", body="x")
    m.save()
    old_id = m.id
    m.move(clients)
    assert m.id != old_id and [i.subject for i in clients.all()] == ["file me"]
    assert ann.inbox.all().count() == 0
    m.copy(ann.inbox)
    assert ann.inbox.all().count() == 1
    m.soft_delete()
    assert clients.all().count() == 0
    m2 = ann.inbox.get(subject="file me")
    m2.move_to_trash()
    assert [i.subject for i in ann.trash.all()] == ["file me"]
    ann.trash.get(subject="file me").delete()
    assert ann.trash.all().count() == 0
    with pytest.raises(ErrorItemNotFound):
        ann.inbox.get(id=old_id)


def test_attachments_added_to_saved_item(ann):
    m = Message(account=ann, folder=ann.drafts, subject="with file", body="see file")
    m.save()
    m.attach(FileAttachment(name="notes.txt", content=b"hello \xc3\xa9"))
    got = ann.drafts.get(id=m.id)
    assert got.has_attachments and got.attachments[0].content == b"hello \xc3\xa9"
    m.detach(m.attachments[0])
    assert not ann.drafts.get(id=m.id).attachments


def test_send_only_and_draft_then_send(sandbox, ann, bob):
    Message(account=ann, subject="no copy", body="x", to_recipients=[bob.primary_smtp_address]).send(save_copy=False)
    assert ann.sent.all().count() == 0
    draft = Message(account=ann, folder=ann.drafts, subject="drafted", body="y", to_recipients=[bob.primary_smtp_address])
    draft.save()
    assert ann.drafts.get(id=draft.id).is_draft is True
    draft.send()  # SendItem: the draft leaves Drafts, a copy goes to Sent Items
    assert ann.drafts.all().count() == 0
    assert [m.subject for m in ann.sent.all()] == ["drafted"]
    assert sorted(m.subject for m in bob.inbox.all()) == ["drafted", "no copy"]
    assert sandbox.requests_by_operation(ann.primary_smtp_address)["SendItem"] == 1
