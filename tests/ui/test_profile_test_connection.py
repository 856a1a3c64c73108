"""Test connection in the profile editor, on the console's qasync loop, against real servers: the EWS sandbox
(trusted through the profile's CA file), Dovecot's POP3 and IMAP with the aiosmtpd SMTP server, a port where
nothing listens and one that accepts but never answers (to stop a test half-way)."""
import asyncio
import gc
import socket
import time

import pytest
import qasync
from PySide6.QtCore import QTimer

from crmsync_gui.core import admin, codes
from crmsync_gui.core.store.models import EmailServerProfile
from crmsync_gui.sandbox import SandboxServer
from crmsync_gui.ui.context import secret_store
from crmsync_gui.ui.dialogs.profile_dialog import ProfileDialog
from tests.connectors.conftest import dovecot, smtp_server, test_certs  # noqa: F401 (fixtures)
from tests.servers.ports import free_port
from tests.servers.smtp import IGNORED_WARNING

pytestmark = pytest.mark.filterwarnings(IGNORED_WARNING)


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer() as server:
        server.add_mailbox("ann@sandbox.test", "ann-pw", name="Ann")
        yield server


def on_qasync(qapp, scenario):
    """Run scenario() (a coroutine or a task) on a qasync loop, as in the console."""
    async def main():
        return await scenario()

    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(qapp)) as runner:
        result = runner.run(main())
    # The closed loop's Qt timers sit in reference cycles; collected later by a worker thread, Qt would
    # warn that timers cannot be stopped from another thread. Collect them here, in the GUI thread.
    gc.collect()
    return result


def choose(combo, value):
    combo.setCurrentIndex(combo.findData(int(value)))


def exchange_dialog(qtbot, sandbox, profile=None):
    dialog = ProfileDialog(profile)
    qtbot.addWidget(dialog)
    if profile is None:
        choose(dialog.auth_type, codes.AuthType.BASIC)
        dialog.incoming_server.setText(sandbox.url)
        dialog.trusted_ca_file.setText(sandbox.ca_file)
    return dialog


def result_text(dialog):
    return dialog.test_result.text()


def test_exchange_ok_then_wrong_password_as_typed_and_unsaved(qtbot, qapp, db, sandbox):
    dialog = exchange_dialog(qtbot, sandbox)
    assert not dialog.test_button.isEnabled()  # no mailbox to sign in to yet
    dialog.test_address.setText("ann@sandbox.test")
    assert dialog.test_button.isEnabled()  # the name is still empty: a test does not need it
    dialog.password.setText("ann-pw")

    async def scenario():
        task = dialog.toggle_test()
        assert dialog.test_progress.isVisible() or not dialog.isVisible()
        assert dialog.test_button.text() == "Stop test"
        await task
        assert dialog.test_progress.isHidden() and dialog.test_button.text() == "Test connection"
        first = result_text(dialog)
        dialog.password.setText("Wr0ng-s3cret")
        await dialog.toggle_test()
        return first, result_text(dialog)

    ok, wrong = on_qasync(qapp, scenario)
    assert ok == "Incoming email: connected and signed in.\nOutgoing email: connected and signed in."
    assert wrong.startswith("Incoming email: failed (AuthenticationFailed). Exchange refused the sign-in")
    assert "\nWhat to do: Check the user name and password" in wrong and "Wr0ng-s3cret" not in wrong
    assert EmailServerProfile.select().count() == 0  # testing saved nothing


def test_the_stored_password_and_the_profile_account_are_used_when_none_is_typed(qtbot, qapp, db, sandbox):
    profile = admin.save_profile({"name": "Sandbox", "incoming_server": sandbox.url, "username": "ann@sandbox.test",
                                  "auth_type": codes.AuthType.BASIC, "trusted_ca_file": sandbox.ca_file})
    profile.secret_ref = secret_store().put("ann-pw")
    profile.save()
    dialog = exchange_dialog(qtbot, sandbox, profile)
    assert dialog.test_button.isEnabled()  # the Sign in as account is the mailbox tested
    on_qasync(qapp, dialog.toggle_test)
    assert result_text(dialog).count("connected and signed in") == 2
    # without Sign in as, each mailbox signs in with its own password: the stored one of the mailbox tested
    sandbox.add_mailbox("bea@sandbox.test", "bea-pw", name="Bea")
    bea = admin.add_mailbox("Bea", "Bea@Sandbox.test", profile)
    bea.secret_ref = secret_store().put("bea-pw")
    bea.save()
    dialog.username.setText("")
    dialog.test_address.setText("bea@sandbox.test")
    on_qasync(qapp, dialog.toggle_test)
    assert result_text(dialog).count("connected and signed in") == 2
    dialog.test_address.setText("ann@sandbox.test")  # no mailbox of that address here: the profile's password
    on_qasync(qapp, dialog.toggle_test)
    assert result_text(dialog).count("connected and signed in") == 2


