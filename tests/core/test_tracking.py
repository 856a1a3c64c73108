"""Incoming email tracking against the store only: every option, correlation rule and not-tracked reason."""
import base64
from datetime import datetime
from itertools import count

import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.core.store.models import (
    Account,
    Activity,
    ActivityParty,
    Attachment,
    Contact,
    Lead,
    OrganizationSettings,
    TrackingDecision,
)
from crmsync_gui.core.sync import tracking
from crmsync_gui.core.sync.mail import Address, IncomingAttachment, IncomingEmail

pytestmark = pytest.mark.every_database  # the same tests on SQLite and PostgreSQL

Outcome = codes.TrackingOutcome
_ids = count(1)


def incoming(sender="stranger@example.org", subject="Hello", **extra) -> IncomingEmail:
    n = next(_ids)
    fields = dict(server_id=f"item-{n}", message_id=f"<m{n}@example.org>", subject=subject,
                  sender=Address(sender, "Sender") if sender else None,
                  to=[Address("ann@contoso.com", "Ann")], received_at=datetime(2026, 11, 1, 9, 0))
    fields.update(extra)
    return IncomingEmail(**fields)


@pytest.fixture
def ann(db):
    user = admin.add_user("Ann Lee", "ann@contoso.com")
    profile = admin.save_profile({"name": "Contoso", "incoming_server": "https://mail.contoso.com/EWS/Exchange.asmx"})
    mailbox = admin.add_mailbox("Ann", "ann@contoso.com", profile)
    admin.map_mailbox(mailbox, user)
    return mailbox.__class__.get_by_id(mailbox.id)


def org(**fields) -> OrganizationSettings:
    settings = tracking.organization_settings()
    for key, value in fields.items():
        setattr(settings, key, value)
    settings.save()
    return settings


def set_option(mailbox, option):
    owner = mailbox.owner
    owner.tracking_option = option
    owner.save()


def crm_email(mailbox, subject="Offer", **fields) -> Activity:
    """An earlier CRM email (sent from the CRM), regarding an account."""
    account = Account.create(name="Fabrikam")
    return Activity.create(activity_type=codes.ActivityType.EMAIL, subject=subject, owner_user=mailbox.owner_user,
                           email_status=codes.EmailStatus.SENT, direction_outgoing=True, mailbox=mailbox,
                           regarding_type="account", regarding_id=account.id, **fields)


def test_option_all_tracks_any_email_and_stores_parties_and_attachments(ann):
    set_option(ann, codes.TrackingOption.ALL)
    contact = Contact.create(first_name="Bo", email="bo@fabrikam.com")
    org(max_attachment_bytes=10)
    email = incoming("bo@fabrikam.com", cc=[Address("nobody@else.org")],
                     attachments=[IncomingAttachment("small.txt", "text/plain", b"12345"),
                                  IncomingAttachment("big.bin", "application/octet-stream", b"x" * 11)])
    result = tracking.track_email(ann, email)
    assert result.tracked and result.outcome == Outcome.TRACKED
    activity = Activity.get_by_id(result.activity.id)
    assert activity.email_status == codes.EmailStatus.RECEIVED
    assert activity.owner_user_id == ann.owner_user_id and activity.message_id == email.message_id
    parties = {(p.role, p.address): (p.party_type, p.party_id) for p in activity.parties}
    assert parties[(codes.PartyRole.FROM, "bo@fabrikam.com")] == ("contact", contact.id)
    assert parties[(codes.PartyRole.TO, "ann@contoso.com")] == ("user", ann.owner_user_id)
    assert parties[(codes.PartyRole.CC, "nobody@else.org")] == (None, None)
    stored = {a.file_name: a for a in activity.attachments}
    assert stored["small.txt"].content == b"12345" and stored["small.txt"].size == 5
    assert stored["big.bin"].content is None and stored["big.bin"].size == 11  # over the org limit: kept out
    assert TrackingDecision.get(server_id=email.server_id).activity_id == activity.id


