"""What an ownership or sync-filter change would create and delete in the mailbox's Exchange folders, before it
is saved: the dry run the console's dialogs and `crmsync mailboxes map --dry-run` show. Changes nothing.

The next ACT sync creates an item for each record the new filters take in that the mailbox does not hold yet,
and removes the items of the mapped records they leave out (the CRM records stay). A queue's mailbox syncs email
only, so its items are kept as they are.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from crmsync_gui.core import codes
from crmsync_gui.core.domain.sync_filters import Entity, Rule
from crmsync_gui.core.store.filter_queries import entity_query, matching_query, query_for_rule_sets
from crmsync_gui.core.store.models import CrmQueue, CrmUser, ItemMap, Mailbox
from crmsync_gui.core.sync.act import RECORD_TYPE


@dataclass
class ExchangeChanges:
    """Per entity, the names of the records whose Exchange items would be created, and deleted."""

    created: dict[Entity, list[str]] = field(default_factory=dict)
    deleted: dict[Entity, list[str]] = field(default_factory=dict)
    kept: int = 0  # items left as they are, no longer kept in step (a queue's mailbox)

    @property
    def nothing(self) -> bool:
        return not any(self.created.values()) and not any(self.deleted.values())

    def counts(self) -> tuple[int, int]:
        """(items created, items deleted)."""
        return sum(map(len, self.created.values())), sum(map(len, self.deleted.values()))

    def lines(self, limit: int = 10) -> list[str]:
        """The dry run in English, as the CLI prints it: each entity's creations and deletions, `limit` names each."""
        out = []
        for verb, changes in (("created in", self.created), ("deleted from", self.deleted)):
            for entity, names in changes.items():
                if names:
                    more = f" and {len(names) - limit} more" if len(names) > limit else ""
                    out.append(f"{codes.SyncEntity(entity).label} {verb} Exchange ({len(names)}): "
                               f"{', '.join(names[:limit])}{more}")
        return out


def of_ownership(mailbox: Mailbox | None, owner: CrmUser | CrmQueue, act_syncs: bool) -> ExchangeChanges:
    """What `owner` becoming the owner of `mailbox` (None: a new one) would do in Exchange."""
    if not act_syncs:
        return ExchangeChanges()
    if isinstance(owner, CrmQueue):
        kept = 0 if mailbox is None else ItemMap.select().where(
            ItemMap.mailbox == mailbox.id, ItemMap.record_type.in_(list(RECORD_TYPE.values()))).count()
        return ExchangeChanges(kept=kept)
    return _changes(mailbox, {entity: matching_query(owner, entity) for entity in Entity})


def of_filters(user: CrmUser, filters: dict[Entity, list[list[Rule]]]) -> ExchangeChanges:
    """What saving these rule sets (per entity, the active queries' rules) would do in the user's mailbox."""
    mailbox = Mailbox.get_or_none(Mailbox.owner_user == user.id)
    if mailbox is None or mailbox.act_method != codes.ActMethod.SERVER_SIDE_SYNC:
        return ExchangeChanges()
    return _changes(mailbox, {Entity(entity): query_for_rule_sets(entity, sets, user.id)
                              for entity, sets in filters.items()})


def _changes(mailbox: Mailbox | None, wanted_queries: dict) -> ExchangeChanges:
    changes = ExchangeChanges()
    for entity, query in wanted_queries.items():
        mapped = set() if mailbox is None else {r for (r,) in ItemMap.select(ItemMap.record_id).where(
            ItemMap.mailbox == mailbox.id, ItemMap.record_type == RECORD_TYPE[entity]).tuples()}
        wanted = {r for (r,) in query.select(query.model.id).tuples()}
        changes.created[entity] = _names(entity, wanted - mapped)
        changes.deleted[entity] = _names(entity, mapped - wanted)
    return changes


def _names(entity: Entity, ids: set[int]) -> list[str]:
    if not ids:
        return []
    query = entity_query(entity)
    rows = query.where(query.model.id.in_(sorted(ids)))
    if entity == Entity.CONTACT:
        return sorted(f"{c.first_name or ''} {c.last_name or ''}".strip() or c.email or f"#{c.id}" for c in rows)
    return sorted(a.subject or f"#{a.id}" for a in rows)
