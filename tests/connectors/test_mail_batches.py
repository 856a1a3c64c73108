"""POP3 and IMAP track a fetched batch together (one lookup of its addresses and keys): the decisions
are the same as one email at a time would give."""
import email as email_lib

import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.connectors.imap import ImapConnector
from crmsync_gui.core.connectors.pop3 import Pop3Connector
from crmsync_gui.core.store.models import Activity, Contact, TrackingDecision
from crmsync_gui.core.sync import incoming
from tests.connectors import corpus
from tests.connectors.conftest import run


def sync(account, connector_class):
    async def go():
        connector = connector_class(account.profile)
        try:
            return await incoming.run(account.job(), connector)
        finally:
            await connector.close()
    return run(go())


@pytest.mark.parametrize(("account_fixture", "connector_class"),
                         [("pop3_account", Pop3Connector), ("imap_account", ImapConnector)])
def test_a_batch_answers_itself_and_resolves_its_senders(account_fixture, connector_class, request):
    account = request.getfixturevalue(account_fixture)
    bob = Contact.create(first_name="Bob", last_name="Stone", email="Bob@Fabrikam.test")
    offer = corpus.email("Offer")
    offer_id = email_lib.message_from_bytes(offer)["Message-ID"]
    reply = corpus.email("Re: Offer", sender="Carol <carol@elsewhere.test>", In_Reply_To=offer_id)
    # one sync, one batch: the reply and the second copy come after the email they refer to
    account.append(offer, reply, offer)
    assert sync(account, connector_class) == 3

    outcomes = [(d.subject, codes.TrackingOutcome(d.outcome), d.correlation)
                for d in TrackingDecision.select().order_by(TrackingDecision.id)]
    assert outcomes == [("Offer", codes.TrackingOutcome.TRACKED, None),
                        ("Re: Offer", codes.TrackingOutcome.TRACKED, "In-Reply-To"),
                        ("Offer", codes.TrackingOutcome.DUPLICATE, None)]
    tracked_offer = Activity.get(Activity.subject == "Offer")
    assert Activity.get(Activity.subject == "Re: Offer").id != tracked_offer.id
    parties = {(p.address, p.party_type, p.party_id) for p in tracked_offer.parties}
    assert ("bob@fabrikam.test", "contact", bob.id) in parties  # the sender resolved, case aside
    assert ("carol@elsewhere.test", None, None) in {(p.address, p.party_type, p.party_id)
                                                    for p in Activity.get(Activity.subject == "Re: Offer").parties}
