"""The error browser: lazy keyset paging, filters, detail pane, CSV export."""
import csv
from datetime import datetime, timedelta

import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.store.models import Activity, TraceLog
from crmsync_gui.ui.pages.errors import ErrorsPage, TraceTableModel

BASE = datetime(2026, 3, 1, 12, 0)


@pytest.fixture
def traces(db):
    profile = admin.save_profile({"name": "Exchange", "incoming_server": "https://mail.example.com/EWS/Exchange.asmx"})
    box = admin.add_mailbox("Ann", "ann@example.com", profile)
    other = admin.add_mailbox("Bob", "bob@example.com", profile)
    email = Activity.create(activity_type=codes.ActivityType.EMAIL, subject="Quote", regarding_type="account",
                            regarding_id=7, failure_reason="no tracking token and the sender is no CRM record")
    rows = []
    for i in range(450):
        rows.append(dict(level=(codes.TraceLevel.ERROR if i % 3 == 0 else codes.TraceLevel.WARNING),
                         code="AuthFailed" if i % 3 == 0 else "ServerBusy", message=f"message {i}\nmore detail",
                         mailbox=box.id if i % 2 else other.id, profile=profile.id, collation_key=f"k{i}",
                         activity=email.id if i == 449 else None,
                         remediation="Correct the recipient's address and send again." if i == 449 else "",
                         first_at=BASE + timedelta(minutes=i), last_at=BASE + timedelta(minutes=i)))
    TraceLog.insert_many(rows).execute()
    return box, other, profile


def test_model_passes_the_model_tester(qtmodeltester, traces):
    model = TraceTableModel()
    model.reload()
    qtmodeltester.check(model)


def test_rows_come_a_page_at_a_time_newest_first(traces):
    model = TraceTableModel()
    model.reload()
    assert model.rowCount() == model.PAGE and model.canFetchMore()
    assert model.data(model.index(0, 3)) == "message 449"
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 450
    assert model.data(model.index(449, 3)) == "message 0"


def test_filters(qtbot, traces):
    box, _, _ = traces
    page = ErrorsPage()
    qtbot.addWidget(page)
    page.refresh()
    qtbot.waitUntil(lambda: page.count_label.text() == "450 matching rows")
    page.level.setCurrentIndex(page.level.findData(int(codes.TraceLevel.ERROR)))
    page.apply()
    qtbot.waitUntil(lambda: page.count_label.text() == "150 matching rows")
    page.mailbox.setCurrentIndex(page.mailbox.findData(box.id))
    page.code.setText("Auth")
    page.apply()
    qtbot.waitUntil(lambda: page.count_label.text() == "75 matching rows")
    assert {page.model.data(page.model.index(r, 4)) for r in range(page.model.rowCount())} == {"Ann"}
    page.text.setText("message 44")
    page.apply()
    assert [page.model.data(page.model.index(r, 3)) for r in range(page.model.rowCount())] == ["message 447", "message 441"]
    page.text.clear()
    page.since_on.setChecked(True)
    page.since.setDateTime(BASE + timedelta(minutes=400))
    page.until_on.setChecked(True)
    page.until.setDateTime(BASE + timedelta(minutes=420))
    page.apply()
    qtbot.waitUntil(lambda: page.count_label.text() == "3 matching rows")  # Ann's errors at minutes 405, 411, 417


def test_detail_pane_and_links(qtbot, traces):
    box, _, profile = traces
    page = ErrorsPage()
    qtbot.addWidget(page)
    page.refresh()
    text = page.detail.toPlainText()
    assert "message 449" in text and "more detail" in text and "Quote" in text
    assert "regarding account #7" in text and "no tracking token" in text
    assert "What to do: Correct the recipient's address and send again." in text
    with qtbot.waitSignal(page.open_page) as signal:
        page._link(type("U", (), {"toString": lambda self: f"profile:{profile.id}"})())
    assert signal.args == ["Email server profiles", {"profile_id": profile.id}]


def test_apply_filter_from_another_page(qtbot, traces):
    _, other, _ = traces
    page = ErrorsPage()
    qtbot.addWidget(page)
    page.apply_filter({"mailbox_id": other.id})
    assert page.mailbox.currentData() == other.id
    qtbot.waitUntil(lambda: page.count_label.text() == "225 matching rows")