def test_option_none_tracks_nothing_with_reason(ann):
    set_option(ann, codes.TrackingOption.NONE)
    Contact.create(email="bo@fabrikam.com")
    result = tracking.track_email(ann, incoming("bo@fabrikam.com"))
    assert not result.tracked and result.outcome == Outcome.OPTION_NONE
    assert "None" in result.reason and Activity.select().count() == 0
    assert TrackingDecision.get(server_id=result.decision.server_id).outcome == Outcome.OPTION_NONE


def test_default_option_replies_only_refuses_an_uncorrelated_email(ann):
    assert ann.owner.tracking_option == codes.TrackingOption.REPLIES_TO_CRM_EMAIL
    email = incoming()
    result = tracking.track_email(ann, email)
    assert result.outcome == Outcome.NOT_A_REPLY and "answers no CRM email" in result.reason
    assert tracking.why_not_tracked(ann, message_id=email.message_id) == result.reason
    assert Activity.select().count() == 0


def test_replies_option_tracks_a_reply_by_in_reply_to_and_copies_regarding(ann):
    parent = crm_email(ann, message_id="<crm-1@contoso.com>")
    result = tracking.track_email(ann, incoming(subject="Re: Offer", in_reply_to="<crm-1@contoso.com>"))
    assert result.tracked and result.correlation == "In-Reply-To"
    assert (result.activity.regarding_type, result.activity.regarding_id) == ("account", parent.regarding_id)
    assert result.decision.correlated_with_id == parent.id


def test_references_match_the_nearest_known_ancestor(ann):
    older = crm_email(ann, message_id="<crm-old@contoso.com>")
    newer = crm_email(ann, message_id="<crm-new@contoso.com>")
    result = tracking.track_email(ann, incoming(
        in_reply_to="<unknown@elsewhere>", references=["<crm-old@contoso.com>", "<crm-new@contoso.com>"]))
    assert result.correlation == "References" and result.decision.correlated_with_id == newer.id != older.id


def test_tracking_token_in_subject_correlates(ann):
    parent = crm_email(ann, subject="Offer CRM:0001001", tracking_token="CRM:0001001")
    result = tracking.track_email(ann, incoming(subject="RE: Offer crm:0001001"))
    assert result.correlation == "Tracking token" and result.decision.correlated_with_id == parent.id
    assert result.activity.tracking_token == "CRM:0001001"


def test_tracking_token_follows_org_prefix_and_switch(ann):
    crm_email(ann, tracking_token="ACME:0002005")
    settings = org(tracking_token_prefix="ACME")
    assert tracking.track_email(ann, incoming(subject="Re: x ACME:0002005")).correlation == "Tracking token"
    settings.tracking_token_enabled = False
    settings.save()
    result = tracking.track_email(ann, incoming(subject="Re: x ACME:0002005"))
    assert result.outcome == Outcome.NOT_A_REPLY


def test_thread_index_matches_the_parent_conversation(ann):
    header = bytes(range(22))
    parent_index = base64.b64encode(header).decode()
    parent = crm_email(ann, thread_index=parent_index)
    reply_of_reply = base64.b64encode(header + b"\x01" * 5 + b"\x02" * 5).decode()
    result = tracking.track_email(ann, incoming(thread_index=reply_of_reply))
    assert result.correlation == "Thread-Index" and result.decision.correlated_with_id == parent.id
    other = base64.b64encode(bytes(range(1, 23)) + b"\x01" * 5).decode()
    assert tracking.track_email(ann, incoming(thread_index=other)).outcome == Outcome.NOT_A_REPLY
    assert tracking.track_email(ann, incoming(thread_index="not base64!")).outcome == Outcome.NOT_A_REPLY


def test_correlation_order_prefers_in_reply_to_over_token(ann):
    by_id = crm_email(ann, message_id="<crm-a@contoso.com>")
    crm_email(ann, tracking_token="CRM:0001002")
    result = tracking.track_email(ann, incoming(subject="Re: CRM:0001002", in_reply_to="<crm-a@contoso.com>"))
    assert result.correlation == "In-Reply-To" and result.decision.correlated_with_id == by_id.id


