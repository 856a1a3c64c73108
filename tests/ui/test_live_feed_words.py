"""The dashboard's live feed says every engine event in the administrator's words, in English and in Italian:
core/feed.py gives each event a code and arguments, the console renders them (ui/labels.py). A server's own
text stays as it came, inside a translated sentence; numbers are written as the language writes them."""
import contextlib

from PySide6.QtCore import QLocale, QTranslator

from crmsync_gui.core import codes, events, messages
from crmsync_gui.core.errors import TransientError
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.core.sync import outcomes
from crmsync_gui.core.sync.work import WorkKind
from crmsync_gui.ui.pages.dashboard import describe
from crmsync_gui.ui.resources import install_translations

SERVER_TEXT = "The Exchange server failed while syncing (HTTP 503 Service Unavailable)."


def disabled_after_ten_failures() -> events.MailboxDisabled:
    """The MailboxDisabled the engine publishes when a direction fails for the tenth time in a row."""
    outcome = outcomes.failure(Mailbox(name="Ann", incoming_transient_failures=9), codes.Direction.INCOMING,
                               WorkKind.SYNC, TransientError("ServerError", SERVER_TEXT), utcnow(), outage=False,
                               max_transient_failures=10, outage_retry_s=60, min_polling_minutes=5)
    assert outcome.disabled and outcome.message.startswith("Failed 10 times in a row (incoming email)")
    return events.MailboxDisabled(7, int(codes.Direction.INCOMING), outcome.code, outcome.message,
                                  messages.dumps(outcome.args))


def every_event() -> dict[type, events.Event]:
    """One of each event the engine publishes, but QueueDepths (numbers, shown under Waiting)."""
    d = int(codes.Direction.ACT)
    return {e.__class__: e for e in (
        events.EngineStateChanged("running"),
        events.MailboxChanged(7),
        events.TraceLogged(1, int(codes.TraceLevel.ERROR), "ServerError", SERVER_TEXT),
        events.JobStarted(7, d, "act"),
        events.JobFinished(7, d, "act", 1234, 2.5),
        events.JobFailed(7, d, "act", "ServerError", SERVER_TEXT, True, 1.0),
        events.ItemTracked(7, 1),
        events.EmailQueued(1, 7),
        disabled_after_ten_failures(),
        events.ProfilePaused(3, "2 mailboxes of profile 'Contoso' failed at once (last: ServerError); ...",
                             messages.dumps({"failing": 2, "profile": "Contoso", "last": "ServerError"})),
        events.ProfileResumed(3),
        events.AlertRaised(1, 3, "3 of 4 mailboxes ...", "AlertRaised",
                           messages.dumps({"failing": 3, "in_service": 4, "profile": "Contoso"})),
        events.IncomingMailArrived(7),
        events.RequestBudget(7, 1234, 10000, 600.0),
    )}


def lines() -> dict[type, str | None]:
    return {kind: describe(event, lambda _id: "Ann", lambda _id: "Contoso") for kind, event in every_event().items()}


@contextlib.contextmanager
def italian(qapp):
    before = set(qapp.findChildren(QTranslator))
    assert install_translations(qapp, "it") == "it"
    try:
        yield
    finally:
        for translator in set(qapp.findChildren(QTranslator)) - before:
            qapp.removeTranslator(translator)
            translator.deleteLater()


def test_every_event_has_a_feed_line_of_words(qapp):
    published = set(events.Event.__subclasses__()) - {events.QueueDepths}
    assert set(every_event()) == published, "a new event needs a line in core/feed.py"
    english = lines()
    assert english.pop(events.TraceLogged) is None  # its JobFailed line says the failure once
    assert english.pop(events.MailboxChanged) is None  # a row to re-read after each job: its job's line says it
    for kind, line in english.items():
        assert line and "=" not in line and kind.__name__ not in line, (kind, line)
    assert english[events.EngineStateChanged].endswith("  The engine is running.")
    assert english[events.JobFinished].endswith(
        "  Ann: done in 2.5 s, items synced: 1,234 (appointments, contacts and tasks).")
    assert english[events.JobFailed].endswith(
        f"  Ann: failed, will be retried (appointments, contacts and tasks, ServerError): {SERVER_TEXT}")
    assert english[events.MailboxDisabled].endswith(
        "  Ann: disabled (incoming email, TooManyTransientFailures): Failed 10 times in a row (incoming email); "
        f"the last time: {SERVER_TEXT}")
    assert english[events.ProfileResumed].endswith("  Profile Contoso answers again and resumed.")
    assert english[events.RequestBudget].endswith("  Ann: 1,234 of 10,000 requests to Microsoft Graph in 10 min.")


def test_every_feed_line_is_italian_with_the_server_text_inside(qapp):
    english = lines()
    with italian(qapp):
        assert QLocale().name() == "it_IT"
        italian_lines = lines()
    del italian_lines[events.TraceLogged], italian_lines[events.MailboxChanged]
    for kind, line in italian_lines.items():
        assert line != english[kind], f"{kind.__name__} is not translated: {line}"
    assert italian_lines[events.EngineStateChanged].endswith("  Il motore è in funzione.")
    assert italian_lines[events.JobFinished].endswith(  # Italian groups digits from five on
        "  Ann: completata in 2,5 s, elementi sincronizzati: 1234 (appuntamenti, contatti e attività).")
    assert italian_lines[events.JobFailed].endswith(
        f"  Ann: non riuscita, verrà ritentata (appuntamenti, contatti e attività, ServerError): {SERVER_TEXT}")
    assert italian_lines[events.MailboxDisabled].endswith(
        "  Ann: disattivata (posta in arrivo, TooManyTransientFailures): Non riuscita 10 volte di seguito "
        f"(posta in arrivo); l'ultima volta: {SERVER_TEXT}")
    assert italian_lines[events.RequestBudget].endswith("  Ann: 1234 richieste a Microsoft Graph su 10.000 in 10 min.")