@pytest.mark.parametrize("server_type", [codes.ServerType.POP3_SMTP, codes.ServerType.IMAP_SMTP])
def test_pop3_and_imap_on_dovecot(qtbot, qapp, db, dovecot, smtp_server, test_certs, server_type):  # noqa: F811
    login, password = dovecot.add_user()
    smtp_server.users[login] = password
    dialog = ProfileDialog(None)
    qtbot.addWidget(dialog)
    choose(dialog.server_type, server_type)
    port = dovecot.pop3s_port if server_type == codes.ServerType.POP3_SMTP else dovecot.imaps_port
    dialog.incoming_server.setText(f"127.0.0.1:{port}")
    dialog.outgoing_server.setText(f"127.0.0.1:{smtp_server.port}")
    dialog.outgoing_starttls.setChecked(True)
    dialog.trusted_ca_file.setText(str(test_certs.ca_file))
    dialog.test_address.setText(login)
    dialog.password.setText(password)
    on_qasync(qapp, dialog.toggle_test)
    assert result_text(dialog) == "Incoming email: connected and signed in.\nOutgoing email: connected and signed in."
    # (a wrong password is the Exchange test's: Dovecot delays every sign-in from 127.0.0.1 after one)


@pytest.fixture
def silent_port():
    """A port that accepts connections and never says a word (a hung server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def imap_dialog(qtbot, incoming_port, outgoing_port, timeout_ms=3000):
    dialog = ProfileDialog(None)
    qtbot.addWidget(dialog)
    choose(dialog.server_type, codes.ServerType.IMAP_SMTP)
    dialog.incoming_server.setText(f"127.0.0.1:{incoming_port}")
    dialog.outgoing_server.setText(f"127.0.0.1:{outgoing_port}")
    dialog.timeout_ms.setText(str(timeout_ms))
    dialog.test_address.setText("ann@example.test")
    dialog.password.setText("pw")
    return dialog


def test_a_dead_port_is_a_clear_error_and_the_dialog_stays_usable(qtbot, qapp, db):
    dialog = imap_dialog(qtbot, free_port(), free_port())
    on_qasync(qapp, dialog.toggle_test)
    lines = result_text(dialog).split("\n")
    assert lines[0].startswith("Incoming email: failed (ServerUnreachable). The IMAP server 127.0.0.1:")
    assert "refused the connection" in lines[0] and "the port is right" in lines[1]
    assert lines[1].startswith("What to do: ") and lines[2].startswith("Outgoing email: failed (ServerUnreachable). "
                                                                        "The SMTP server")
    dialog.name.setText("Kept")  # still editable and savable after the failure
    dialog.incoming_server.setText("imap.example.com")
    dialog.outgoing_server.setText("smtp.example.com")
    assert dialog.test_button.isEnabled()
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert EmailServerProfile.get(EmailServerProfile.name == "Kept").server_type == codes.ServerType.IMAP_SMTP


def test_stop_and_cancel_end_a_hung_test_at_once_and_the_window_keeps_working(qtbot, qapp, db, silent_port):
    dialog = imap_dialog(qtbot, silent_port, silent_port, timeout_ms=1000)  # so the abandoned threads end soon
    dialog.show()
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))

    async def scenario():
        timer.start(20)
        task = dialog.toggle_test()
        await asyncio.sleep(0.5)  # the server never answers; the loop must keep turning meanwhile
        assert not task.done() and dialog.test_progress.isVisible()
        started = time.monotonic()
        dialog.test_button.click()  # "Stop test"
        await task
        stopped_in = time.monotonic() - started
        stopped_text = result_text(dialog)
        second = dialog.toggle_test()
        await asyncio.sleep(0.2)
        dialog.reject()  # the dialog's Cancel stops it too
        await second
        timer.stop()
        return stopped_in, stopped_text

    stopped_in, stopped_text = on_qasync(qapp, scenario)
    assert stopped_in < 0.5 and stopped_text == "Test stopped; nothing was changed."
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert len(ticks) > 15 and max(gaps) < 0.25, f"the window froze for {max(gaps):.2f} s"
    assert not dialog.isVisible() and dialog.pending is None


def test_from_the_profiles_page_the_modal_editor_tests_on_the_consoles_loop(qtbot, qapp, db):
    """The page opens the editor with exec(), a nested Qt loop: the test's task must still run there."""
    from crmsync_gui.ui.pages.profiles import ProfilesPage

    page = ProfilesPage()
    qtbot.addWidget(page)
    seen = {}

    def drive():  # runs inside the dialog's exec()
        dialog = next(w for w in qapp.topLevelWidgets() if isinstance(w, ProfileDialog) and w.isVisible())
        choose(dialog.server_type, codes.ServerType.IMAP_SMTP)
        dialog.incoming_server.setText(f"127.0.0.1:{free_port()}")
        dialog.outgoing_server.setText(f"127.0.0.1:{free_port()}")
        dialog.test_address.setText("ann@example.test")
        dialog.password.setText("pw")
        dialog.test_button.click()

        def finished():
            if dialog.pending is not None:
                QTimer.singleShot(20, finished)
                return
            seen["result"] = result_text(dialog)
            dialog.reject()
        finished()

    async def scenario():
        closed = asyncio.get_running_loop().create_future()

        def open_editor():  # from a Qt slot, as a click on New runs it (not inside a task)
            QTimer.singleShot(100, drive)
            page.new_profile()  # blocks in exec() until drive() closes the dialog
            closed.set_result(True)
        QTimer.singleShot(0, open_editor)
        await asyncio.wait_for(closed, 20)
        return seen

    assert "Incoming email: failed (ServerUnreachable)" in on_qasync(qapp, scenario)["result"]
    assert "What to do: Check that the server runs and the port is right." in seen["result"]
    assert EmailServerProfile.select().count() == 0  # cancelled: nothing saved
