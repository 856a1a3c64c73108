"""Carrying out a migration plan in one transaction.

Applying reconciles: each profile, owner and mailbox is looked up by its
natural key (profile name, the file's user/queue id, mailbox address) and only
what differs is written, so the same plan applied twice changes nothing the
second time. Remaps go through `admin.map_mailbox`, the one place that rule lives.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from peewee import fn

from crmsync_gui.core import admin, codes
from crmsync_gui.core.errors import MappingConflict, ValidationError
from crmsync_gui.core.migration.directory import MODELS, Directory
from crmsync_gui.core.migration.plan import (
    MailboxPlan,
    MigrationPlan,
    OwnerPlan,
    PlanAction,
    ProfilePlan,
    _mailbox_fields,
)
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import CrmUser, EmailServerProfile, Mailbox, MigrationRun

Progress = Callable[[int, int, str], None]  # (done, total, what)


@dataclass
class MigrationResult:
    created: Counter = field(default_factory=Counter)  # kind ("profile", "mailbox", "user", "queue") -> count
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    profiles: list[dict] = field(default_factory=list)
    mailboxes: list[dict] = field(default_factory=list)
    unmapped: list[dict] = field(default_factory=list)
    not_remapped: list[dict] = field(default_factory=list)
    needs_credentials: list[dict] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)  # one sentence each: what the admin should do next
    warnings: list[str] = field(default_factory=list)
    awaiting_approval: int = 0
    run_id: int | None = None

    def to_dict(self) -> dict:
        return {
            "applied": True,
            "profiles": self.profiles,
            "mailboxes": self.mailboxes,
            "unmapped": self.unmapped,
            "not_remapped": self.not_remapped,
            "needs_credentials": self.needs_credentials,
            "attention": self.attention,
            "warnings": [{"message": w} for w in self.warnings],
            "created": sum(self.created.values()),
            "updated": sum(self.updated.values()),
            "unchanged": sum(self.unchanged.values()),
            "by_kind": {"created": dict(self.created), "updated": dict(self.updated),
                        "unchanged": dict(self.unchanged)},
        }


def apply_plan(plan: MigrationPlan, *, confirm: bool | set[str] = False,
               progress: Progress | None = None) -> MigrationResult:
    """Apply `plan`; `confirm` is True for every remap, or the addresses of the mailboxes whose remap is confirmed.

    Everything happens in one transaction: a failure leaves the database as it was.
    """
    result = MigrationResult(warnings=list(plan.warnings))
    steps = [p for p in plan.profiles if p.action != PlanAction.SKIP]
    total = len(steps) + len(plan.mailboxes)
    done = 0
    with database_proxy.atomic():
        profiles: dict[str, EmailServerProfile] = {}
        for profile_plan in steps:
            profiles[profile_plan.name] = _apply_profile(profile_plan, result)
            done += 1
            if progress:
                progress(done, total, f"Profile {profile_plan.name}")
        directory = Directory()
        owners = _apply_owners(plan, directory, result)
        new_rows: list[tuple[MailboxPlan, dict]] = []
        for mailbox_plan in plan.mailboxes:
            confirmed = confirm is True or (isinstance(confirm, set) and mailbox_plan.email in confirm)
            owner = owners.get(id(mailbox_plan.owner)) if mailbox_plan.owner else None
            row = _apply_mailbox(mailbox_plan, owner, profiles, directory, confirmed, result)
            if row is not None:
                new_rows.append((mailbox_plan, row))
            done += 1
            if progress:
                progress(done, total, f"Mailbox {mailbox_plan.email}")
        _insert_mailboxes(new_rows, owners, result)
        result.unmapped = [u.to_dict() for u in plan.unmapped]
        _attention(plan, profiles, result)
        run = MigrationRun.create(sources="\n".join(plan.folders or plan.routers),
                                  result=json.dumps(result.to_dict(), default=str))
        result.run_id = run.id
    return result


def last_run() -> tuple[MigrationRun, dict] | None:
    """The latest applied migration and its result, for the console's Migration page."""
    run = MigrationRun.select().order_by(MigrationRun.id.desc()).first()
    return (run, json.loads(run.result)) if run is not None else None


