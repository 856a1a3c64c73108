"""Attachments and response objects (issue 21, item 5, in part): CreateItem returns the attachments' ids;
an email attached to an email (ItemAttachment); ReplyToItem, ReplyAllToItem and ForwardItem make the messages
Exchange makes."""
from __future__ import annotations

import email
import email.policy

from exchangelib import FileAttachment, ItemAttachment, Mailbox, Message


def test_create_item_returns_attachment_ids(ann):
    draft = Message(account=ann, folder=ann.drafts, subject="offer", body="see the file",
                    attachments=[FileAttachment(name="offer.pdf", content=b"%PDF-1.4 offer")])
    draft.save()
    attachment_id = draft.attachments[0].attachment_id
    assert attachment_id is not None and attachment_id.root_id == draft.id
    stored = ann.drafts.get(id=draft.id).attachments[0]
    assert stored.attachment_id.id == attachment_id.id and stored.content == b"%PDF-1.4 offer"


def test_reply_reply_all_and_forward(sandbox, ann, bob):
    carl = "carl@fabrikam.com"  # outside the sandbox: delivered nowhere
    Message(account=bob, folder=bob.sent, subject="Quote", body="the numbers", to_recipients=[ann.primary_smtp_address],
            cc_recipients=[carl], attachments=[FileAttachment(name="q.txt", content=b"42")]).send_and_save()
    received = ann.inbox.get(subject="Quote")
    received.reply(subject="RE: Quote", body="thanks")
    answer = bob.inbox.get(subject="RE: Quote")
    assert answer.in_reply_to == received.message_id and received.message_id in answer.references
    assert [r.email_address for r in answer.to_recipients] == [bob.primary_smtp_address]
    assert answer.body.startswith("thanks") and "the numbers" in answer.body and not answer.attachments

    received.reply_all(subject="RE: Quote (all)", body="all of you")
    everyone = bob.inbox.get(subject="RE: Quote (all)")
    assert [r.email_address for r in everyone.to_recipients] == [bob.primary_smtp_address]
    assert [r.email_address for r in everyone.cc_recipients] == [carl]

    received.forward(subject="FW: Quote", body="for you", to_recipients=[Mailbox(email_address=bob.primary_smtp_address)])
    forwarded = bob.inbox.get(subject="FW: Quote")
    assert [a.name for a in forwarded.attachments] == ["q.txt"] and forwarded.attachments[0].content == b"42"
    assert ann.sent.filter(subject__startswith="RE: Quote").count() == 2  # copies kept, as Outlook's are


def test_a_reply_to_a_long_subject_keeps_255_characters(ann, bob):
    Message(account=bob, folder=bob.sent, subject="s" * 255, body="long", to_recipients=[ann.primary_smtp_address]
            ).send_and_save()
    ann.inbox.get(subject="s" * 255).reply(subject=None, body="short answer")  # Exchange writes "RE: " + subject
    [answer] = bob.inbox.all()
    assert answer.subject == ("RE: " + "s" * 255)[:255]


def test_an_email_attached_to_an_email(sandbox, ann, bob):
    original = Message(account=ann, folder=ann.drafts, subject="Original offer", body="the first numbers",
                       to_recipients=[bob.primary_smtp_address],
                       attachments=[FileAttachment(name="offer.pdf", content=b"%PDF-1.4 first")])
    attached = ItemAttachment(name="Original offer", item=original)
    carrier = Message(account=ann, folder=ann.drafts, subject="FW: see below", body="as discussed",
                      to_recipients=[bob.primary_smtp_address], attachments=[attached])
    carrier.save()
    assert attached.attachment_id is not None and attached.attachment_id.root_id == carrier.id  # CreateItem's ids

    stored = ann.drafts.get(id=carrier.id)
    assert stored.has_attachments and [type(a).__name__ for a in stored.attachments] == ["ItemAttachment"]
    inner = stored.attachments[0].item  # GetAttachment: the attached email itself
    assert (inner.subject, inner.body, [r.email_address for r in inner.to_recipients]) == (
        "Original offer", "the first numbers", [bob.primary_smtp_address])
    assert [(a.name, a.content) for a in inner.attachments] == [("offer.pdf", b"%PDF-1.4 first")]

    stored.send()  # the recipient gets it as one message/rfc822 part of the MIME, read back as an item attachment
    received = bob.inbox.get(subject="FW: see below")
    assert [a.item.subject for a in received.attachments] == ["Original offer"]
    assert received.attachments[0].item.attachments[0].content == b"%PDF-1.4 first"  # its own file, bob's now
    mime = email.message_from_bytes(received.mime_content, policy=email.policy.default)
    [part] = list(mime.iter_attachments())
    assert part.get_content_type() == "message/rfc822" and part.get_content()["Subject"] == "Original offer"

    note = ItemAttachment(name="a note", item=Message(account=bob, subject="filed note", body="x"))
    received.attach(note)  # CreateAttachment on an existing item
    assert sorted(a.name for a in bob.inbox.get(id=received.id).attachments) == ["Original offer", "a note"]
    received.detach(note)  # DeleteAttachment
    assert [a.name for a in bob.inbox.get(id=received.id).attachments] == ["Original offer"]


def test_an_email_with_an_attached_email_in_its_mime_has_an_item_attachment(sandbox, ann):
    inner = email.message.EmailMessage()
    inner["Subject"], inner["From"] = "the forwarded one", "carl@fabrikam.com"
    inner.set_content("inner text")
    outer = email.message.EmailMessage()
    outer["Subject"], outer["From"] = "with an email inside", "carl@fabrikam.com"
    outer.set_content("outer text")
    outer.add_attachment(inner, filename="forwarded.eml")
    sandbox.add_message(ann.primary_smtp_address, mime=outer.as_bytes())
    [attachment] = ann.inbox.get(subject="with an email inside").attachments
    assert isinstance(attachment, ItemAttachment) and attachment.name == "forwarded.eml"
    assert (attachment.item.subject, attachment.item.body.strip()) == ("the forwarded one", "inner text")


def test_a_copied_item_has_attachments_of_its_own(ann):
    draft = Message(account=ann, folder=ann.drafts, subject="with a file", body="x",
                    attachments=[FileAttachment(name="a.txt", content=b"a")])
    draft.save()
    copied = ann.inbox.get(id=draft.copy(to_folder=ann.inbox)[0])
    copied.detach(copied.attachments[0])
    assert [a.name for a in ann.drafts.get(id=draft.id).attachments] == ["a.txt"]
    assert ann.inbox.get(id=copied.id).attachments == []
