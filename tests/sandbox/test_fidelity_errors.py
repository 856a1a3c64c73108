"""Failures answered as Exchange answers them (issue 21, item 1): SOAP with a ResponseCode, never a bare text 500;
malformed ids and change keys told apart from missing ones; a query the sandbox cannot evaluate is an error."""
from __future__ import annotations

import pytest
import requests
from exchangelib import Message
from exchangelib.errors import (
    ErrorInternalServerError,
    ErrorInvalidChangeKey,
    ErrorInvalidIdMalformed,
    ErrorItemNotFound,
    ErrorUnsupportedPathForSortGroup,
    ErrorUnsupportedQueryFilter,
)
from exchangelib.folders import Folder

FIND_INBOX = b"""<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
  xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
<s:Header><t:RequestServerVersion Version="Exchange2016"/></s:Header>
<s:Body><m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>
<m:ParentFolderIds><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderIds></m:FindItem></s:Body></s:Envelope>"""


def test_an_unexpected_failure_is_a_soap_error_not_a_text_500(sandbox, ann):
    ann.inbox  # noqa: B018 - warm the folder cache before the fault
    sandbox.inject("crash", operation="FindItem", times=2)
    with pytest.raises(ErrorInternalServerError):
        list(ann.inbox.all())
    reply = requests.post(sandbox.url, data=FIND_INBOX, auth=(ann.primary_smtp_address, "wrong"),
                          verify=sandbox.ca_file, timeout=10)  # a wrong password: HTTP 401, as from IIS
    assert reply.status_code == 401
    reply = requests.post(sandbox.url, data=FIND_INBOX, auth=(ann.primary_smtp_address, "ann-pw"),
                          verify=sandbox.ca_file, timeout=10)
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/xml")
    assert reply.headers.get("Connection", "").lower() != "close"
    assert b"<m:ResponseCode>ErrorInternalServerError</m:ResponseCode>" in reply.content
    assert list(ann.inbox.all()) == []  # the server goes on


def test_a_failure_before_the_operation_is_a_soap_fault_too(sandbox, ann, monkeypatch):
    def broken(self, header):
        raise RuntimeError("a failure while signing in")
    with monkeypatch.context() as patched:  # the one way to make the sign-in itself fail
        patched.setattr(type(sandbox), "_authenticate", broken)
        reply = requests.post(sandbox.url, data=FIND_INBOX, auth=(ann.primary_smtp_address, "ann-pw"),
                              verify=sandbox.ca_file, timeout=10)
    assert reply.status_code == 500 and reply.headers["Content-Type"].startswith("text/xml")
    assert b"<faultcode" in reply.content and b"ErrorInternalServerError</e:ResponseCode>" in reply.content
    assert list(ann.inbox.all()) == []  # the server goes on


def test_malformed_ids_and_change_keys(sandbox, ann):
    m = Message(account=ann, folder=ann.drafts, subject="kept", body="x")
    m.save()
    with pytest.raises(ErrorInvalidIdMalformed):
        ann.drafts.get(id="this is not an id")
    with pytest.raises(ErrorItemNotFound):  # well formed, but no such item
        ann.drafts.get(id=m.id[:-1] + ("0" if m.id[-1] != "0" else "1"))
    with pytest.raises(ErrorInvalidIdMalformed):
        Folder(root=ann.root, id="no-folder", changekey=None).refresh()
    m.changekey = "not a change key"
    m.subject = "changed"
    with pytest.raises(ErrorInvalidChangeKey):
        m.save(update_fields=["subject"])
    assert ann.drafts.get(id=m.id).subject == "kept"


def test_queries_the_sandbox_cannot_evaluate_are_errors(sandbox, ann):
    sandbox.add_message(ann.primary_smtp_address, subject="hello", body="x")
    sandbox.add_message(ann.primary_smtp_address, subject="other", body="x")
    with pytest.raises(ErrorUnsupportedQueryFilter):
        list(ann.inbox.filter("subject:hello"))
    with pytest.raises(ErrorUnsupportedPathForSortGroup):
        list(ann.contacts.all().order_by("phone_numbers__BusinessPhone"))
    assert [i.subject for i in ann.inbox.all().order_by("-subject")] == ["other", "hello"]
