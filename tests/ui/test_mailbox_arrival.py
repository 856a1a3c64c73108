"""The Mailboxes page shows how each mailbox's new email arrives and the last tracked email's time from arrival
to the CRM, as the core recorded them (Mailbox.arrival, arrival_latency_s); the console only reads them."""
from crmsync_gui.core import admin, codes
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.ui.pages.mailboxes import MailboxesPage
from tests.ui.test_mailbox_health import cells, org


def test_the_new_email_column_and_the_detail_pane_say_push_or_why_polled(qtbot, db):
    org()
    Mailbox.update(arrival=codes.Arrival.PUSH, arrival_latency_s=0.4).where(Mailbox.name == "Ann").execute()
    Mailbox.update(arrival=codes.Arrival.CAP_REACHED, arrival_latency_s=250.0).where(Mailbox.name == "Bob").execute()
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.refresh()
    ann, row = cells(page, "Ann")
    bob, _ = cells(page, "Bob")
    cy, _ = cells(page, "Cy")
    assert (ann["arrival"], ann["arrival_latency_s"]) == ("Push connected", "0.4 s")
    assert (bob["arrival"], bob["arrival_latency_s"]) == ("Polling: connection cap reached", "4 min")
    assert (cy["arrival"], cy["arrival_latency_s"]) == ("", "")  # no incoming run yet: nothing claimed
    page.table.selectRow(row)
    assert ("New email: Push connected. The last tracked email reached the CRM 0.4 s after arriving."
            in page.detail.toPlainText())


def test_an_hour_late_email_reads_in_hours(qtbot, db):
    profile = admin.save_profile({"name": "Contoso", "incoming_server": "https://mail.contoso.com/EWS/Exchange.asmx"})
    admin.add_mailbox("Dee", "dee@contoso.com", profile)
    Mailbox.update(arrival=codes.Arrival.NO_PUSH, arrival_latency_s=5400.0).execute()
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.refresh()
    dee, _ = cells(page, "Dee")
    assert (dee["arrival"], dee["arrival_latency_s"]) == ("Polling: protocol lacks push", "1.5 h")
