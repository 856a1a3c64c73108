"""Attachments and response objects (issue 21, item 5, in part): CreateItem returns the attachments' ids;
ReplyToItem, ReplyAllToItem and ForwardItem make the messages Exchange makes."""
from __future__ import annotations

from exchangelib import FileAttachment, Mailbox, Message


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
