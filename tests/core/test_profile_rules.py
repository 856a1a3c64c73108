import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmsync_gui.core.domain.profile import validate_profile

EWS = "https://mail.contoso.com/EWS/Exchange.asmx"


def valid(**overrides):
    return {"name": "Contoso", "server_type": 0, "incoming_server": EWS} | overrides


def test_a_valid_exchange_profile_has_no_problems():
    assert validate_profile(valid()) == {}


@given(st.integers(min_value=-1000, max_value=1000))
def test_max_connections_bounds(n):
    problems = validate_profile(valid(max_concurrent_connections=n))
    assert ("max_concurrent_connections" in problems) == (not 1 <= n <= 300)


@given(st.integers(min_value=-10, max_value=3000))
def test_min_polling_bounds(n):
    problems = validate_profile(valid(min_polling_interval_minutes=n))
    assert ("min_polling_interval_minutes" in problems) == (not 0 <= n <= 1440)


def test_timeout_over_100000_ms_is_refused_with_a_readable_reason():
    problems = validate_profile(valid(timeout_ms=150_000))
    assert problems["timeout_ms"] == ("the request timeout, in milliseconds must be between 1 and 100,000; "
                                      "150,000 is out of range")
    assert validate_profile(valid(timeout_ms=100_000)) == {}
    assert "timeout_ms" not in validate_profile(valid(timeout_enabled=False, timeout_ms=150_000))


@pytest.mark.parametrize("fields, field, words", [
    (valid(name=" "), "name", "needs a name"),
    (valid(server_type=9), "server_type", "choose one of"),
    (valid(incoming_server="mail.contoso.com"), "incoming_server", "not an EWS URL"),
    (valid(incoming_server="http://mail/EWS/Exchange.asmx"), "incoming_server", "SSL is on"),
    (valid(server_type=1, incoming_server="pop.contoso.com:995"), "outgoing_server", "need an SMTP server"),
    (valid(server_type=4, incoming_server="imap host", outgoing_server="smtp"), "incoming_server", "host name"),
    (valid(max_concurrent_connections="ten"), "max_concurrent_connections", "whole number"),
])
def test_problems_name_the_field_and_say_why(fields, field, words):
    problems = validate_profile(fields)
    assert field in problems and words in problems[field]


def test_server_type_by_name():
    assert validate_profile(valid(server_type="imap/smtp", incoming_server="imap.contoso.com:993",
                                  outgoing_server="smtp.contoso.com:465")) == {}


@pytest.mark.parametrize("more, field, words", [
    (dict(incoming_server="imap.contoso.com:993", incoming_starttls=True), "incoming_starttls",
     "port 993 is the IMAP SSL port"),
    (dict(incoming_server="imap.contoso.com:993", incoming_use_ssl=False), "incoming_use_ssl", "turn Use SSL on"),
    (dict(incoming_server="imap.contoso.com:143"), "incoming_starttls", "turn STARTTLS on"),
    (dict(outgoing_server="smtp.contoso.com:587"), "outgoing_starttls", "port 587 takes a plain connection"),
    (dict(outgoing_server="smtp.contoso.com:465", outgoing_starttls=True), "outgoing_starttls", "use port 25 or 587"),
])
def test_a_well_known_port_that_contradicts_ssl_or_starttls(more, field, words):
    fields = valid(server_type="imap/smtp", incoming_server="imap.contoso.com:993",
                   outgoing_server="smtp.contoso.com:465") | more
    problems = validate_profile(fields)
    assert list(problems) == [field] and words in problems[field]


@pytest.mark.parametrize("more", [
    dict(incoming_server="imap.contoso.com:143", incoming_starttls=True),
    dict(incoming_server="imap.contoso.com:143", incoming_use_ssl=False),
    dict(outgoing_server="smtp.contoso.com:587", outgoing_starttls=True),
    dict(outgoing_server="smtp.contoso.com:25", outgoing_use_ssl=False),
    dict(incoming_server="imap.contoso.com:10993", incoming_starttls=True),  # a port we know nothing of
    dict(incoming_server="imap.contoso.com"),  # no port: the connector picks the one that fits
])
def test_ports_that_fit_their_security_pass(more):
    fields = valid(server_type="imap/smtp", incoming_server="imap.contoso.com:993",
                   outgoing_server="smtp.contoso.com:465") | more
    assert validate_profile(fields) == {}


@pytest.mark.parametrize("server_type, refused", [(0, False), (1, True), (4, False)], ids=["exchange", "pop3", "imap"])
def test_undeliverable_folder_needs_folders(server_type, refused):
    server = EWS if server_type == 0 else "mail.contoso.com"
    fields = valid(server_type=server_type, incoming_server=server, outgoing_server="smtp.contoso.com",
                   move_failed_to_undeliverable=True)
    problems = validate_profile(fields)
    assert ("POP3 has no folders" in problems.get("move_failed_to_undeliverable", "")) == refused
    assert validate_profile(fields | {"move_failed_to_undeliverable": False}) == {}


@pytest.mark.parametrize("overrides, field, words", [
    ({}, None, None),
    ({"oauth_tenant": "https://login.example.test/t/oauth2/v2.0/token"}, None, None),
    ({"oauth_tenant": " "}, "oauth_tenant", "give the tenant ID"),
    ({"oauth_tenant": "http://login.example.test/token"}, "oauth_tenant", "must start with https://"),
    ({"oauth_tenant": "contoso onmicrosoft"}, "oauth_tenant", "not a tenant ID"),
    ({"username": ""}, "username", "application (client) ID"),
    ({"server_type": 4, "incoming_server": "imap.contoso.com", "outgoing_server": "smtp.contoso.com"},
     "auth_type", "Exchange only"),
], ids=["tenant", "token-url", "no-tenant", "http", "spaces", "no-client-id", "imap"])
def test_oauth_needs_a_tenant_and_a_client_id(overrides, field, words):
    fields = valid(auth_type="oauth", oauth_tenant="contoso.onmicrosoft.com", username="0b7c-app-id") | overrides
    problems = validate_profile(fields)
    if field is None:
        assert problems == {}
    else:
        assert list(problems) == [field] and words in problems[field]