def test_smart_matching_is_off_by_default_and_needs_two_shared_addresses(ann):
    parent = crm_email(ann, subject="Quarterly numbers")
    for address in ("ann@contoso.com", "bo@fabrikam.com", "cy@fabrikam.com"):
        ActivityParty.create(activity=parent, role=codes.PartyRole.TO, address=address)
    reply = dict(subject="RE: Fw: Quarterly  numbers", sender="bo@fabrikam.com")
    assert tracking.track_email(ann, incoming(**reply)).outcome == Outcome.NOT_A_REPLY
    org(smart_matching_enabled=True)
    result = tracking.track_email(ann, incoming(**reply))
    assert result.correlation == "Smart matching" and result.decision.correlated_with_id == parent.id
    lonely = tracking.track_email(ann, incoming(subject="Re: Quarterly numbers", sender="zed@else.org",
                                                to=[Address("x@else.org")]))
    assert lonely.outcome == Outcome.NOT_A_REPLY  # only the subject matches: not enough


def test_from_crm_records_option(ann):
    set_option(ann, codes.TrackingOption.FROM_CRM_RECORDS)
    Lead.create(full_name="Lee", email="lee@prospect.com")
    Account.create(name="Old", email="old@gone.com", is_active=False)
    admin.add_user("Cy", "cy@contoso.com")
    assert tracking.track_email(ann, incoming("Lee@Prospect.com")).tracked
    inactive = tracking.track_email(ann, incoming("old@gone.com"))
    assert inactive.outcome == Outcome.SENDER_NOT_CRM_RECORD and "old@gone.com" in inactive.reason
    assert tracking.track_email(ann, incoming("cy@contoso.com")).outcome == Outcome.SENDER_NOT_CRM_RECORD
    crm_email(ann, message_id="<crm-z@contoso.com>")
    assert tracking.track_email(ann, incoming("x@y.org", in_reply_to="<crm-z@contoso.com>")).tracked


def test_from_email_enabled_records_option(ann):
    set_option(ann, codes.TrackingOption.FROM_EMAIL_ENABLED_RECORDS)
    Contact.create(email="quiet@fabrikam.com", email_enabled=False)
    admin.add_user("Cy", "cy@contoso.com")
    assert tracking.track_email(ann, incoming("cy@contoso.com")).tracked  # users are email-enabled
    refused = tracking.track_email(ann, incoming("quiet@fabrikam.com"))
    assert refused.outcome == Outcome.SENDER_NOT_EMAIL_ENABLED
    assert tracking.track_email(ann, incoming(sender=None)).outcome == Outcome.SENDER_NOT_EMAIL_ENABLED


def test_queue_uses_its_own_option(db):
    queue = admin.add_queue("Support", "support@contoso.com")
    mailbox = admin.map_mailbox(admin.add_mailbox("Support", "support@contoso.com"), queue)
    assert queue.tracking_option == codes.TrackingOption.ALL
    result = tracking.track_email(mailbox, incoming())
    assert result.tracked and result.activity.owner_queue_id == queue.id and result.activity.owner_user_id is None
    queue.tracking_option = codes.TrackingOption.NONE
    queue.save()
    assert tracking.track_email(mailbox, incoming()).outcome == Outcome.OPTION_NONE


def test_unmapped_mailbox_tracks_nothing(db):
    mailbox = admin.add_mailbox("Orphan", "orphan@contoso.com")
    result = tracking.track_email(mailbox, incoming())
    assert result.outcome == Outcome.NO_OWNER and "not mapped" in result.reason


