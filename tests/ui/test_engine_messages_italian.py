"""Engine messages in the administrator's language: the core keeps an alert's code and arguments beside its
English (core/messages.py), and under --lang it the banner, the Alerts page and the dashboard's event line say
it in Italian; the email and the trace stay English. The trace catalogue's remedies are Italian too."""
from datetime import timedelta

import pytest
from PySide6.QtCore import QTranslator

from crmsync_gui.core import events, messages
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import Alert, TraceLog
from crmsync_gui.core.sync import alerts, trace
from crmsync_gui.ui.app import parse_args
from crmsync_gui.ui.main_window import MainWindow
from crmsync_gui.ui.pages.alerts import AlertsPage
from crmsync_gui.ui.pages.dashboard import describe
from crmsync_gui.ui.pages.errors import ErrorsPage
from crmsync_gui.ui.resources import install_translations
from tests.core.sync.conftest import add_mailbox, add_profile

ITALIAN = ("2 cassette postali su 3 del profilo 'Contoso' non sono riuscite a sincronizzarsi nell'ultima ora. "
           "Controllare il server di posta e il registro eventi di questo profilo.")


@pytest.fixture
def alert(db):
    now = utcnow()
    profile = add_profile("Contoso")
    for name, failed in (("Ann", True), ("Bob", True), ("Cid", False)):
        add_mailbox(profile, name, last_error_at=now - timedelta(minutes=5) if failed else None)
    raised, _emailed = alerts.raise_if_due(profile.id, now)
    return raised


@pytest.fixture
def italian(qapp):
    before = set(qapp.findChildren(QTranslator))
    assert install_translations(qapp, parse_args(["--lang", "it"]).lang) == "it"
    yield
    for translator in set(qapp.findChildren(QTranslator)) - before:
        qapp.removeTranslator(translator)
        translator.deleteLater()


def test_the_banner_and_the_alerts_page_say_the_alert_in_italian(qtbot, alert, italian, tmp_path):
    assert alert.message.startswith("2 of 3 mailboxes of profile 'Contoso' failed")  # the core's, in English
    window = MainWindow(str(tmp_path / "crm.db"))
    qtbot.addWidget(window)
    window.update_badges()
    assert window.alert_banner.isVisible() or not window.isVisible()
    assert window.alert_banner.text() == f"1 avviso non ancora confermato: {ITALIAN}"
    page = AlertsPage()
    qtbot.addWidget(page)
    page.refresh()
    assert page.model.data(page.model.index(0, 2)) == ITALIAN
    raised = events.AlertRaised(alert.id, alert.profile_id, alert.message, alert.code, alert.args, at=alert.created_at)
    assert describe(raised, lambda _id: "").endswith(f"Avviso: {ITALIAN}")


def test_the_alerts_filter_matches_what_the_admin_reads(qtbot, alert, italian):
    Alert.create(message="Mailbox Ann was disabled")  # no code: shown, and matched, in its English
    page = AlertsPage()
    qtbot.addWidget(page)

    def shown(text):
        page.filter_edit.setText(text)
        page.refresh()
        return [page.model.data(page.model.index(r, 2)) for r in range(page.model.rowCount())]

    assert shown("CASSETTE postali") == [ITALIAN]  # Italian words, any case
    assert shown("failed within the last hour") == []  # the stored English is not what the admin sees
    assert shown("ann was") == ["Mailbox Ann was disabled"]
    assert len(shown("")) == 2


def test_an_alert_without_a_code_shows_its_english(qtbot, db, italian):
    Alert.create(message="Mailbox Ann was disabled")  # raised before alerts kept their code
    page = AlertsPage()
    qtbot.addWidget(page)
    page.refresh()
    assert page.model.data(page.model.index(0, 2)) == "Mailbox Ann was disabled"


