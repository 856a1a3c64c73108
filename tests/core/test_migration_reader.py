"""Reading Email Router files: which files, how much, and refusing hostile XML before it expands."""
import shutil
import time

import pytest

from crmsync_gui.core.errors import ImportRefused
from crmsync_gui.core.migration import MAX_ROUTERS, MAX_TOTAL_BYTES, find_routers, plan_migration
from crmsync_gui.core.migration.reader import MAX_TAGS
from crmsync_gui.core.store.models import CrmUser, EmailServerProfile, Mailbox
from tests.core.router_files import CONFIG, KEY, STATE, exchange_router, samples, write_router

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Configuration [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Configuration><SystemConfiguration><LogFile>&lol9;</LogFile></SystemConfiguration></Configuration>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE Configuration [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Configuration><SystemConfiguration><LogFile>&secret;</LogFile></SystemConfiguration></Configuration>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE Configuration SYSTEM "http://127.0.0.1:9/evil.dtd">
<Configuration></Configuration>
"""


@pytest.mark.parametrize("payload, words", [
    (BILLION_LAUGHS, "declares a DTD"),
    (EXTERNAL_ENTITY, "declares a DTD"),
    (EXTERNAL_DTD, "declares a DTD"),
])
def test_hostile_configuration_is_refused_naming_the_file_and_nothing_is_written(db, tmp_path, payload, words):
    folder = write_router(tmp_path / "evil", payload.encode())
    started = time.perf_counter()
    with pytest.raises(ImportRefused) as err:
        plan_migration([folder])
    assert time.perf_counter() - started < 2, "the entities must not have been expanded"
    message = str(err.value)
    assert str(folder / CONFIG) in message and words in message and "Nothing was imported" in message
    assert "\n" not in message
    assert (EmailServerProfile.select().count(), Mailbox.select().count(), CrmUser.select().count()) == (0, 0, 0)


def test_hostile_state_or_key_file_is_refused_too(db, tmp_path):
    folder = exchange_router(tmp_path / "r", mailboxes=[("a@example.local", "")])
    (folder / STATE).write_text(EXTERNAL_ENTITY.replace("Configuration", "SystemState"))
    with pytest.raises(ImportRefused, match=f"{STATE} was refused: it declares a DTD"):
        plan_migration([folder])
    exchange_router(folder, mailboxes=[("a@example.local", "")])
    (folder / KEY).write_text(BILLION_LAUGHS.replace("Configuration", "EncryptionKey"))
    with pytest.raises(ImportRefused, match=f"{KEY} was refused"):
        plan_migration([folder])


def test_malformed_xml_says_where(db, tmp_path):
    folder = write_router(tmp_path / "bad", b"<Configuration><SystemConfiguration></Configuration>")
    with pytest.raises(ImportRefused, match=r"is not well-formed XML \(line 1, column 39: mismatched tag\)"):
        plan_migration([folder])


@pytest.mark.parametrize("encoding", ["ebcdic-no-such", "utf-32", "utf-7", "rot13", "idna"])
def test_an_encoding_the_reader_cannot_read_is_refused_naming_it(db, tmp_path, encoding):
    # found by bench/hostile_mail.py: each of these was a LookupError, ValueError or UnicodeError traceback
    folder = write_router(tmp_path / "enc", f'<?xml version="1.0" encoding="{encoding}"?><Configuration/>'.encode())
    with pytest.raises(ImportRefused) as err:
        plan_migration([folder])
    message = str(err.value)
    assert str(folder / CONFIG) in message and f"encoding '{encoding}'" in message
    assert "Nothing was imported" in message and "\n" not in message


def test_a_file_of_too_many_tags_is_refused_before_parsing(db, tmp_path):
    # found by bench/hostile_mail.py: 3 million empty elements (30 MB, under the size limit) took 10 s to plan
    folder = write_router(tmp_path / "tags", "<Configuration>" + "<Unknown/>" * MAX_TAGS + "</Configuration>")
    started = time.perf_counter()
    with pytest.raises(ImportRefused, match=f"holds {MAX_TAGS + 3:,} XML tags, over the {MAX_TAGS:,}"):
        plan_migration([folder])
    assert time.perf_counter() - started < 0.5
    write_router(folder, "<Configuration>" + "<Unknown/>" * (MAX_TAGS - 3) + "</Configuration>")  # and the declaration
    assert plan_migration([folder]).unknown_elements[0]["count"] == MAX_TAGS - 3


def test_wrong_root_element_is_refused(db, tmp_path):
    folder = write_router(tmp_path / "odd", "<Settings/>")
    with pytest.raises(ImportRefused, match="root element is <Settings>, expected <Configuration>"):
        plan_migration([folder])


def test_files_over_the_size_limit_are_refused_before_parsing(db, tmp_path):
    folder = exchange_router(tmp_path / "big", mailboxes=[("a@example.local", "")])
    with open(folder / STATE, "r+b") as fh:  # a sparse file: the size is checked, the bytes never read
        fh.truncate(MAX_TOTAL_BYTES + 1)
    with pytest.raises(ImportRefused) as err:
        plan_migration([folder])
    assert "over the 32 MB limit" in str(err.value) and str(folder / STATE) in str(err.value)
    assert "nothing was read" in str(err.value)


def test_the_limit_counts_all_routers_together(db, tmp_path):
    a = exchange_router(tmp_path / "a", mailboxes=[("a@example.local", "")])
    b = exchange_router(tmp_path / "b", "https://mail2.example.local/EWS/Exchange.asmx", [("b@example.local", "")])
    for folder in (a, b):
        with open(folder / STATE, "r+b") as fh:
            fh.truncate(MAX_TOTAL_BYTES // 2)  # each under the limit, together over it
    with pytest.raises(ImportRefused, match="add up to 32.0 MB"):
        plan_migration([a, b])
    for folder in (a, b):
        (folder / STATE).write_text("<SystemState/>")
    assert len(plan_migration([a, b]).profiles) == 2


def test_four_routers_at_once_and_not_five(db, tmp_path):
    folders = [exchange_router(tmp_path / "export" / f"r{i}", f"https://mail{i}.example.local/EWS/Exchange.asmx",
                               [(f"user{i}@example.local", f"id-{i}")], name=f"Exchange {i}") for i in range(5)]
    plan = plan_migration(folders[:MAX_ROUTERS])
    assert plan.routers == ["r0", "r1", "r2", "r3"]
    assert [p.name for p in plan.profiles] == [f"Exchange {i}" for i in range(4)]
    assert [m.email for m in plan.mailboxes] == [f"user{i}@example.local" for i in range(4)]
    with pytest.raises(ImportRefused, match="5 routers were given; at most 4"):
        plan_migration(folders)
    with pytest.raises(ImportRefused, match="5 routers"):
        plan_migration([tmp_path / "export"])  # a folder of router folders counts each


def test_paths_may_be_files_or_folders_and_names_any_case(db, tmp_path):
    folder = exchange_router(tmp_path / "r", mailboxes=[("a@example.local", "")])
    (folder / CONFIG).rename(folder / CONFIG.lower())
    sources = find_routers([folder / CONFIG.lower(), folder / STATE, folder])
    assert len(sources) == 1 and sources[0].config.name == CONFIG.lower()


@pytest.mark.parametrize("make, words", [
    (lambda p: p / "missing", "does not exist"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "holds no Microsoft.Crm.Tools.EmailAgent.xml"),
    (lambda p: (p / "notes.txt").write_text("x") and p / "notes.txt", "is not an Email Router file"),
])
def test_wrong_paths_get_a_clear_reason(db, tmp_path, make, words):
    with pytest.raises(ImportRefused, match=words):
        find_routers([make(tmp_path)])


def test_missing_state_and_key_files_are_warnings_not_failures(db, tmp_path):
    folder = exchange_router(tmp_path / "r", mailboxes=[("a@example.local", "id-a")], state=False, key=False)
    plan = plan_migration([folder])
    assert [m.email for m in plan.mailboxes] == ["a@example.local"]
    assert any(f"{STATE} is missing" in w for w in plan.warnings)
    assert any(f"{KEY} is missing" in w for w in plan.warnings)


def test_byte_order_marks_are_accepted(db, tmp_path):
    folder = exchange_router(tmp_path / "r", mailboxes=[("a@example.local", "id-a")])
    text = (folder / CONFIG).read_text("utf-8")
    (folder / CONFIG).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (folder / STATE).write_bytes('<?xml version="1.0" encoding="utf-16"?><SystemState><ProviderState>'
                                 "<EmailAddress>a@example.local</EmailAddress><LastSuccessfulPoll>"
                                 "2026-10-30T08:15:00Z</LastSuccessfulPoll></ProviderState></SystemState>"
                                 .encode("utf-16"))  # with its BOM
    plan = plan_migration([folder])
    assert plan.mailboxes[0].email == "a@example.local"
    assert plan.mailboxes[0].router_last_poll.isoformat() == "2026-10-30T08:15:00"


def test_the_samples_read_as_two_routers(db, tmp_path):
    root = samples()
    copy = shutil.copytree(root, tmp_path / "samples")
    assert [s.label for s in find_routers([copy])] == ["contoso-exchange", "fabrikam-pop3"]