def test_process_email_from_the_later_of_profile_and_org(ann):
    set_option(ann, codes.TrackingOption.ALL)
    org(process_email_from=datetime(2026, 10, 1))
    ann.profile.process_email_from = datetime(2026, 11, 1, 12, 0)
    ann.profile.save()
    early = tracking.track_email(ann, incoming(received_at=datetime(2026, 11, 1, 11, 59)))
    assert early.outcome == Outcome.BEFORE_PROCESS_FROM and "2026-11-01 12:00" in early.reason
    assert tracking.track_email(ann, incoming(received_at=datetime(2026, 11, 1, 12, 0))).tracked


def test_duplicate_message_id_for_the_same_owner(ann):
    set_option(ann, codes.TrackingOption.ALL)
    first = tracking.track_email(ann, incoming(message_id="<same@x>"))
    again = tracking.track_email(ann, incoming(message_id="<same@x>"))  # e.g. a copy in another folder
    assert first.tracked and again.outcome == Outcome.DUPLICATE and f"#{first.activity.id}" in again.reason
    other_user = admin.map_mailbox(admin.add_mailbox("Cy", "cy@contoso.com"), admin.add_user("Cy", "cy@contoso.com"))
    other_user.owner.tracking_option = codes.TrackingOption.ALL
    other_user.owner.save()
    assert tracking.track_email(other_user, incoming(message_id="<same@x>")).tracked  # another owner: own copy


def test_email_without_message_id_is_not_tracked_twice_after_a_uidvalidity_reset(ann):
    from crmsync_gui.core.sync.mime import parse_email

    set_option(ann, codes.TrackingOption.ALL)
    raw = b"From: bo@fabrikam.com\r\nTo: ann@contoso.com\r\nSubject: no id\r\n\r\nbody"
    first = tracking.track_email(ann, parse_email(raw, server_id="1700000000:5"))
    again = tracking.track_email(ann, parse_email(raw, server_id="1800000000:5"))  # the same email, new UIDVALIDITY
    assert first.tracked and again.outcome == Outcome.DUPLICATE


def test_a_server_item_is_decided_once(ann):
    set_option(ann, codes.TrackingOption.ALL)
    email = incoming()
    first = tracking.track_email(ann, email)
    second = tracking.track_email(ann, email)  # a re-run after a crash before the sync state was saved
    assert second.already_decided and second.activity.id == first.activity.id
    assert Activity.select().count() == 1 and TrackingDecision.select().count() == 1


def test_a_failure_inside_the_transaction_leaves_nothing_half_written(ann, monkeypatch):
    set_option(ann, codes.TrackingOption.ALL)

    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(tracking._Page, "_attachment_rows", broken)  # after the activity's INSERT
    email = incoming(attachments=[IncomingAttachment("a.txt", "text/plain", b"1")])
    with pytest.raises(RuntimeError):
        tracking.track_email(ann, email)
    assert Activity.select().count() == 0 and ActivityParty.select().count() == 0
    assert TrackingDecision.select().count() == 0  # so the next run decides it again


def test_folder_rule_tracks_everything_in_the_folder_with_its_regarding(ann):
    set_option(ann, codes.TrackingOption.NONE)
    account = Account.create(name="Fabrikam")
    admin.save_folder_rules(ann, [{"folder": "Fabrikam deal", "regarding_type": "account", "regarding_id": account.id},
                                  {"folder": "Misc"}])
    assert tracking.tracked_folders(ann) == ["Inbox", "Fabrikam deal", "Misc"]
    result = tracking.track_email(ann, incoming(folder="Fabrikam deal"))
    assert result.tracked and "tracked folder" in result.reason
    assert (result.activity.regarding_type, result.activity.regarding_id) == ("account", account.id)
    assert tracking.track_email(ann, incoming(folder="Misc")).activity.regarding_id is None
    assert tracking.track_email(ann, incoming(folder="Inbox")).outcome == Outcome.OPTION_NONE


