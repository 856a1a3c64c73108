"""`crmsync … delete`: the same use case as the console's Delete, said first, done only with --yes."""
import json

from tests.core.test_cli import crmsync, dbfile, owners  # noqa: F401 (dbfile is a fixture)


def names(db, what):
    return [r["name"] for r in json.loads(crmsync(db, what, "list", "--json").stdout)]


def test_delete_without_yes_says_what_follows_and_deletes_nothing(dbfile):  # noqa: F811
    result = crmsync(dbfile, "mailboxes", "delete", "Ann")
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["Deleting mailbox 'Ann':", "- Ann Lee is left without a mailbox."]
    assert result.stderr.strip() == "crmsync: nothing was deleted; run again with --yes to delete mailbox 'Ann'"
    assert names(dbfile, "mailboxes") == ["Ann", "Ann2"]


def test_delete_each_kind_with_yes(dbfile):  # noqa: F811
    result = crmsync(dbfile, "mailboxes", "delete", "Ann", "--yes")
    assert result.returncode == 0, result.stderr
    assert "Deleted mailbox 'Ann'. Nothing was removed from Exchange" in result.stdout
    assert names(dbfile, "mailboxes") == ["Ann2"]
    result = crmsync(dbfile, "profiles", "delete", "Contoso", "--yes")
    assert result.returncode == 0, result.stderr
    assert "- 1 mailboxes are left without a profile and stop syncing." in result.stdout
    assert names(dbfile, "profiles") == []
    assert crmsync(dbfile, "users", "delete", "ann@contoso.com", "--yes").returncode == 0
    assert crmsync(dbfile, "queues", "add", "--name", "Support", "--email", "support@contoso.com").returncode == 0
    assert crmsync(dbfile, "queues", "delete", "Support", "--yes").returncode == 0
    assert names(dbfile, "users") == [] and names(dbfile, "queues") == []
    missing = crmsync(dbfile, "users", "delete", "nobody@contoso.com", "--yes")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr and len(missing.stderr.splitlines()) == 1


def test_reassigning_prints_what_else_follows(dbfile):  # noqa: F811
    result = crmsync(dbfile, "mailboxes", "map", "Ann2", "--user", "ann@contoso.com")
    assert result.returncode == 1  # not confirmed: nothing changes, the stderr line says so (test_cli.py)
    assert result.stdout.splitlines() == ["- mailbox Ann is left without an owner."]
    result = crmsync(dbfile, "mailboxes", "map", "Ann2", "--user", "ann@contoso.com", "--yes")
    assert result.returncode == 0 and "- mailbox Ann is left without an owner." in result.stdout


def test_a_dry_run_of_mapping_lists_what_the_next_sync_creates_and_deletes_in_exchange(dbfile):  # noqa: F811
    from crmsync_gui.core import admin, codes
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.store.models import Contact, CrmUser, ItemMap, Mailbox

    open_database(dbfile)
    try:  # Ann's mailbox syncs her contacts; Bob has his own
        ann, box = CrmUser.get(CrmUser.email == "ann@contoso.com"), Mailbox.get(Mailbox.name == "Ann")
        Mailbox.update(act_method=codes.ActMethod.SERVER_SIDE_SYNC).where(Mailbox.id == box.id).execute()
        mine = Contact.create(first_name="Ada", last_name="Ames", owner=ann)
        ItemMap.create(mailbox=box, record_type="contact", record_id=mine.id, item_id="AAMkAda")
        bob = admin.add_user("Bob Ray", "bob@contoso.com")
        admin.copy_templates_to_user(bob)
        Contact.create(first_name="Cy", last_name="Cole", owner=bob)
    finally:
        close_database()
    result = crmsync(dbfile, "mailboxes", "map", "Ann", "--user", "bob@contoso.com", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "- Ann Lee is left without a mailbox.",
        "- 1 synced contacts, appointments and tasks will be removed from the mailbox.",
        "- 1 contacts, appointments and tasks of the new owner will be created in it.",
        "- Contacts created in Exchange (1): Cy Cole.",
        "- Contacts deleted from Exchange (1): Ada Ames.",
        "Dry run: mailbox 'Ann' was not mapped to user Bob Ray <bob@contoso.com>; nothing was changed."]
    assert owners(dbfile)["Ann"] == "user Ann Lee <ann@contoso.com>"
