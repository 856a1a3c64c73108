"""Planning an Email Router migration: profiles merged, owners found or created, the rest reported."""
from crmsync_gui.core import admin, codes
from crmsync_gui.core.migration import plan_migration
from crmsync_gui.core.store.models import CrmQueue, CrmUser, EmailServerProfile, Mailbox
from tests.core.router_files import exchange_router, provider, samples, write_router

EWS = "https://mail.example.local/EWS/Exchange.asmx"


def test_samples_merge_each_servers_incoming_and_outgoing_profiles(db):
    plan = plan_migration([samples() / "contoso-exchange", samples() / "fabrikam-pop3"])
    profiles = {p.name: p for p in plan.profiles}
    assert list(profiles) == ["Contoso Exchange", "Fabrikam POP3/SMTP"]
    contoso, fabrikam = profiles["Contoso Exchange"], profiles["Fabrikam POP3/SMTP"]
    assert contoso.server_type == codes.ServerType.EXCHANGE and contoso.sends_email
    assert contoso.incoming_server == "https://mail.contoso.local/EWS/Exchange.asmx"
    assert contoso.auth_type == codes.AuthType.NEGOTIATE
    assert contoso.username == "CONTOSO\\svc-emailrouter"  # one service account: the profile impersonates
    assert contoso.sources == ["contoso-exchange: Contoso Exchange (incoming)",
                               "contoso-exchange: Contoso Exchange (outgoing)"]
    assert fabrikam.server_type == codes.ServerType.POP3_SMTP
    assert (fabrikam.incoming_server, fabrikam.outgoing_server) == ("pop.fabrikam.local:995",
                                                                    "smtp.fabrikam.local:587")
    assert fabrikam.incoming_use_ssl and fabrikam.outgoing_use_ssl
    # SSL on SMTP's 587 is STARTTLS (all the router's .NET SmtpClient could do); on POP3's 995 it is SSL at once
    assert (fabrikam.incoming_starttls, fabrikam.outgoing_starttls) == (False, True)
    assert fabrikam.username is None and fabrikam.accounts == ["crm-outbound"]
    assert [p.name for p in plan.profiles if p.needs_credentials] == ["Contoso Exchange", "Fabrikam POP3/SMTP"]
    assert all(p.action == "create" for p in plan.profiles)
    # the router's earliest last poll of the profile's mailboxes: older mail was handled by the router
    assert contoso.process_email_from.isoformat() == "2026-10-28T22:40:00"


def test_samples_map_each_mailbox_and_say_which_have_no_owner(db):
    plan = plan_migration([samples()])
    owners = {m.email: (m.owner.kind, m.owner.action, m.owner.external_id) if m.owner else None
              for m in plan.mailboxes}
    assert owners == {
        "anna.rossi@contoso.local": ("user", "create", "6f1c2a3e-1b0d-4e5a-9c11-2d7b0f6a1001"),
        "marco.bianchi@contoso.local": ("user", "create", "6f1c2a3e-1b0d-4e5a-9c11-2d7b0f6a1002"),
        "giulia.verdi@contoso.local": ("user", "create", "6f1c2a3e-1b0d-4e5a-9c11-2d7b0f6a1003"),
        "support@contoso.local": ("queue", "create", "0b9d6c1e-77aa-4c3b-8e21-5f0e2a9c2001"),
        "luca.neri@fabrikam.local": ("user", "create", "a2e0c3d4-5b6f-4a1b-8c9d-0e1f2a3b4001"),
        "sara.galli@fabrikam.local": ("user", "create", "a2e0c3d4-5b6f-4a1b-8c9d-0e1f2a3b4002"),
        "old.sales@fabrikam.local": None,
    }
    assert [(u.email, u.mailbox_created) for u in plan.unmapped] == [("old.sales@fabrikam.local", True)]
    assert "no user or queue has the address old.sales@fabrikam.local" in plan.unmapped[0].reason
    assert "ProviderConfiguration #3" in plan.unmapped[0].where
    giulia = next(m for m in plan.mailboxes if m.email.startswith("giulia"))
    assert "401" in giulia.router_last_error
    luca = next(m for m in plan.mailboxes if m.email.startswith("luca"))
    assert luca.username == "luca.neri" and luca.incoming and luca.outgoing
    assert plan.counts() == {"created": 15, "updated": 0, "unchanged": 0}
    assert plan.settings["contoso-exchange"]["ProviderOverrides/MaximumDeliveryAttempts"]["value"] == "10"
    assert plan.warnings == [] and plan.unknown_elements == []


def test_planning_writes_nothing(db):
    plan_migration([samples()])
    counts = [m.select().count() for m in (EmailServerProfile, Mailbox, CrmUser, CrmQueue)]
    assert counts == [0, 0, 0, 0]


