"""The Email Router migration wizard, end to end on the samples, and the Migration page."""
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from crmsync_gui.core import admin
from crmsync_gui.core.store.models import CrmUser, EmailServerProfile, Mailbox
from crmsync_gui.ui.pages.migration import MigrationPage
from tests.core.router_files import exchange_router, samples, write_router
from tests.core.test_migration_reader import BILLION_LAUGHS

SHOTS = os.environ.get("CRMSYNC_SCREENSHOTS")  # a folder: save each wizard page there, to look at by eye


def shoot(widget, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


@pytest.fixture
def page(qtbot, db):
    page = MigrationPage()
    qtbot.addWidget(page)
    page.resize(1000, 640)
    page.show()
    return page


def next_page(qtbot, wizard):
    before = wizard.currentId()
    wizard.button(QWizard.WizardButton.NextButton if wizard.currentPage() is not wizard.summary
                  else QWizard.WizardButton.CommitButton).click()
    qtbot.waitUntil(lambda: wizard.currentId() != before, timeout=3000)


def test_wizard_end_to_end_on_the_samples(qtbot, page):
    assert page._stack.currentWidget() is page.empty_state
    shoot(page, "0-page-empty")
    wizard = page.start_wizard()
    qtbot.waitExposed(wizard)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled(), "nothing chosen yet"
    wizard.sources.add_paths([str(samples() / "contoso-exchange"), str(samples() / "fabrikam-pop3")])
    shoot(wizard, "1-sources")
    next_page(qtbot, wizard)

    assert wizard.currentPage() is wizard.profiles
    table = wizard.profiles.table
    assert [table.item(r, 1).text() for r in range(table.rowCount())] == ["Contoso Exchange", "Fabrikam POP3/SMTP"]
    assert [table.item(r, 6).text() for r in range(table.rowCount())] == ["Needed", "Needed"]
    assert "Processes email from 2026-10-28 22:40 UTC" in wizard.profiles.merged.text()
    shoot(wizard, "2-profiles")
    next_page(qtbot, wizard)

    assert wizard.currentPage() is wizard.mailboxes
    table = wizard.mailboxes.table
    owners = {table.item(r, 1).text(): table.item(r, 2).text() for r in range(table.rowCount())}
    assert owners["support@contoso.local"] == "Support (queue, new)"
    assert owners["old.sales@fabrikam.local"] == "no owner"
    assert wizard.mailboxes.unmapped.count() == 1
    assert "old.sales@fabrikam.local" in wizard.mailboxes.unmapped.item(0).text()
    shoot(wizard, "3-mailboxes")
    next_page(qtbot, wizard)

    assert wizard.currentPage() is wizard.summary
    assert "<b>15</b> to create" in wizard.summary.text.toHtml() or "15" in wizard.summary.text.toPlainText()
    assert "Contoso Exchange: CONTOSO\\svc-emailrouter" in wizard.summary.text.toPlainText()
    assert wizard.button(QWizard.WizardButton.CommitButton).text() == "Migrate"
    shoot(wizard, "4-summary")
    next_page(qtbot, wizard)

    assert wizard.currentPage() is wizard.run
    qtbot.waitUntil(lambda: wizard.run.done, timeout=5000)
    assert wizard.run.progress.value() == wizard.run.progress.maximum() == 9
    assert "15 created" in wizard.run.status.text()
    shoot(wizard, "5-run")
    next_page(qtbot, wizard)

    assert wizard.currentPage() is wizard.result_page
    lines = [wizard.result_page.attention.item(i).text() for i in range(wizard.result_page.attention.count())]
    assert any(line.startswith("Profile 'Contoso Exchange' needs credentials") for line in lines)
    assert any(line.startswith("Mailbox old.sales@fabrikam.local has no owner") for line in lines)
    shoot(wizard, "6-result")
    assert Mailbox.select().count() == 7 and EmailServerProfile.select().count() == 2

    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: page._stack.currentWidget() is page.last, timeout=3000)
    assert "15 created" in page.last_summary.text()
    assert page.last_attention.count() == len(lines)
    shoot(page, "7-page-last-result")


def test_hostile_file_stays_on_the_first_page_with_the_reason(qtbot, page, tmp_path):
    wizard = page.start_wizard()
    wizard.sources.add_paths([str(write_router(tmp_path / "evil", BILLION_LAUGHS.encode()))])
    wizard.button(QWizard.WizardButton.NextButton).click()
    assert wizard.currentPage() is wizard.sources
    assert wizard.sources.error.isVisible() and "declares a DTD" in wizard.sources.error.text()
    shoot(wizard, "1b-sources-refused")
    assert CrmUser.select().count() == 0


@pytest.mark.parametrize("answer", [True, False])
def test_reassign_asks_and_only_yes_remaps(qtbot, page, tmp_path, answer):
    ann = admin.add_user("Ann Lee", "ann@example.local", external_id="id-ann")
    old = admin.add_mailbox("Ann old", "ann.old@example.local")
    admin.map_mailbox(old, ann)
    wizard = page.start_wizard()
    wizard.sources.add_paths([str(exchange_router(tmp_path / "r", mailboxes=[("ann@example.local", "id-ann")]))])
    next_page(qtbot, wizard)
    next_page(qtbot, wizard)
    asked = []
    wizard.mailboxes.ask = lambda conflict: asked.append(conflict) or answer
    item = wizard.mailboxes.remap_item("ann@example.local")
    assert item.checkState() == Qt.CheckState.Unchecked
    item.setCheckState(Qt.CheckState.Checked)
    assert len(asked) == 1 and "already has the mailbox 'Ann old'" in asked[0]
    assert item.checkState() == (Qt.CheckState.Checked if answer else Qt.CheckState.Unchecked)
    if answer:
        shoot(wizard, "3b-mailboxes-remap")
    next_page(qtbot, wizard)
    assert ("will be remapped" if answer else "left as it is") in wizard.summary.text.toPlainText()
    next_page(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.run.done, timeout=5000)
    new = Mailbox.get(Mailbox.email == "ann@example.local")
    assert admin.current_mailbox_of(ann).id == (new.id if answer else old.id)