def test_at_most_25_folder_rules(ann):
    rules = [{"folder": f"Folder {n}"} for n in range(codes.MAX_TRACKED_FOLDERS)]
    admin.save_folder_rules(ann, rules)
    rules[3] |= {"regarding_type": "account", "regarding_id": Account.create(name="Fabrikam").id}
    admin.save_folder_rules(ann, rules)  # an update is fine
    with pytest.raises(ValidationError, match="25 folders"):
        admin.save_folder_rules(ann, [*rules, {"folder": "One too many"}])
    with pytest.raises(ValidationError, match="both"):
        admin.save_folder_rules(ann, [{"folder": "Half", "regarding_type": "account"}])


def test_attachment_limit_is_read_from_org_settings(ann):
    set_option(ann, codes.TrackingOption.ALL)
    result = tracking.track_email(ann, incoming(attachments=[IncomingAttachment("a.bin", "x/y", b"z" * 1000)]))
    assert Attachment.get(activity=result.activity).content == b"z" * 1000  # default limit is 5 MB


def test_attachment_left_on_the_server_keeps_its_size(ann):
    set_option(ann, codes.TrackingOption.ALL)
    left = IncomingAttachment("huge.iso", "application/octet-stream", b"", size=10**9)  # the connector did not fetch it
    result = tracking.track_email(ann, incoming(attachments=[left]))
    stored = Attachment.get(activity=result.activity)
    assert stored.content is None and stored.size == 10**9


def test_an_attachment_over_the_org_limit_says_why_it_was_not_kept(ann):
    set_option(ann, codes.TrackingOption.ALL)
    org(max_attachment_bytes=5 * 1024 * 1024)
    left = IncomingAttachment("huge.iso", "application/octet-stream", b"", size=10**9)  # left on the server
    over = IncomingAttachment("scan.pdf", "application/pdf", b"%" * (5 * 1024 * 1024 + 1))
    small = IncomingAttachment("note.txt", "text/plain", b"hi")
    result = tracking.track_email(ann, incoming(attachments=[left, over, small]))
    stored = {a.file_name: a for a in Attachment.select().where(Attachment.activity == result.activity)}
    assert [stored[n].not_kept for n in ("huge.iso", "scan.pdf")] == ["not kept: over 5 MB"] * 2
    assert stored["scan.pdf"].content is None and stored["scan.pdf"].size == 5 * 1024 * 1024 + 1
    assert stored["note.txt"].not_kept is None and stored["note.txt"].content == b"hi"


def test_batch_hints_give_the_same_decisions_as_one_by_one(ann):
    """known_keys/address_book only spare lookups that would find nothing; the outcomes stay the same."""
    parent = crm_email(ann, message_id="<crm-b@contoso.com>", tracking_token="CRM:0001009")
    Contact.create(email="bo@fabrikam.com")
    first = incoming("bo@fabrikam.com", message_id="<first@fabrikam.com>", in_reply_to="<crm-b@contoso.com>")
    batch = [
        first,
        incoming("x@y.org", subject="Re: x CRM:0001009"),
        incoming("z@y.org", in_reply_to="<first@fabrikam.com>"),  # answers an email tracked in this same batch
        incoming("q@y.org"),
    ]
    settings = tracking.organization_settings()
    book: dict = {}
    known = tracking.known_keys(ann, batch, settings, book)
    assert "bo@fabrikam.com" in book and "<crm-b@contoso.com>" in known.message_ids
    results = [tracking.track_email(ann, e, settings=settings, address_book=book, known=known) for e in batch]
    assert [r.correlation for r in results] == ["In-Reply-To", "Tracking token", "In-Reply-To", None]
    assert results[0].decision.correlated_with_id == parent.id
    assert results[2].decision.correlated_with_id == results[0].activity.id
    assert results[3].outcome == Outcome.NOT_A_REPLY
    again = tracking.known_keys(ann, batch, settings)
    assert again.decided == {e.server_id for e in batch}
    assert all(tracking.track_email(ann, e, known=again).already_decided for e in batch)


