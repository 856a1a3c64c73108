"""The steps the ACT tests take over either protocol's world (exchange_world or graph_act_world): a sync, a CRM
contact, what the mailbox holds, an item as Outlook sees it over EWS."""
import asyncio

from crmsync_gui.core import codes
from crmsync_gui.core.connectors import _ews_act as ews_act
from crmsync_gui.core.store.models import Contact
from crmsync_gui.core.sync import act


def sync(world) -> int:
    return asyncio.run(act.run(world.job, world.connector))


def contact(world, **fields) -> Contact:
    return Contact.create(**{"first_name": "Bo", "last_name": "Berg", "email": "bo@fabrikam.com",
                             "owner": world.user, **fields})


def on_server(world, folder="contacts") -> list:
    return world.sandbox.items(world.address, folder)


def ews_item(world, item_id, entity=codes.SyncEntity.CONTACT):
    """The item as Outlook sees it, over EWS."""
    return ews_act.folder_of(world.account, entity).get(id=item_id)
