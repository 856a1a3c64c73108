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
from crmsync_gui.core.errors import MappingConflict
from crmsync_gui.core.migration.plan import (
    MailboxPlan,
    MigrationPlan,
    OwnerPlan,
    ProfilePlan,
    _mailbox_fields,
)
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import CrmQueue, CrmUser, EmailServerProfile, Mailbox, MigrationRun

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
    steps = [p for p in plan.profiles if p.action != "skip"]
    total = len(steps) + len(plan.mailboxes)
    done = 0
    with database_proxy.atomic():
        profiles: dict[str, EmailServerProfile] = {}
        for profile_plan in steps:
            profiles[profile_plan.name] = _apply_profile(profile_plan, result)
            done += 1
            if progress:
                progress(done, total, f"Profile {profile_plan.name}")
        for mailbox_plan in plan.mailboxes:
            confirmed = confirm is True or (isinstance(confirm, set) and mailbox_plan.email in confirm)
            _apply_mailbox(mailbox_plan, profiles, confirmed, result)
            done += 1
            if progress:
                progress(done, total, f"Mailbox {mailbox_plan.email}")
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


def _apply_owner(plan: OwnerPlan, result: MigrationResult) -> CrmUser | CrmQueue | None:
    model = CrmUser if plan.kind == "user" else CrmQueue
    if plan.external_id:
        row = model.get_or_none(model.external_id == plan.external_id)
        if row is not None:
            result.unchanged[plan.kind] += 1
            return row
    if plan.row_id is not None:
        row = model.get_or_none(model.id == plan.row_id)
        if row is not None and plan.external_id and not row.external_id:
            row.external_id = plan.external_id  # link the existing row to the router's id
            row.save()
            result.updated[plan.kind] += 1
        elif row is not None:
            result.unchanged[plan.kind] += 1
        return row
    add = admin.add_user if plan.kind == "user" else admin.add_queue
    row = add(plan.name, plan.email, external_id=plan.external_id or None, created_by_migration=True)
    result.created[plan.kind] += 1
    return row


def _apply_mailbox(plan: MailboxPlan, profiles: dict, confirmed: bool, result: MigrationResult) -> None:
    owner = _apply_owner(plan.owner, result) if plan.owner else None
    wanted = _mailbox_fields(plan)
    wanted["profile"] = profiles.get(plan.profile)
    mailbox = Mailbox.select().where(fn.LOWER(Mailbox.email) == plan.email).order_by(Mailbox.id).first()
    if mailbox is None:
        mailbox = admin.add_mailbox(wanted.pop("name"), plan.email, **wanted)
        kind, outcome = result.created, "created"
    else:
        profile = wanted.pop("profile")
        changes = {k: v for k, v in wanted.items() if getattr(mailbox, k) != v}
        if mailbox.profile_id != (profile.id if profile else None):
            changes["profile"] = profile
        for key, value in changes.items():
            setattr(mailbox, key, value)
        if changes:
            mailbox.save()
        kind, outcome = (result.updated, "updated") if changes else (result.unchanged, "unchanged")
    if owner is not None and mailbox.owner != owner:
        if mailbox.owner is not None and not confirmed:
            result.not_remapped.append({"email": plan.email, "reason": f"it belongs to {mailbox.owner.label}; "
                                        f"the router gives it to {owner.label}"})
        else:
            try:
                admin.map_mailbox(mailbox, owner, confirm=confirmed)
                if outcome == "unchanged":
                    kind, outcome = result.updated, "updated"
            except MappingConflict as exc:
                result.not_remapped.append({"email": plan.email, "reason": str(exc)})
    kind["mailbox"] += 1
    result.mailboxes.append({"email": plan.email, "id": mailbox.id, "outcome": outcome,
                             "owner": mailbox.owner.label if mailbox.owner else None,
                             "profile": plan.profile})


def _attention(plan: MigrationPlan, profiles: dict[str, EmailServerProfile], result: MigrationResult) -> None:
    for profile_plan in plan.profiles:
        profile = profiles.get(profile_plan.name)
        if profile is None:
            result.attention.append(f"Profile '{profile_plan.name}' was not created: {profile_plan.problem}.")
        elif not profile.secret_ref and profile_plan.needs_credentials:
            accounts = ", ".join(profile_plan.accounts) or profile.username or "its account"
            result.needs_credentials.append({"profile": profile.name, "accounts": profile_plan.accounts})
            result.attention.append(f"Profile '{profile.name}' needs credentials: passwords are not carried over; "
                                    f"enter the password for {accounts} on the Email server profiles page.")
    for entry in result.unmapped:
        if not entry["mailbox_created"]:
            result.attention.append(f"Mailbox {entry['email']} was not migrated, since {entry['reason']}.")
            continue
        result.attention.append(f"Mailbox {entry['email']} has no owner, since {entry['reason']}. Map it to its "
                                f"user or queue: crmsync mailboxes map {entry['email']} --user ADDRESS.")
    for entry in result.not_remapped:
        result.attention.append(f"Mailbox {entry['email']} was not remapped: {entry['reason']} "
                                "Confirm the remap in the wizard, or run again with --yes.")
    for mailbox in plan.mailboxes:
        if mailbox.username:
            result.attention.append(f"Mailbox {mailbox.email} signs in as '{mailbox.username}': enter its password.")
        if mailbox.router_last_error:
            result.attention.append(f"Mailbox {mailbox.email}: the router's last error was "
                                    f"\"{mailbox.router_last_error}\"; check the account before enabling it.")
    pending = Mailbox.select().where(Mailbox.email.in_([m.email for m in plan.mailboxes]),
                                     Mailbox.approval != codes.Approval.APPROVED).count()
    if pending:
        result.attention.append(f"{pending} migrated mailbox(es) await email address approval; approve them, "
                                "then run Test & Enable.")