def test_the_error_browser_says_what_to_do_in_italian(qtbot, db, italian):
    trace.record("AuthenticationFailed", "The server refused the sign-in.", at=utcnow() - timedelta(minutes=1))
    page = ErrorsPage()
    qtbot.addWidget(page)
    page.refresh()
    assert ("Cosa fare: Controllare nome utente e password del profilo o della cassetta postale (e il tipo di "
            "autenticazione), poi eseguire Verifica e abilita.") in page.detail.toPlainText()
    trace.record("RecipientRefused", "The server refused bo@x.test.", at=utcnow(), remediation="Correct the address.")
    page.refresh()
    assert "Cosa fare: Correct the address." in page.detail.toPlainText()  # an error's own action: its English


def test_the_error_browser_says_the_alerts_trace_rows_in_italian(qtbot, alert, italian):
    page = ErrorsPage()
    qtbot.addWidget(page)
    page.refresh()
    shown = {page.model.data(page.model.index(r, 3)) for r in range(page.model.rowCount())}
    assert shown == {ITALIAN, "L'avviso non è stato inviato via email: il profilo non ha un proprietario la cui "
                              "cassetta postale abbia la posta in uscita abilitata."}
    assert ITALIAN in page.detail.toPlainText() or "L'avviso" in page.detail.toPlainText()
    english = {t.message for t in TraceLog.select()}  # the trace itself stays English
    assert alert.message in english


def test_a_profile_paused_says_why_in_italian(qtbot, db, italian):
    from crmsync_gui.core.errors import TransientError
    from crmsync_gui.core.sync import breaker as breakers

    profile = add_profile("Contoso")
    outage = breakers.ProfileBreaker()
    for name in ("Ann", "Bob"):
        outage.failing[add_mailbox(profile, name).id] = utcnow()
    reason, args = breakers.record_pause(profile, outage, utcnow(), TransientError("ConnectFailed", "No answer."))
    assert reason.startswith("2 mailboxes of profile 'Contoso' failed at once")  # the core's, in English
    italian_reason = ("2 cassette postali del profilo 'Contoso' non sono riuscite a sincronizzarsi "
                      "contemporaneamente (ultimo errore: ConnectFailed); il profilo è in pausa e il server viene "
                      "interrogato finché non risponde.")
    paused = events.ProfilePaused(profile.id, reason, messages.dumps(args), at=utcnow())
    assert describe(paused, lambda _id: "").endswith(f"sospeso: {italian_reason}")
    page = ErrorsPage()
    qtbot.addWidget(page)
    page.refresh()
    assert page.model.data(page.model.index(0, 3)) == italian_reason  # the trace row too


def test_the_engines_own_trace_rows_are_italian_with_the_servers_words_inside(qtbot, db, italian):
    from crmsync_gui.core import codes
    from crmsync_gui.core.errors import TransientError
    from crmsync_gui.core.sync import outcomes

    mailbox = add_mailbox(add_profile("Contoso"), "Ann")
    now = utcnow()
    outcomes.record_test_success(mailbox, codes.Direction.INCOMING, now)
    outcomes.record_test_failure(mailbox, codes.Direction.OUTGOING, TransientError("ServerError", "HTTP 503."), now)
    english = {t.code: t.message for t in TraceLog.select()}
    assert english == {"TestSucceeded": "Test of incoming email for mailbox 'Ann' passed; it is enabled.",
                       "TestFailed": "Test of outgoing email for mailbox 'Ann' failed: HTTP 503."}  # the trace's
    page = ErrorsPage()
    qtbot.addWidget(page)
    page.refresh()
    shown = {page.model.data(page.model.index(r, 2)): page.model.data(page.model.index(r, 3))
             for r in range(page.model.rowCount())}
    assert shown == {
        "TestSucceeded": "Verifica di posta in arrivo per la cassetta postale 'Ann' riuscita; è attivata.",
        "TestFailed": "Verifica di posta in uscita per la cassetta postale 'Ann' non riuscita: HTTP 503."}
