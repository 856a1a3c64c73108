"""Acceptance for issue 21: while a full demo sync runs, every reply the EWS sandbox gives the product is one
Exchange could give: no HTTP 500 that is not a SOAP fault (clients take a bare 500 for throttling), and every
SOAP reply valid against Microsoft's schema."""
import asyncio

import pytest
from lxml import etree

from crmsync_gui.core.store.db import close_database
from crmsync_gui.sandbox import SandboxServer
from crmsync_gui.sandbox.soap import SOAP_NS
from tests.schema_check import assert_schema_valid


@pytest.fixture
def answered(monkeypatch):
    """(operation or path, HTTP status, content type, body) of every reply the sandbox gives."""
    replies: list[tuple[str, int, str, bytes]] = []
    handle = SandboxServer._handle

    async def watched(self, request):
        try:
            reply = await handle(self, request)
        except Exception as exc:  # aiohttp would answer this with a bare text 500
            replies.append((request.path, 500, "aiohttp's own", repr(exc).encode()))
            raise
        body = reply.body if hasattr(reply, "body") and isinstance(reply.body, bytes) else b""
        replies.append((request.path, reply.status, reply.content_type, body))
        return reply
    monkeypatch.setattr(SandboxServer, "_handle", watched)
    return replies


def test_a_demo_sync_gets_no_non_soap_500(answered, validator):
    from crmsync_gui.core.sync.engine import Engine
    from crmsync_gui.demo import start_demo

    demo = start_demo(mailboxes=6, items=5)
    seen: list[tuple[str, bytes, bytes]] = []
    demo.sandbox.recorder = lambda op, req, rep: seen.append((op, req, rep))

    async def cycle():
        engine = Engine(secrets=demo.secrets)
        try:
            return await engine.run_once()
        finally:
            await engine.stop()
    try:
        summary = asyncio.run(cycle())
    finally:
        close_database()
        demo.stop()
    assert summary.succeeded > 0
    assert {op for op, _req, _rep in seen} >= {"SyncFolderItems", "UpdateItem"}  # mail read and marked
    assert any(b'SendMeetingInvitations="SendToAllAndSaveCopy"' in req for op, req, _rep in seen
               if op == "CreateItem")  # the demo's CRM meeting sent as an invitation

    def soap_fault(body: bytes) -> bool:
        root = etree.fromstring(body)
        return root.tag == f"{{{SOAP_NS}}}Envelope" and root.find(f"{{{SOAP_NS}}}Body/{{{SOAP_NS}}}Fault") is not None
    bare = [(path, kind, body[:200]) for path, status, kind, body in answered
            if status == 500 and (kind != "text/xml" or not soap_fault(body))]
    assert answered and not bare, f"non-SOAP HTTP 500 replies: {bare}"
    assert_schema_valid(validator, seen)