def test_batch_address_lookup_prefers_users_then_queues_then_contacts(ann):
    admin.add_queue("Support", "shared@contoso.com")
    Contact.create(email="shared@contoso.com")
    Lead.create(full_name="L", email="lead@p.com", email_enabled=False)
    book: dict = {}
    tracking.resolve_addresses(["Ann@Contoso.com", "shared@contoso.com", "lead@p.com", "nobody@x.org"], book)
    assert book["ann@contoso.com"].party_type == "user"
    assert book["shared@contoso.com"].party_type == "queue"
    assert (book["lead@p.com"].party_type, book["lead@p.com"].email_enabled) == ("lead", False)
    assert book["nobody@x.org"] is None
    assert all(book[a] == tracking.resolve_address(a) for a in book)


def test_a_page_gives_the_decisions_one_by_one_tracking_gives(ann):
    """track_page writes a page with few statements; an email answering one earlier in the page still finds it."""
    set_option(ann, codes.TrackingOption.REPLIES_TO_CRM_EMAIL)
    parent = crm_email(ann, message_id="<crm-p@contoso.com>", tracking_token="CRM:0001010")
    first = incoming(message_id="<first@fabrikam.com>", in_reply_to="<crm-p@contoso.com>",
                     attachments=[IncomingAttachment("a.txt", "text/plain", b"1")])
    page = [
        first,
        incoming(subject="Re: x CRM:0001010", cc=[Address("cy@contoso.com", "Cy")]),
        incoming(in_reply_to="<first@fabrikam.com>"),  # answers an email tracked in this same page
        incoming(message_id="<first@fabrikam.com>"),  # the first one again: a duplicate
        incoming(),
    ]
    results = tracking.track_page(ann, page, settings=tracking.organization_settings(), address_book={})
    assert [r.correlation for r in results] == ["In-Reply-To", "Tracking token", "In-Reply-To", None, None]
    assert [r.outcome for r in results] == [Outcome.TRACKED] * 3 + [Outcome.DUPLICATE, Outcome.NOT_A_REPLY]
    assert results[0].decision.correlated_with_id == parent.id
    assert results[2].decision.correlated_with_id == results[0].activity.id
    assert f"#{results[0].activity.id}" in results[3].reason
    assert Attachment.get(activity=results[0].activity).content == b"1"
    assert [p.address for p in Activity.get_by_id(results[1].activity.id).parties] == [
        "stranger@example.org", "ann@contoso.com", "cy@contoso.com"]
    assert TrackingDecision.select().count() == 5
    assert tracking.track_page(ann, page, settings=tracking.organization_settings(), address_book={}) == []


def test_a_page_keeping_emails_whose_content_is_still_on_the_server_writes_nothing_and_names_them(ann):
    """Decided on headers and body first: ContentNeeded names the tracked ones still without their content, the
    transaction writes nothing (not even the part written before a reply that needed it), and the same page with
    their content is decided the same way."""
    crm_email(ann, message_id="<crm-c@contoso.com>")
    answer = incoming("bo@fabrikam.com", message_id="<c1@fabrikam.com>", in_reply_to="<crm-c@contoso.com>",
                      content_later=True)
    page = [answer, incoming("cy@fabrikam.com", in_reply_to="<c1@fabrikam.com>"),  # written before it is decided
            incoming("spam@junk.example", content_later=True)]  # not tracked: its content is never asked for
    settings = tracking.organization_settings()
    with pytest.raises(tracking.ContentNeeded) as needed:
        tracking.track_page(ann, page, settings=settings, address_book={})
    assert needed.value.server_ids == [answer.server_id]
    assert TrackingDecision.select().count() == 0 and Activity.select().count() == 1  # the CRM email only
    answer.content_later = False
    answer.attachments = [IncomingAttachment("terms.txt", "text/plain", b"signed")]
    results = tracking.track_page(ann, page, settings=settings, address_book={})
    assert [r.tracked for r in results] == [True, True, False]
    assert results[1].decision.correlated_with_id == results[0].activity.id
    assert Attachment.get().content == b"signed"
