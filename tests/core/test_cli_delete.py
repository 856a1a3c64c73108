"""`crmsync … delete`: the same use case as the console's Delete, said first, done only with --yes."""
import json

from tests.core.test_cli import crmsync, dbfile  # noqa: F401 (dbfile is a fixture)


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
