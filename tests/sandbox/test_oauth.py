"""The sandbox's OAuth 2.0 token endpoint (client credentials) and bearer tokens on EWS."""
from __future__ import annotations

import requests

from crmsync_gui.sandbox.oauth import SCOPE

GET_INBOX = """<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
  xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
<s:Header><t:RequestServerVersion Version="Exchange2016"/>{impersonation}</s:Header>
<s:Body><m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>
<m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder></s:Body></s:Envelope>"""
IMPERSONATE = ("<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>{}</t:PrimarySmtpAddress>"
               "</t:ConnectingSID></t:ExchangeImpersonation>")


def _token(sandbox, url, **form):
    data = {"grant_type": "client_credentials", "client_id": "app", "client_secret": "s3cret", "scope": SCOPE} | form
    return requests.post(url, data=data, verify=sandbox.ca_file, timeout=10)


def _ews(sandbox, token, impersonate=None):
    body = GET_INBOX.format(impersonation=IMPERSONATE.format(impersonate) if impersonate else "")
    return requests.post(sandbox.url, data=body.encode(), verify=sandbox.ca_file, timeout=10,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "text/xml; charset=utf-8"})


def test_token_endpoint_answers_as_rfc_6749_says(sandbox):
    url = sandbox.add_app("app", "s3cret", tenant="contoso.test")
    cases = [({"grant_type": "password"}, 400, "unsupported_grant_type"),
             ({"client_secret": "nope"}, 401, "invalid_client"),
             ({"client_secret": ""}, 400, "invalid_request"),
             ({"scope": "https://graph.microsoft.com/.default"}, 400, "invalid_scope")]
    for form, status, error in cases:
        reply = _token(sandbox, url, **form)
        assert (reply.status_code, reply.json()["error"]) == (status, error), form
    wrong_tenant = _token(sandbox, url.replace("contoso.test", "fabrikam.test"))
    assert wrong_tenant.status_code == 401
    good = _token(sandbox, url)
    assert good.status_code == 200 and good.headers["Cache-Control"] == "no-store"
    assert good.json()["token_type"] == "Bearer" and good.json()["expires_in"] == 3600
    assert sandbox.oauth.issued == 1


def test_a_bearer_token_acts_for_the_mailbox_it_impersonates_and_only_so(sandbox, validator):
    sandbox.add_mailbox("ann@sandbox.test", "pw")
    token = _token(sandbox, sandbox.add_app("app", "s3cret")).json()["access_token"]
    ok = _ews(sandbox, token, impersonate="ann@sandbox.test")
    assert ok.status_code == 200 and b'ResponseClass="Success"' in ok.content
    assert sandbox.requests_by_operation("ann@sandbox.test") == {"GetFolder": 1}

    alone = _ews(sandbox, token)
    assert alone.status_code == 500 and b"ErrorInvalidExchangeImpersonationHeaderData" in alone.content
    nobody = _ews(sandbox, token, impersonate="nobody@sandbox.test")
    assert nobody.status_code == 500 and b"ErrorNonExistentMailbox" in nobody.content
    if validator is not None:
        assert validator.validate(alone.content) == [] and validator.validate(nobody.content) == []

    forged = _ews(sandbox, token + "x", impersonate="ann@sandbox.test")
    assert forged.status_code == 401 and 'error="invalid_token"' in forged.headers["WWW-Authenticate"]


def test_an_expired_token_is_refused(sandbox):
    sandbox.add_mailbox("ann@sandbox.test", "pw")
    sandbox.oauth.lifetime_s = 0
    token = _token(sandbox, sandbox.add_app("app", "s3cret")).json()["access_token"]
    assert _ews(sandbox, token, impersonate="ann@sandbox.test").status_code == 401
