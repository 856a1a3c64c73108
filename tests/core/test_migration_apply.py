"""Applying a migration plan: one transaction, idempotent, remaps only when confirmed, no passwords."""
import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.migration import apply_plan, last_run, plan_migration
from crmsync_gui.core.store.models import CrmQueue, CrmUser, EmailServerProfile, Mailbox, MigrationRun
from tests.core.router_files import exchange_router, provider, samples, write_router

EWS = "https://mail.example.local/EWS/Exchange.asmx"
TABLES = (EmailServerProfile, Mailbox, CrmUser, CrmQueue)


def snapshot():
    return {m.__name__: sorted(m.select().dicts().order_by(m.id), key=lambda r: r["id"]) for m in TABLES}


def test_samples_apply_and_the_same_plan_twice_changes_nothing(db):
    plan = plan_migration([samples()])
    first = apply_plan(plan)
    assert (first.to_dict()["created"], first.to_dict()["updated"]) == (15, 0)
    assert dict(first.created) == {"profile": 2, "user": 5, "queue": 1, "mailbox": 7}
    after_first = snapshot()
    second = apply_plan(plan)
    assert snapshot() == after_first
    assert (second.to_dict()["created"], second.to_dict()["updated"], second.to_dict()["unchanged"]) == (0, 0, 15)
    assert MigrationRun.select().count() == 2, "each run is recorded in the history, nothing else changes"


def test_applied_samples_look_as_the_plan_said(db):
    apply_plan(plan_migration([samples()]))
    anna = CrmUser.get(CrmUser.external_id == "6f1c2a3e-1b0d-4e5a-9c11-2d7b0f6a1001")
    assert (anna.full_name, anna.email, anna.created_by_migration) == ("Anna Rossi", "anna.rossi@contoso.local", True)
    support = CrmQueue.get(CrmQueue.email == "support@contoso.local")
    assert support.created_by_migration and support.external_id == "0b9d6c1e-77aa-4c3b-8e21-5f0e2a9c2001"
    mailbox = admin.current_mailbox_of(anna)
    assert mailbox.email == "anna.rossi@contoso.local" and mailbox.profile.name == "Contoso Exchange"
    assert mailbox.approval == codes.Approval.PENDING and not mailbox.incoming_enabled
    assert admin.current_mailbox_of(support).act_method == codes.ActMethod.NONE
    orphan = Mailbox.get(Mailbox.email == "old.sales@fabrikam.local")
    assert orphan.owner is None and orphan.username == "old.sales"
    profile = EmailServerProfile.get(EmailServerProfile.name == "Fabrikam POP3/SMTP")
    assert profile.created_by_migration and profile.server_type == codes.ServerType.POP3_SMTP
    assert all(p.secret_ref is None for p in EmailServerProfile.select())


@pytest.mark.sqlite_only
def test_passwords_never_reach_the_database(db, tmp_path):
    result = apply_plan(plan_migration([samples()]))
    db.execute_sql("PRAGMA wal_checkpoint(FULL)")
    stored = (tmp_path / "crm.db").read_bytes()
    for placeholder in (b"Qm9ndXNQbGFjZWhvbGRlcjEyMw==", b"UGxhY2Vob2xkZXJQb3Ax", b"UGxhY2Vob2xkZXJTbXRw"):
        assert placeholder not in stored
    assert [c["profile"] for c in result.needs_credentials] == ["Contoso Exchange", "Fabrikam POP3/SMTP"]
    assert any("needs credentials" in line and "CONTOSO\\svc-emailrouter" in line for line in result.attention)


def test_replanning_after_apply_is_all_unchanged(db):
    apply_plan(plan_migration([samples()]))
    again = plan_migration([samples()])
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 9}
    assert again.conflicts == []


def test_remap_only_when_confirmed(db, tmp_path):
    ann = admin.add_user("Ann Lee", "ann@example.local", external_id="id-ann")
    old = admin.add_mailbox("Ann old", "ann.old@example.local")
    admin.map_mailbox(old, ann)
    plan = plan_migration([exchange_router(tmp_path / "r", EWS, [("ann@example.local", "id-ann")])])

    result = apply_plan(plan)
    new = Mailbox.get(Mailbox.email == "ann@example.local")
    assert admin.current_mailbox_of(ann).id == old.id and new.owner is None
    assert [r["email"] for r in result.not_remapped] == ["ann@example.local"]
    assert "already mapped to mailbox 'Ann old'" in result.not_remapped[0]["reason"]
    assert any("was not remapped" in line for line in result.attention)

    result = apply_plan(plan, confirm={"ann@example.local"})
    assert admin.current_mailbox_of(ann).id == new.id
    assert Mailbox.get_by_id(old.id).owner is None
    assert result.not_remapped == [] and dict(result.updated) == {"mailbox": 1}
    assert apply_plan(plan, confirm=True).to_dict()["updated"] == 0


