"""The Mailboxes page's detail pane shows the owner's next meetings and each attendee's answer (issue 21, item 9):
the answers the sync brings back onto the CRM appointment's parties, where an administrator looks at a mailbox."""
from datetime import timedelta

import pytest
from PySide6.QtCore import QTranslator

from crmsync_gui.core import codes
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import Activity, ActivityParty, CrmUser, Mailbox
from crmsync_gui.ui.app import parse_args
from crmsync_gui.ui.pages.mailboxes import MailboxesPage
from crmsync_gui.ui.resources import install_translations
from tests.ui.test_mailbox_health import cells, org

Answer, Role = codes.MeetingResponse, codes.PartyRole


def meeting(user, subject, starts_at, *attendees):
    record = Activity.create(activity_type=int(codes.ActivityType.APPOINTMENT), subject=subject, owner_user=user,
                             starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    ActivityParty.create(activity=record, role=int(Role.ORGANIZER), address="ann@contoso.com")
    for address, name, answer in attendees:
        ActivityParty.create(activity=record, role=int(Role.REQUIRED), address=address, display_name=name,
                             response=int(answer) if answer is not None else None)
    return record


@pytest.fixture
def ann_meetings(db):
    org()
    ann = CrmUser.create(full_name="Ann Example", email="ann@contoso.com")
    Mailbox.update(owner_user=ann).where(Mailbox.name == "Ann").execute()
    soon = utcnow().replace(microsecond=0) + timedelta(days=1)
    meeting(ann, "Quarterly review", soon, ("bob@contoso.com", "Bob Example", Answer.ACCEPTED),
            ("carl@fabrikam.com", None, None), ("dora@fabrikam.com", "Dora", Answer.DECLINED))
    meeting(ann, "Last year's review", soon - timedelta(days=400), ("bob@contoso.com", "Bob Example", Answer.ACCEPTED))
    Activity.create(activity_type=int(codes.ActivityType.APPOINTMENT), subject="Dentist", owner_user=ann,
                    starts_at=soon, ends_at=soon + timedelta(hours=1))  # no attendees: not a meeting
    return soon


def detail_of(qtbot, name):
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.refresh()
    page.table.selectRow(cells(page, name)[1])
    return page.detail.toPlainText()


def test_the_detail_pane_shows_the_next_meetings_and_the_answers(qtbot, ann_meetings):
    shown = detail_of(qtbot, "Ann")
    start = ann_meetings.strftime("%Y-%m-%d %H:%M")
    assert "Next meetings and the attendees’ answers" in shown
    assert (f"Quarterly review, {start} UTC: Bob Example (Accepted), carl@fabrikam.com (No response), "
            "Dora (Declined)") in shown
    assert "Last year's review" not in shown and "Dentist" not in shown  # over, or no attendees
    assert "Next meetings" not in detail_of(qtbot, "Bob")  # a mailbox whose owner organizes none


@pytest.fixture
def italian(qapp):
    before = set(qapp.findChildren(QTranslator))
    assert install_translations(qapp, parse_args(["--lang", "it"]).lang) == "it"
    yield
    for translator in set(qapp.findChildren(QTranslator)) - before:
        qapp.removeTranslator(translator)
        translator.deleteLater()


def test_the_answers_in_italian(qtbot, ann_meetings, italian):
    shown = detail_of(qtbot, "Ann")
    assert "Prossime riunioni e risposte dei partecipanti" in shown
    assert "Bob Example (Accettato), carl@fabrikam.com (Nessuna risposta), Dora (Rifiutato)" in shown

