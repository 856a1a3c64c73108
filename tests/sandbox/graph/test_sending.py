"""Drafts, send and sendMail (JSON and MIME): delivered into the recipients' sandbox inboxes with Message-ID,
In-Reply-To, References and custom x-headers kept, a copy in the sender's Sent Items."""
from __future__ import annotations

import base64
from email.message import EmailMessage


def _people(*addresses):
    return [{"emailAddress": {"address": a}} for a in addresses]


def test_send_mail_as_json_delivers_with_custom_headers(client, sandbox, user):
    bob = "bob.graph@sandbox.test"
    sandbox.add_mailbox(bob, "pw")
    message = {"subject": "Proposal", "body": {"contentType": "text", "content": "See attached terms."},
               "toRecipients": _people(bob), "bccRecipients": _people("audit@sandbox.test"),
               "internetMessageId": "<proposal-7@sandbox.test>",
               "internetMessageHeaders": [{"name": "x-crm-tracking", "value": "CRM:0042"}]}
    sent = client.call("POST", f"/users/{user}/sendMail", None, {"message": message, "saveToSentItems": True},
                       sends="action:sendMail@graph.user")
    assert sent.status_code == 202 and sent.content == b""
    [delivered] = sandbox.items(bob)
    assert (delivered["subject"], delivered["message_id"], delivered["from"]) == (
        "Proposal", "<proposal-7@sandbox.test>", [user])
    headers = client.get(f"/users/{bob}/messages/{delivered['id']}?$select=internetMessageHeaders",
                         "graph.message").json()["internetMessageHeaders"]
    assert {"name": "x-crm-tracking", "value": "CRM:0042"} in headers
    assert not any(h["name"].lower() == "bcc" for h in headers)
    assert [m["message_id"] for m in sandbox.items(user, "sentitems")] == ["<proposal-7@sandbox.test>"]


def test_send_mail_as_mime_keeps_threading_headers(client, sandbox, user):
    bob = "bob.mime@sandbox.test"
    sandbox.add_mailbox(bob, "pw")
    mime = EmailMessage()
    mime["From"], mime["To"], mime["Subject"] = user, bob, "Re: Quote"
    mime["Message-ID"], mime["In-Reply-To"] = "<re-quote@sandbox.test>", "<quote@x.test>"
    mime["References"], mime["X-Crm-Case"] = "<ask@x.test> <quote@x.test>", "CAS-1"
    mime.set_content("Agreed.")
    sent = client.call("POST", f"/users/{user}/sendMail", headers={"Content-Type": "text/plain"},
                       data=base64.b64encode(bytes(mime)))
    assert sent.status_code == 202
    [delivered] = sandbox.items(bob)
    assert (delivered["message_id"], delivered["in_reply_to"], delivered["references"]) == (
        "<re-quote@sandbox.test>", "<quote@x.test>", "<ask@x.test> <quote@x.test>")
    assert b"X-Crm-Case: CAS-1" in sandbox.mime(bob, delivered["id"])
    bad = client.call("POST", f"/users/{user}/sendMail", headers={"Content-Type": "text/plain"}, data=b"%%%")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "ErrorMimeContentInvalidBase64String"


def test_a_draft_is_created_then_sent(client, sandbox, user):
    bob = "bob.draft@sandbox.test"
    sandbox.add_mailbox(bob, "pw")
    draft = client.call("POST", f"/users/{user}/messages", "graph.message",
                        {"subject": "Draft", "toRecipients": _people(bob)}).json()
    assert draft["isDraft"] is True
    assert [m["subject"] for m in sandbox.items(user, "drafts")] == ["Draft"]
    assert client.call("POST", f"/users/{user}/messages/{draft['id']}/send").status_code == 202
    assert sandbox.items(user, "drafts") == []
    assert [m["message_id"] for m in sandbox.items(bob)] == [draft["internetMessageId"]]
    again = client.call("POST", f"/users/{user}/messages/{draft['id']}/send")
    assert again.status_code == 404


def test_a_message_without_recipients_is_refused(client, user):
    reply = client.call("POST", f"/users/{user}/sendMail", None, {"message": {"subject": "nobody"}},
                        sends="action:sendMail@graph.user")
    assert reply.status_code == 400 and reply.json()["error"]["code"] == "ErrorInvalidRecipients"