def test_owners_found_by_id_or_by_address(db, tmp_path):
    known = admin.add_user("Ann Lee", "ann@example.local", external_id="id-ann")
    by_address = admin.add_user("Bo Berg", "bo@example.local")
    admin.add_queue("Help", "help@example.local")
    folder = exchange_router(tmp_path / "r", mailboxes=[("ann@example.local", "id-ann"), ("bo@example.local", "id-bo"),
                                                        ("help@example.local", "")])
    plan = plan_migration([folder])
    owners = {m.email: (m.owner.kind, m.owner.action, m.owner.row_id) for m in plan.mailboxes}
    assert owners == {"ann@example.local": ("user", "existing", known.id),
                      "bo@example.local": ("user", "link", by_address.id),
                      "help@example.local": ("queue", "existing", CrmQueue.get().id)}
    assert plan.unmapped == []


def test_entries_with_no_clear_owner_are_unmapped_with_the_reason(db, tmp_path):
    admin.add_user("Ann Lee", "ann@example.local", external_id="id-other")
    admin.add_user("Both", "both@example.local")
    admin.add_queue("Both", "both@example.local")
    config = ("<Configuration>"
              + provider("X", "Inbound", EWS, address="ann@example.local", user_id="id-ann")
              + provider("X", "Inbound", EWS, address="two@example.local", user_id="u", queue_id="q")
              + provider("X", "Inbound", EWS, address="both@example.local")
              + provider("X", "Inbound", EWS, address="dup1@example.local", user_id="id-dup")
              + provider("X", "Inbound", EWS, address="dup2@example.local", user_id="id-dup")
              + "</Configuration>")
    plan = plan_migration([write_router(tmp_path / "r", config)])
    reasons = {u.email: u.reason for u in plan.unmapped}
    assert set(reasons) == {"ann@example.local", "two@example.local", "both@example.local", "dup2@example.local"}
    assert "has another id (id-other)" in reasons["ann@example.local"]
    assert "names both a user (u) and a queue (q)" in reasons["two@example.local"]
    assert "1 user(s) and 1 queue(s) have the address" in reasons["both@example.local"]
    assert "already given the mailbox dup1@example.local" in reasons["dup2@example.local"]


def test_unknown_elements_are_reported_and_the_rest_imported(db, tmp_path):
    folder = exchange_router(
        tmp_path / "r", mailboxes=[("a@example.local", "id-a"), ("b@example.local", "id-b")],
        settings="<MaxThreads>5</MaxThreads><FutureKnob>1</FutureKnob><ProviderOverrides><Turbo>on</Turbo>"
                 "</ProviderOverrides>",
        extra="<Telemetry><Endpoint>x</Endpoint></Telemetry>")
    config = (folder / "Microsoft.Crm.Tools.EmailAgent.xml").read_text()
    config = config.replace("<EmailAuthMode>", "<Colour>blue</Colour><EmailAuthMode>")
    (folder / "Microsoft.Crm.Tools.EmailAgent.xml").write_text(config)
    plan = plan_migration([folder])
    unknown = {u["element"]: u["count"] for u in plan.unknown_elements}
    assert unknown == {
        "Microsoft.Crm.Tools.EmailAgent.xml: <SystemConfiguration>/<FutureKnob>": 1,
        "Microsoft.Crm.Tools.EmailAgent.xml: <SystemConfiguration>/<ProviderOverrides>/<Turbo>": 1,
        "Microsoft.Crm.Tools.EmailAgent.xml: <Configuration>/<Telemetry>": 1,
        "Microsoft.Crm.Tools.EmailAgent.xml: <ProviderConfiguration>/<Colour>": 3,
    }
    assert [m.email for m in plan.mailboxes] == ["a@example.local", "b@example.local"]
    assert plan.settings["r"]["MaxThreads"]["value"] == "5"
    assert any("6 element(s) the migration does not know were ignored" in w for w in plan.warnings)


def test_missing_optional_elements(db, tmp_path):
    no_name = provider("", "Inbound", EWS, address="a@example.local", user_id="id-a")
    no_direction = provider("Ex", "", EWS, cls="ExchangePollingSendEmailProvider")
    no_server = provider("Ex", "Inbound", "", address="c@example.local")
    config = f"<Configuration>{no_name}{no_direction}{no_server}</Configuration>"
    plan = plan_migration([write_router(tmp_path / "r", config)])
    assert [p.name for p in plan.profiles] == ["mail.example.local (incoming) + Ex"]
    assert plan.profiles[0].sends_email, "the provider class says it sends email"
    assert any("has no <ProfileName>" in w for w in plan.warnings)
    assert any("ProviderConfiguration #3: skipped, since it has no <EmailServerUrl>" in w for w in plan.warnings)
    assert [m.email for m in plan.mailboxes] == ["a@example.local"]


