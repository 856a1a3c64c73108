"""Requests the sandbox must refuse without harm: DTDs and entities, non-XML, no operation."""
from __future__ import annotations

import requests

HOSTILE = b"""<?xml version="1.0"?>
<!DOCTYPE s:Envelope [<!ENTITY secret SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
  xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
<s:Body><m:ResolveNames ReturnFullContactData="true"><m:UnresolvedEntry>&secret;&b;</m:UnresolvedEntry>
</m:ResolveNames></s:Body></s:Envelope>"""


def _post(sandbox, body: bytes) -> requests.Response:
    return requests.post(sandbox.url, data=body, auth=("eve@sandbox.test", "pw"), verify=sandbox.ca_file,
                         headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=10)


def test_dtd_and_entities_are_refused_unread(sandbox):
    sandbox.add_mailbox("eve@sandbox.test", "pw")
    reply = _post(sandbox, HOSTILE)
    assert reply.status_code == 500
    assert b"ErrorSchemaValidation" in reply.content and b"DOCTYPE" in reply.content
    assert b"root:" not in reply.content and b"aaaaaaaaaa" not in reply.content


def test_garbage_and_empty_bodies_get_a_soap_fault(sandbox):
    sandbox.add_mailbox("eve@sandbox.test", "pw")
    for body in (b"not xml at all", b"<x/>", b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
                                               b"<s:Body/></s:Envelope>"):
        reply = _post(sandbox, body)
        assert reply.status_code == 500 and b"ErrorSchemaValidation" in reply.content
    assert sandbox.requests_by_operation() == {}