def _apply_profile(plan: ProfilePlan, result: MigrationResult) -> EmailServerProfile:
    existing = EmailServerProfile.get_or_none(fn.LOWER(EmailServerProfile.name) == plan.name.lower())
    if existing is None:
        profile = admin.save_profile({"name": plan.name, **plan.fields(), "created_by_migration": True})
        result.created["profile"] += 1
        outcome = "created"
    else:
        changes = {k: v for k, v in plan.fields().items() if getattr(existing, k) != v}
        profile = admin.save_profile(changes, profile=existing) if changes else existing
        (result.updated if changes else result.unchanged)["profile"] += 1
        outcome = "updated" if changes else "unchanged"
    result.profiles.append({"name": profile.name, "id": profile.id, "outcome": outcome,
                            "type": codes.ServerType(profile.server_type).label})
    return profile


def _apply_owners(plan: MigrationPlan, directory: Directory, result: MigrationResult) -> dict[int, object]:
    """Find, link or create every mailbox owner; return id(OwnerPlan) -> row. New ones are inserted in batches."""
    found: dict[int, object] = {}
    missing: dict[str, list[OwnerPlan]] = {"user": [], "queue": []}
    for owner in (m.owner for m in plan.mailboxes if m.owner is not None):
        row = directory.by_external_id[owner.kind].get(owner.external_id) if owner.external_id else None
        if row is None and owner.row_id is not None:
            row = directory.by_id[owner.kind].get(owner.row_id)
            if row is not None and owner.external_id and not row.external_id:
                row.external_id = owner.external_id  # link the existing row to the router's id
                row.save()
                directory.add_owner(owner.kind, row)
                result.updated[owner.kind] += 1
                found[id(owner)] = row
                continue
        if row is not None:
            result.unchanged[owner.kind] += 1
            found[id(owner)] = row
        elif owner.external_id:
            if directory.by_email[owner.kind].get(owner.email):  # as admin.add_user / add_queue would refuse
                raise ValidationError({"email": f"a {owner.kind} with the address {owner.email} already exists"})
            missing[owner.kind].append(owner)
    for kind, owners in missing.items():
        model = MODELS[kind]
        name_field = "full_name" if kind == "user" else "name"
        rows = [{name_field: o.name, "email": o.email, "external_id": o.external_id, "created_by_migration": True}
                for o in owners]
        for chunk in _chunks(rows):
            model.insert_many(chunk).execute()
        for chunk in _chunks([o.external_id for o in owners]):
            for row in model.select().where(model.external_id.in_(chunk)):
                directory.add_owner(kind, row)
        for owner in owners:
            found[id(owner)] = directory.by_external_id[kind][owner.external_id]
        result.created[kind] += len(owners)
    return found


def _apply_mailbox(plan: MailboxPlan, owner, profiles: dict, directory: Directory, confirmed: bool,
                   result: MigrationResult) -> dict | None:
    """Update or create one mailbox; return the row to insert when it can go in the batch (no remap needed)."""
    kind_of_owner = "user" if isinstance(owner, CrmUser) else "queue"
    wanted = _mailbox_fields(plan)
    profile = profiles.get(plan.profile)
    wanted["profile"] = profile.id if profile else None
    existing = directory.mailboxes.get(plan.email)
    if not existing and (owner is None or (kind_of_owner, owner.id) not in directory.mailbox_of):
        # every row names the same columns: insert_many takes them from the first row
        return wanted | {"email": plan.email,
                         "owner_user": owner.id if owner is not None and kind_of_owner == "user" else None,
                         "owner_queue": owner.id if owner is not None and kind_of_owner == "queue" else None}
    if not existing:
        mailbox = admin.add_mailbox(wanted.pop("name"), plan.email, profile=profile, **{
            k: v for k, v in wanted.items() if k != "profile"})
        kind, outcome = result.created, "created"
    else:
        mailbox = existing[0]
        changes = {k: v for k, v in wanted.items() if k != "profile" and getattr(mailbox, k) != v}
        if mailbox.profile_id != wanted["profile"]:
            changes["profile"] = profile
        for key, value in changes.items():
            setattr(mailbox, key, value)
        if changes:
            mailbox.save()
        kind, outcome = (result.updated, "updated") if changes else (result.unchanged, "unchanged")
    current = directory.owner_of(mailbox)
    label = current[1].label if current else None
    if owner is not None and (current is None or current[1] != owner):
        if current is not None and not confirmed:
            result.not_remapped.append({"email": plan.email, "reason": f"it belongs to {current[1].label}; "
                                        f"the router gives it to {owner.label}."})
        else:
            try:
                admin.map_mailbox(mailbox, owner, confirm=confirmed)
                label = owner.label
                if outcome == "unchanged":
                    kind, outcome = result.updated, "updated"
            except MappingConflict as exc:
                result.not_remapped.append({"email": plan.email, "reason": str(exc)})
    kind["mailbox"] += 1
    result.awaiting_approval += mailbox.approval != codes.Approval.APPROVED
    result.mailboxes.append({"email": plan.email, "id": mailbox.id, "outcome": outcome,
                             "owner": label, "profile": plan.profile})
    return None


