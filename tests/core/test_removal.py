"""Deleting a mailbox, profile, user or queue: the consequences said first, the same ones done."""
from datetime import timedelta

import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.admin.removal import delete_record, removal_of
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.core.secrets import SecretStore
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import (
    Activity,
    Contact,
    CrmUser,
    EmailServerProfile,
    ItemMap,
    Mailbox,
    SyncFilter,
    TraceLog,
)

pytestmark = pytest.mark.every_database

EWS = "https://mail.contoso.com/EWS/Exchange.asmx"


@pytest.fixture
def org(db, tmp_path):
    secrets = SecretStore(tmp_path / "secrets.json", use_keyring=False)
    profile = admin.save_profile({"name": "Contoso", "incoming_server": EWS, "username": "svc"},
                                 password="p", secrets=secrets)
    ann = admin.add_user("Ann Lee", "ann@contoso.com")
    box = admin.save_mailbox({"name": "Ann", "email": "ann@contoso.com", "profile": profile}, owner=ann,
                             password="q", secrets=secrets)
    other = admin.add_mailbox("Bob", "bob@contoso.com", profile)
    contact = Contact.create(first_name="Carla", email="carla@fabrikam.com", owner=ann)
    ItemMap.create(mailbox=box, record_type="contact", record_id=contact.id, item_id="AAA", change_key="1",
                   content_hash="h")
    Activity.create(activity_type=codes.ActivityType.EMAIL, subject="Quote", mailbox=box, owner_user=ann)
    Activity.create(activity_type=codes.ActivityType.EMAIL, subject="Reply", mailbox=box, owner_user=ann,
                    email_status=codes.EmailStatus.PENDING_SEND)
    TraceLog.create(level=3, code="AuthenticationFailed", message="refused", mailbox=box.id, profile=profile.id,
                    collation_key="k")
    admin.copy_templates_to_user(ann)
    return secrets, profile, ann, box, other


def texts(removal):
    return [c.text() for c in removal.consequences]


def test_deleting_a_mailbox_keeps_crm_records_and_exchange_items(org):
    secrets, profile, ann, box, other = org
    removal = removal_of(box)
    assert texts(removal) == [
        "1 contacts, appointments and tasks synced with it stay in Exchange and in the CRM, no longer kept in step",
        "2 tracked emails stay in the CRM",
        "1 emails waiting to be sent from it will not be sent",
        "its history (1 trace log rows, alerts and tracking decisions) is deleted",
        "Ann Lee is left without a mailbox",
        "its stored password is deleted"]
    ref = box.secret_ref
    assert delete_record(box, secrets=secrets) == removal
    assert Mailbox.get_or_none(Mailbox.id == box.id) is None and secrets.get(ref) is None
    assert ItemMap.select().count() == 0 and TraceLog.select().count() == 0
    assert Activity.select().count() == 2 and Contact.select().count() == 1  # the CRM keeps them
    assert admin.current_mailbox_of(CrmUser.get_by_id(ann.id)) is None
    assert Mailbox.get_by_id(other.id).profile_id == profile.id


def test_deleting_a_profile_leaves_its_mailboxes_without_one(org):
    secrets, profile, _ann, box, other = org
    assert texts(removal_of(profile)) == [
        "2 mailboxes are left without a profile and stop syncing",
        "its history (1 trace log rows, alerts and tracking decisions) is deleted",
        "its stored password is deleted"]
    ref = profile.secret_ref
    delete_record(profile, secrets=secrets)
    assert EmailServerProfile.select().count() == 0 and secrets.get(ref) is None
    assert [m.profile_id for m in Mailbox.select()] == [None, None]


def test_deleting_a_user_or_queue_unlinks_what_it_owned(org):
    secrets, _profile, ann, box, other = org
    removal = removal_of(ann)
    filters = SyncFilter.select().where(SyncFilter.user == ann.id).count()
    assert filters > 0
    assert texts(removal) == ["mailbox Ann is left without an owner",
                              "3 CRM records it owns (accounts, contacts, leads, activities) are left without an owner",
                              f"its {filters} sync filters are deleted"]
    delete_record(ann, secrets=secrets)
    assert Mailbox.get_by_id(box.id).owner_user_id is None
    assert Contact.get().owner_id is None and SyncFilter.select().where(SyncFilter.user.is_null(False)).count() == 0
    queue = admin.add_queue("Support", "support@contoso.com")
    admin.map_mailbox(other, queue)
    assert removal_of(queue).text() == "Deleting queue 'Support':\n- mailbox Bob is left without an owner."
    delete_record(queue)
    assert Mailbox.get_by_id(other.id).owner_queue_id is None


def test_a_mailbox_being_synced_is_not_deleted(org):
    secrets, profile, ann, box, _other = org
    Mailbox.update(lock_host="worker-1", lock_state=1, lock_expires=utcnow() + timedelta(minutes=5)).where(
        Mailbox.id == box.id).execute()
    for record in (Mailbox.get_by_id(box.id), profile, ann):
        with pytest.raises(ValidationError, match="Ann is being synced right now"):
            delete_record(record, secrets=secrets)
    assert Mailbox.select().count() == 2 and EmailServerProfile.select().count() == 1
    assert secrets.get(profile.secret_ref) == "p"


def test_reassigning_says_what_else_follows(org):
    from crmsync_gui.core.admin.removal import reassignment_of

    _secrets, _profile, ann, box, other = org
    bob = admin.add_user("Bob Ray", "bob@contoso.com")
    admin.map_mailbox(other, bob)
    Contact.create(first_name="Dora", owner=bob)  # in Bob's default "My contacts" once he has his templates
    admin.copy_templates_to_user(bob)
    # Ann's mailbox goes to Bob: Ann is left without one, Bob's other mailbox without an owner, Ann's synced
    # contact leaves the mailbox and Bob's contact comes in
    assert [c.text() for c in reassignment_of(box, bob, act_syncs=True)] == [
        "mailbox Bob is left without an owner", "Ann Lee is left without a mailbox",
        "1 synced contacts, appointments and tasks will be removed from the mailbox",
        "1 contacts, appointments and tasks of the new owner will be created in it"]
    assert [c.code for c in reassignment_of(box, bob, act_syncs=False)] == ["mailbox_unowned", "owner_left"]
    queue = admin.add_queue("Support", "support@contoso.com")
    assert [c.text() for c in reassignment_of(box, queue, act_syncs=True)] == [
        "Ann Lee is left without a mailbox",
        "1 contacts, appointments and tasks synced with it stay in Exchange and in the CRM, no longer kept in step"]
    assert Mailbox.get_by_id(box.id).owner_user_id == ann.id  # nothing changed