def test_a_mailbox_owned_by_someone_else_is_not_taken_without_confirmation(db, tmp_path):
    bo = admin.add_user("Bo", "bo@example.local")
    mailbox = admin.add_mailbox("Shared", "ann@example.local")
    admin.map_mailbox(mailbox, bo)
    plan = plan_migration([exchange_router(tmp_path / "r", EWS, [("ann@example.local", "id-ann")])])
    assert "belongs to user Bo" in plan.conflicts[0].conflict
    apply_plan(plan)
    assert Mailbox.get_by_id(mailbox.id).owner_user_id == bo.id
    apply_plan(plan, confirm=True)
    assert Mailbox.get_by_id(mailbox.id).owner_user.external_id == "id-ann"


def test_a_failure_leaves_the_database_as_it_was(db, monkeypatch):
    from crmsync_gui.core.migration import apply as apply_module

    plan = plan_migration([samples()])

    def disk_went_away(*args):  # after the profiles and owners are written, before the mailboxes
        assert EmailServerProfile.select().count() == 2 and CrmUser.select().count() == 5
        raise OSError("disk went away")

    monkeypatch.setattr(apply_module, "_insert_mailboxes", disk_went_away)
    with pytest.raises(OSError):
        apply_plan(plan)
    assert [m.select().count() for m in (*TABLES, MigrationRun)] == [0, 0, 0, 0, 0]


def test_progress_is_reported_for_every_step_and_the_last_run_is_kept(db):
    steps = []
    plan = plan_migration([samples()])
    result = apply_plan(plan, progress=lambda done, total, what: steps.append((done, total, what)))
    assert [s[0] for s in steps] == list(range(1, 10)) and {s[1] for s in steps} == {9}
    assert steps[0][2] == "Profile Contoso Exchange" and steps[-1][2] == "Mailbox old.sales@fabrikam.local"
    run, data = last_run()
    assert run.id == result.run_id and data["created"] == 15 and "contoso-exchange" in run.sources


def test_owners_created_in_batches_get_the_same_defaults_as_add_user(db):
    apply_plan(plan_migration([samples() / "contoso-exchange"]))
    by_admin = admin.add_user("Someone", "someone@example.local")
    migrated = CrmUser.get(CrmUser.email == "anna.rossi@contoso.local")
    for field in ("is_disabled", "tracking_option", "token_digits"):
        assert getattr(migrated, field) == getattr(by_admin, field), field
    queue = CrmQueue.get(CrmQueue.email == "support@contoso.local")
    assert queue.tracking_option == codes.TrackingOption.ALL
    assert admin.current_mailbox_of(queue).act_enabled is False


def test_a_renamed_profile_is_found_again_on_the_next_run(db, tmp_path):
    admin.save_profile({"name": "Exchange", "incoming_server": "https://other.example.local/EWS/Exchange.asmx"})
    folder = exchange_router(tmp_path / "r", EWS, [("a@example.local", "ia")])
    apply_plan(plan_migration([folder]))
    again = plan_migration([folder])
    assert [(p.name, p.action) for p in again.profiles] == [("Exchange (Email Router)", "unchanged")]
    assert again.counts()["created"] == 0


def test_an_entry_whose_address_is_not_an_address_is_not_migrated(db, tmp_path):
    folder = exchange_router(tmp_path / "r", EWS, [("not an address", "ia"), ("b@example.local", "ib")])
    plan = plan_migration([folder])
    assert [(u.email, u.mailbox_created) for u in plan.unmapped] == [("not an address", False)]
    assert "'not an address' is not an email address" in plan.unmapped[0].reason
    result = apply_plan(plan)
    assert [m.email for m in Mailbox.select()] == ["b@example.local"]
    assert any(line.startswith("Mailbox not an address was not migrated") for line in result.attention)


def test_many_repeats_end_in_a_count(db, tmp_path):
    config = "<Configuration>" + "".join(
        provider("Pop", "Inbound", "pop3s://pop.example.local:995", cls="PopPollingMailboxProvider",
                 address=f"u{i}@example.local", user_id=f"id-{i}", user=f"u{i}") for i in range(12)) + provider(
        "Smtp", "Outbound", "smtp.example.local:587", cls="SmtpPollingSendEmailProvider", user="out") + "</Configuration>"
    result = apply_plan(plan_migration([write_router(tmp_path / "r", config)]))
    own = [line for line in result.attention if "signs in as" in line]
    assert len(own) == 10
    assert "2 more mailbox(es) sign in with their own account: enter their passwords." in result.attention