def test_csv_export_of_the_filtered_rows(qtbot, traces, tmp_path):
    page = ErrorsPage()
    qtbot.addWidget(page)
    page.refresh()
    page.level.setCurrentIndex(page.level.findData(int(codes.TraceLevel.ERROR)))
    assert page.export_to(str(tmp_path / "e.csv")) == 150
    with open(tmp_path / "e.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["id", "level", "code", "message"]
    assert len(rows) == 151 and {r[1] for r in rows[1:]} == {"Error"}
    assert rows[1][3] == "message 447\nmore detail" and rows[1][4] == "Ann" and rows[1][5] == "Exchange"


def test_empty_state_without_traces(qtbot, db):
    page = ErrorsPage()
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    assert page.empty_state.isVisible()


def test_why_was_this_email_not_tracked(qtbot, qtmodeltester, traces):
    from crmsync_gui.core.store.models import TrackingDecision
    from crmsync_gui.ui.pages.tracking import DecisionTableModel

    box, other, _ = traces
    TrackingDecision.create(mailbox=box, server_id="a1", subject="Newsletter March", sender="news@example.org",
                            message_id="<n1@example.org>", outcome=codes.TrackingOutcome.SENDER_NOT_CRM_RECORD,
                            reason="The sender news@example.org is not a CRM lead, contact or account.")
    TrackingDecision.create(mailbox=box, server_id="a2", subject="Re: Quote", sender="buyer@fabrikam.example",
                            outcome=codes.TrackingOutcome.TRACKED, reason="Tracked: a reply to a CRM email.",
                            correlation="In-Reply-To")
    TrackingDecision.create(mailbox=other, server_id="b1", subject="Lunch", sender="friend@example.org",
                            outcome=codes.TrackingOutcome.NOT_A_REPLY, reason="Not a reply to a CRM email.")
    model = DecisionTableModel()
    model.reload()
    qtmodeltester.check(model)
    page = ErrorsPage()
    qtbot.addWidget(page)
    page.refresh()
    view = page.decisions
    assert view.model.rowCount() == 2  # only the emails not tracked
    view.search.setText("news@")
    view.refresh()
    assert view.model.rowCount() == 1
    assert view.model.data(view.model.index(0, 4)) == "Sender is not a CRM lead, contact or account"
    assert "is not a CRM lead, contact or account" in view.detail.text()
    assert "Message-ID &lt;n1@example.org&gt;;" in view.detail.text()  # shown, not swallowed as an HTML tag
    view.search.clear()
    view.untracked_only.setChecked(False)
    assert view.model.rowCount() == 3
    page.apply_filter({"mailbox_id": other.id})
    assert [view.model.data(view.model.index(r, 3)) for r in range(view.model.rowCount())] == ["Lunch"]


def test_an_unreadable_email_can_be_saved_from_its_row(qtbot, db, tmp_path):
    from types import SimpleNamespace

    from crmsync_gui.core.sync import mime
    from crmsync_gui.core.sync.incoming import keep_unreadable

    box = admin.add_mailbox("Ann", "ann@example.com")
    raw = b"just words, no header at all\r\n"
    for server_id in ("1:7", "1:8"):
        with pytest.raises(mime.UnreadableEmailError) as caught:
            mime.parse_email(raw + server_id.encode(), server_id=server_id)
        assert keep_unreadable(SimpleNamespace(mailbox=box), caught.value, "Inbox")
    page = ErrorsPage()
    qtbot.addWidget(page)
    page.refresh()
    assert page.model.rowCount() == 2  # one row per email
    kept = {}
    for row in range(2):
        page.table.selectRow(row)
        detail = page.detail.toHtml()
        assert "Save the email as it arrived" in page.detail.toPlainText() and f"{len(raw) + 3} bytes" in detail
        kept[row] = int(detail.split("unreadable:")[1].split('"')[0])
    assert len(set(kept.values())) == 2, "each row offers its own email"
    page.save_unreadable(kept[0], str(tmp_path / "one.eml"))
    assert (tmp_path / "one.eml").read_bytes().startswith(raw) and "Saved the email" in page.count_label.text()
    page.save_unreadable(kept[1], str(tmp_path / "missing-dir" / "two.eml"))
    assert "Could not save" in page.count_label.text()