def _insert_mailboxes(rows: list[tuple[MailboxPlan, dict]], owners: dict, result: MigrationResult) -> None:
    """New mailboxes whose owner has none yet: the same rows admin.add_mailbox and map_mailbox would write."""
    for chunk in _chunks([row for _, row in rows]):
        Mailbox.insert_many(chunk).execute()
    ids: dict[str, int] = {}
    for chunk in _chunks([plan.email for plan, _ in rows]):
        ids.update((m.email, m.id) for m in Mailbox.select(Mailbox.id, Mailbox.email).where(Mailbox.email.in_(chunk)))
    for plan, _ in rows:
        owner = owners.get(id(plan.owner)) if plan.owner else None
        result.mailboxes.append({"email": plan.email, "id": ids[plan.email], "outcome": "created",
                                 "owner": owner.label if owner else None, "profile": plan.profile})
    result.created["mailbox"] += len(rows)
    result.awaiting_approval += len(rows)  # a new mailbox's address is pending approval


def _chunks(items: list, size: int = 200):
    """Batches small enough for SQLite's limit on query parameters."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _attention(plan: MigrationPlan, profiles: dict[str, EmailServerProfile], result: MigrationResult) -> None:
    """One sentence per thing to do; long runs of the same kind end in a count (the lists keep every entry)."""
    for profile_plan in plan.profiles:
        profile = profiles.get(profile_plan.name)
        if profile is None:
            result.attention.append(f"Profile '{profile_plan.name}' was not created: {profile_plan.problem}.")
        elif not profile.secret_ref and profile_plan.needs_credentials:
            accounts = ", ".join(profile_plan.accounts) or profile.username or "its account"
            result.needs_credentials.append({"profile": profile.name, "accounts": profile_plan.accounts})
            result.attention.append(f"Profile '{profile.name}' needs credentials: passwords are not carried over; "
                                    f"enter the password for {accounts} on the Email server profiles page.")
    lines = []
    for entry in result.unmapped:
        if not entry["mailbox_created"]:
            lines.append(f"Mailbox {entry['email']} was not migrated, since {entry['reason']}.")
        else:
            lines.append(f"Mailbox {entry['email']} has no owner, since {entry['reason']}. Map it to its user or "
                         f"queue: crmsync mailboxes map {entry['email']} --user ADDRESS.")
    _capped(result, lines, "mailbox(es) have no owner or were not migrated (see the unmapped list)")
    _capped(result, [f"Mailbox {e['email']} was not remapped: {e['reason']} Confirm the remap in the wizard, "
                     "or run again with --yes." for e in result.not_remapped],
            "mailbox(es) were not remapped (see the not remapped list)")
    _capped(result, [f"Mailbox {m.email} signs in as '{m.username}': enter its password."
                     for m in plan.mailboxes if m.username],
            "mailbox(es) sign in with their own account: enter their passwords")
    _capped(result, [f"Mailbox {m.email}: the router's last error was \"{m.router_last_error}\"; check the "
                     "account before enabling it." for m in plan.mailboxes if m.router_last_error],
            "mailbox(es) had an error in the router's last state: check them before enabling")
    if result.awaiting_approval:
        result.attention.append(f"{result.awaiting_approval} migrated mailbox(es) await email address approval; "
                                "approve them, then run Test & Enable.")


def _capped(result: MigrationResult, lines: list[str], rest: str, limit: int = 10) -> None:
    result.attention.extend(lines[:limit])
    if len(lines) > limit:
        result.attention.append(f"{len(lines) - limit} more {rest}.")
