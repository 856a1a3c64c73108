"""'Why wasn't this email tracked?' by mailbox (its owner named beside it) and by received date, a hint when
nothing matches, and a link from a decision to its owner's tracking option on Users & queues (issue 23 item 7)."""
from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, QTime

from crmsync_gui.core import admin, codes
from crmsync_gui.core.store.models import TrackingDecision
from crmsync_gui.ui.main_window import MainWindow


def test_decisions_by_mailbox_or_user_and_received_date_with_a_link_to_the_tracking_option(qtbot, db):
    profile = admin.save_profile({"name": "Exchange", "incoming_server": "https://mail.example.com/EWS/Exchange.asmx"})
    ann = admin.add_user("Ann Lee", "ann@example.com", tracking_option=codes.TrackingOption.REPLIES_TO_CRM_EMAIL)
    box = admin.add_mailbox("Sales inbox", "ann@example.com", profile)
    admin.map_mailbox(box, ann)
    other = admin.add_mailbox("Bob", "bob@example.com", profile)
    for mailbox, subject, received in ((box, "Offer", datetime(2026, 12, 1, 9)), (box, "Old news", datetime(2026, 11, 2)),
                                       (other, "Lunch", datetime(2026, 12, 1, 12))):
        TrackingDecision.create(mailbox=mailbox, server_id=subject, subject=subject, sender="x@example.org",
                                received_at=received, outcome=codes.TrackingOutcome.NOT_A_REPLY,
                                reason="Not a reply to a CRM email.")
    window = MainWindow("crm.db")
    qtbot.addWidget(window)
    window.show_page("Errors")
    page = window.stack.currentWidget()
    page.refresh()
    page.tabs.setCurrentIndex(1)
    view = page.decisions
    subjects = lambda: [view.model.data(view.model.index(r, 3)) for r in range(view.model.rowCount())]  # noqa: E731
    assert sorted(subjects()) == ["Lunch", "Offer", "Old news"]
    choices = [view.mailbox.itemText(i) for i in range(view.mailbox.count())]
    assert choices == ["All mailboxes", "Bob", "Sales inbox (Ann Lee)"]  # found by the user's name too
    view.mailbox.setCurrentIndex(choices.index("Sales inbox (Ann Lee)"))
    assert sorted(subjects()) == ["Offer", "Old news"]
    view.received.setDateTime(QDateTime(QDate(2026, 11, 30), QTime(0, 0)))  # UTC, as the store keeps times
    view.received_on.setChecked(True)
    assert subjects() == ["Offer"]
    page.refresh()  # F5 keeps the mailbox chosen here
    assert subjects() == ["Offer"]

    view.table.selectRow(0)
    assert "Ann Lee tracks: Replies to CRM email." in view.detail.text()
    view.detail.linkActivated.emit(f"user:{ann.id}")  # the link's target, as a click sends it
    users = window.stack.currentWidget()
    assert users.title == "Users & queues" and users.selected_ids() == [("user", ann.id)]

    window.show_page("Errors")
    view.search.setText("no such subject")
    view.refresh()
    assert view.model.rowCount() == 0
    assert view.count_label.text().startswith("No email matches. The engine records a decision for each incoming")
