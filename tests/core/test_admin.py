import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.domain.mailbox import may_sync, sync_blockers
from crmsync_gui.core.errors import MappingConflict, NotFound, ValidationError
from crmsync_gui.core.store.models import Mailbox

pytestmark = pytest.mark.every_database  # the same tests on SQLite and PostgreSQL

EWS = "https://mail.contoso.com/EWS/Exchange.asmx"


@pytest.fixture
def setup(db):
    profile = admin.save_profile({"name": "Contoso", "incoming_server": EWS})
    ann = admin.add_user("Ann Lee", "ann@contoso.com")
    support = admin.add_queue("Support", "support@contoso.com")
    first = admin.add_mailbox("Ann", "ann@contoso.com", profile)
    second = admin.add_mailbox("Ann (new)", "ann.lee@contoso.com", profile)
    return profile, ann, support, first, second


def test_mapping_a_user_with_no_mailbox(setup):
    _, ann, _, first, _ = setup
    admin.map_mailbox(first, ann)
    assert Mailbox.get_by_id(first.id).owner_user_id == ann.id


def test_reassign_without_confirm_names_the_current_mailbox_and_changes_nothing(setup):
    _, ann, _, first, second = setup
    admin.map_mailbox(first, ann)
    with pytest.raises(MappingConflict) as err:
        admin.map_mailbox(second, ann)
    assert err.value.current_mailbox == "Ann"
    assert "'Ann'" in str(err.value) and "'Ann (new)'" in str(err.value)
    assert Mailbox.get_by_id(first.id).owner_user_id == ann.id
    assert Mailbox.get_by_id(second.id).owner_user_id is None


def test_reassign_with_confirm_breaks_the_old_mapping(setup):
    _, ann, _, first, second = setup
    admin.map_mailbox(first, ann)
    admin.map_mailbox(second, ann, confirm=True)
    assert Mailbox.get_by_id(first.id).owner_user_id is None
    assert Mailbox.get_by_id(second.id).owner_user_id == ann.id


def test_a_mailbox_has_one_owner_user_or_queue(setup):
    _, ann, support, first, _ = setup
    admin.map_mailbox(first, ann)
    admin.map_mailbox(first, support)
    row = Mailbox.get_by_id(first.id)
    assert (row.owner_user_id, row.owner_queue_id) == (None, support.id)
    assert row.act_method == codes.ActMethod.NONE, "a queue mailbox syncs email only"


def test_queue_reassign_needs_confirm_too(setup):
    _, _, support, first, second = setup
    admin.map_mailbox(first, support)
    with pytest.raises(MappingConflict, match="queue Support"):
        admin.map_mailbox(second, support)


def test_mailbox_never_syncs_unless_approved_and_enabled(setup):
    _, ann, _, first, _ = setup
    admin.map_mailbox(first, ann)
    first.incoming_enabled = True
    assert not may_sync(first, codes.Direction.INCOMING)
    assert any("not approved" in r for r in sync_blockers(first, codes.Direction.INCOMING))
    admin.set_approval(first, approved=True)
    assert may_sync(first, codes.Direction.INCOMING)
    first.incoming_enabled = False
    assert any("not enabled" in r for r in sync_blockers(first, codes.Direction.INCOMING))
    first.incoming_enabled = True
    admin.set_approval(first, approved=False)
    assert first.approval == codes.Approval.REJECTED
    assert not may_sync(first, codes.Direction.INCOMING)


def test_new_mailbox_is_pending_approval(setup):
    assert setup[3].approval == codes.Approval.PENDING


def test_profile_name_must_be_unique(setup):
    with pytest.raises(ValidationError, match="already exists"):
        admin.save_profile({"name": "Contoso", "incoming_server": EWS})


def test_profile_ssl_is_on_by_default(setup):
    assert setup[0].incoming_use_ssl and setup[0].outgoing_use_ssl
    assert setup[0].max_concurrent_connections == 10


def test_find_by_address_name_or_id(setup):
    _, ann, _, first, _ = setup
    assert admin.find_user("ANN@contoso.com").id == ann.id
    assert admin.find_mailbox(str(first.id)).id == first.id
    with pytest.raises(NotFound, match="No user 'bob'"):
        admin.find_user("bob")