def test_an_unreadable_server_address_skips_its_entry_with_the_reason(db, tmp_path):
    # found by bench/hostile_mail.py: each was a ValueError traceback out of urllib
    good = provider("Ex", "Inbound", EWS, address="a@example.local", user_id="id-a")
    bad = [provider("P", "Inbound", "pop3s://pop.example.local:99999", cls="PopPollingMailboxProvider"),
           provider("I", "Inbound", 'imap.example.local:"', cls="ImapPollingMailboxProvider"),
           provider("E", "Inbound", "https://[::1/EWS/Exchange.asmx", address="b@example.local")]
    plan = plan_migration([write_router(tmp_path / "r", f"<Configuration>{good}{''.join(bad)}</Configuration>")])
    assert [p.name for p in plan.profiles] == ["Ex"] and [m.email for m in plan.mailboxes] == ["a@example.local"]
    skipped = [w for w in plan.warnings if "is not a readable server address" in w]
    assert [w.split(":")[0].rsplit("#", 1)[1] for w in skipped] == ["2", "3", "4"]
    assert "pop3s://pop.example.local:99999" in skipped[0] and "\n" not in "".join(skipped)


def test_duplicate_profile_names_across_and_within_routers(db, tmp_path):
    a = exchange_router(tmp_path / "a", "https://one.example.local/EWS/Exchange.asmx", [("a@example.local", "ia")])
    b = exchange_router(tmp_path / "b", "https://two.example.local/EWS/Exchange.asmx", [("b@example.local", "ib")])
    plan = plan_migration([a, b])
    assert [p.name for p in plan.profiles] == ["Exchange", "Exchange (b)"]
    assert {m.email: m.profile for m in plan.mailboxes} == {"a@example.local": "Exchange",
                                                            "b@example.local": "Exchange (b)"}
    assert any("Two profiles are named 'Exchange'" in w for w in plan.warnings)

    config = ("<Configuration>"
              + provider("Same", "Inbound", "https://one.example.local/EWS/Exchange.asmx", address="x@example.local")
              + provider("Same", "Inbound", "https://two.example.local/EWS/Exchange.asmx", address="y@example.local")
              + "</Configuration>")
    plan = plan_migration([write_router(tmp_path / "c", config)])
    assert [p.name for p in plan.profiles] == ["Same", "Same (c)"]
    assert any("the profile name 'Same' is used for two servers" in w for w in plan.warnings)


def test_one_server_in_two_routers_is_one_profile(db, tmp_path):
    a = exchange_router(tmp_path / "a", EWS, [("a@example.local", "ia")])
    b = exchange_router(tmp_path / "b", EWS, [("b@example.local", "ib")], name="Other")
    plan = plan_migration([a, b])
    assert len(plan.profiles) == 1 and len(plan.profiles[0].sources) == 4
    assert {m.profile for m in plan.mailboxes} == {plan.profiles[0].name}


def test_an_existing_profile_for_another_server_is_not_taken_over(db, tmp_path):
    admin.save_profile({"name": "Exchange", "incoming_server": "https://other.example.local/EWS/Exchange.asmx"})
    plan = plan_migration([exchange_router(tmp_path / "r", EWS, [("a@example.local", "ia")])])
    assert [(p.name, p.action) for p in plan.profiles] == [("Exchange (Email Router)", "create")]
    assert plan.mailboxes[0].profile == "Exchange (Email Router)"


def test_pop3_without_smtp_cannot_become_a_profile(db, tmp_path):
    config = ("<Configuration>" + provider("Pop", "Inbound", "pop3s://pop.example.local:995",
                                           cls="PopPollingMailboxProvider", address="a@example.local")
              + "</Configuration>")
    plan = plan_migration([write_router(tmp_path / "r", config)])
    assert plan.profiles[0].action == "skip" and "need an SMTP server" in plan.profiles[0].problem
    assert [(u.email, u.mailbox_created) for u in plan.unmapped] == [("a@example.local", False)]
    assert plan.mailboxes == []


def test_a_user_who_has_another_mailbox_is_a_conflict(db, tmp_path):
    ann = admin.add_user("Ann Lee", "ann@example.local", external_id="id-ann")
    old = admin.add_mailbox("Ann old", "ann.old@example.local")
    admin.map_mailbox(old, ann)
    plan = plan_migration([exchange_router(tmp_path / "r", EWS, [("ann@example.local", "id-ann")])])
    assert [m.email for m in plan.conflicts] == ["ann@example.local"]
    assert "already has the mailbox 'Ann old' <ann.old@example.local>" in plan.conflicts[0].conflict
