"""A draft made from MIME keeps its Message-ID and threading headers, and a folder's messages filter on
internetMessageId (how a client finds the email it sent, or the draft a stopped run left)."""
from __future__ import annotations

import base64
from email.message import EmailMessage


def test_a_mime_draft_keeps_its_message_id_and_is_found_by_it(client, sandbox, user):
    bob = "bob.mimedraft@sandbox.test"
    sandbox.add_mailbox(bob, "pw")
    mime = EmailMessage()
    mime["From"], mime["To"], mime["Subject"] = user, bob, "Offer CRM:0001001"
    mime["Message-ID"], mime["In-Reply-To"] = "<offer-1@sandbox.test>", "<ask@x.test>"
    mime.set_content("Our offer.")
    draft = client.call("POST", f"/users/{user}/messages", "graph.message", headers={"Content-Type": "text/plain"},
                        data=base64.b64encode(bytes(mime))).json()
    assert (draft["isDraft"], draft["internetMessageId"]) == (True, "<offer-1@sandbox.test>")
    found = client.get(f"/users/{user}/mailFolders/drafts/messages?$filter=internetMessageId eq "
                       "'<offer-1@sandbox.test>'&$select=id", "page:graph.message").json()["value"]
    assert [m["id"] for m in found] == [draft["id"]]
    assert client.get(f"/users/{user}/mailFolders/sentitems/messages?$filter=internetMessageId eq "
                      "'<offer-1@sandbox.test>'", "page:graph.message").json()["value"] == []
    assert client.call("POST", f"/users/{user}/messages/{draft['id']}/send").status_code == 202
    [delivered] = sandbox.items(bob)
    assert (delivered["message_id"], delivered["in_reply_to"]) == ("<offer-1@sandbox.test>", "<ask@x.test>")
    sent = client.get(f"/users/{user}/mailFolders/sentitems/messages?$filter=internetMessageId eq "
                      "'<offer-1@sandbox.test>'", "page:graph.message").json()["value"]
    assert len(sent) == 1 and sandbox.items(user, "drafts") == []


def test_a_draft_of_bad_base64_is_refused(client, user):
    bad = client.call("POST", f"/users/{user}/messages", headers={"Content-Type": "text/plain"}, data=b"%%%")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "ErrorMimeContentInvalidBase64String"
