"""The core's reasons beside a dialog's fields, in Italian under --lang it (issue 23 item 9): a mailbox's, a new
user's and an existing address's; the core and the CLI keep them in English."""
import pytest

from crmsync_gui.core import admin
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.ui.dialogs.mailbox_dialog import MailboxDialog
from crmsync_gui.ui.dialogs.new_owner_dialog import NewOwnerDialog
from tests.ui.test_live_feed_words import italian


def test_mailbox_and_new_user_reasons_in_italian(qtbot, qapp, db):
    admin.add_user("Ann Lee", "ann@contoso.com")
    with pytest.raises(ValidationError, match="^A user with the address ann@contoso.com already exists.$"):
        admin.add_user("Ann Again", "ann@contoso.com")  # the core's English
    with italian(qapp):
        mailbox = MailboxDialog(None)
        qtbot.addWidget(mailbox)
        mailbox.email.setText("box@contoso.com")
        mailbox.save()
        assert mailbox.rows["name"].reason.text() == "una cassetta postale ha bisogno di un nome"
        mailbox.name.setText("Box")
        mailbox.email.setText("not an address")
        mailbox.save()
        assert mailbox.rows["email"].reason.text() == "'not an address' non è un indirizzo di posta"
        user = NewOwnerDialog("user")
        qtbot.addWidget(user)
        user.name.setText("Ann Again")
        user.email.setText("ann@contoso.com")
        user.save()
        assert user.rows["email"].reason.text() == "esiste già un utente con l'indirizzo ann@contoso.com"
        assert user.created is None