@pytest.mark.parametrize("email", ["", "ann", "ann@", "@contoso.com", "ann lee@contoso.com", "ann@contoso"])
def test_bad_addresses_are_refused(db, email):
    with pytest.raises(ValidationError, match="not an email address"):
        admin.add_user("Ann", email)


def test_a_profile_is_saved_with_its_password_and_only_its_reference_in_the_table(setup, tmp_path):
    from crmsync_gui.core.secrets import SecretStore
    from crmsync_gui.core.store.models import EmailServerProfile

    secrets = SecretStore(tmp_path / "secrets.json", use_keyring=False)
    profile = admin.save_profile({"name": "Fabrikam", "incoming_server": EWS}, password="s3cret", secrets=secrets)
    row = EmailServerProfile.get_by_id(profile.id)
    assert secrets.get(row.secret_ref) == "s3cret" and "s3cret" not in str(row.__data__)
    admin.save_profile({"timeout_ms": 60000}, profile=row, password="n3w", secrets=secrets)
    assert EmailServerProfile.get_by_id(profile.id).secret_ref == row.secret_ref and secrets.get(row.secret_ref) == "n3w"
    with pytest.raises(ValidationError):
        admin.save_profile({"name": "Contoso"}, profile=row, password="refused", secrets=secrets)
    assert secrets.get(row.secret_ref) == "n3w", "a refused save stores no password"


def test_a_refused_reassign_leaves_the_mailbox_password_as_it_was(setup, tmp_path):
    from crmsync_gui.core.secrets import SecretStore

    _, ann, _, first, second = setup
    secrets = SecretStore(tmp_path / "secrets.json", use_keyring=False)
    admin.map_mailbox(first, ann)
    admin.save_mailbox({"username": "ann2"}, mailbox=second, password="old", secrets=secrets)
    with pytest.raises(MappingConflict):
        admin.save_mailbox({"username": "ann3"}, mailbox=second, owner=ann, password="new", secrets=secrets)
    assert secrets.get(Mailbox.get_by_id(second.id).secret_ref) == "old"
    admin.save_mailbox({}, mailbox=second, owner=ann, confirm=True, password="new", secrets=secrets)
    assert secrets.get(Mailbox.get_by_id(second.id).secret_ref) == "new"


def test_owner_settings_are_saved_all_or_nothing(setup):
    from crmsync_gui.core.domain.sync_filters import Entity
    from crmsync_gui.core.store.models import CrmUser, FolderTrackingRule, SyncFilter

    _, ann, _, first, _ = setup
    admin.map_mailbox(first, ann)
    with pytest.raises(ValidationError, match="no lead with id 999"):
        admin.save_owner_settings(ann, {"full_name": "Ann Renamed"}, filters={Entity.CONTACT: [("all", [], True)]},
                                  mailbox=first, folder_rules=[{"folder": "Deals", "regarding_type": "lead",
                                                                "regarding_id": 999}])
    assert ann.full_name == "Ann Lee" and CrmUser.get_by_id(ann.id).full_name == "Ann Lee"
    assert SyncFilter.select().where(SyncFilter.user == ann.id).count() == 0
    admin.save_owner_settings(ann, {"full_name": "Ann Renamed"}, filters={Entity.CONTACT: [("all", [], True)]},
                              mailbox=first, folder_rules=[{"folder": "Deals"}])
    assert CrmUser.get_by_id(ann.id).full_name == "Ann Renamed"
    assert [f.name for f in SyncFilter.select().where(SyncFilter.user == ann.id)] == ["all"]
    assert [r.folder for r in FolderTrackingRule.select()] == ["Deals"]


def test_sample_records_leave_nothing_behind(db):
    from crmsync_gui.core.admin.samples import sample_records
    from crmsync_gui.core.store.models import CrmUser

    with sample_records() as samples:
        assert samples.mailbox.profile_id == samples.profile.id
    assert CrmUser.select().count() == 0 and Mailbox.select().count() == 0
