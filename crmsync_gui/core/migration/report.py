"""Plain-text rendering of a migration plan and result, for the command line."""
from __future__ import annotations

from crmsync_gui.core import codes
from crmsync_gui.core.migration.apply import MigrationResult
from crmsync_gui.core.migration.plan import MigrationPlan, OwnerAction, PlanAction

_VERB = {PlanAction.CREATE: "create", PlanAction.UPDATE: "update", PlanAction.UNCHANGED: "unchanged",
         PlanAction.SKIP: "SKIP"}


def plan_text(plan: MigrationPlan, *, apply_hint: str) -> str:
    lines = [f"Email Router migration plan for {len(plan.routers)} router(s): {', '.join(plan.routers)}. "
             "Nothing has changed yet.", ""]
    lines.append("Profiles:")
    for p in plan.profiles:
        servers = p.incoming_server + (f" + {p.outgoing_server}" if p.outgoing_server else "")
        extra = "; needs credentials" if p.needs_credentials else ""
        extra += f"; changes {', '.join(p.changes)}" if p.changes else ""
        extra += f"; {p.problem}" if p.problem else ""
        lines.append(f"  {_VERB[p.action]:<10} {p.name} ({_type(p)}, {servers}){extra}")
        lines.append(f"             from {'; '.join(p.sources)}")
        if p.process_email_from:
            lines.append(f"             processes email from {p.process_email_from:%Y-%m-%d %H:%M} UTC, the router's "
                         "earliest last poll (it handled older email)")
    if not plan.profiles:
        lines.append("  (none)")
    lines += ["", "Mailboxes:"]
    for m in plan.mailboxes:
        owner = (f"{m.owner.label}{' (new)' if m.owner.action == OwnerAction.CREATE else ''}" if m.owner else "no owner")
        lines.append(f"  {_VERB[m.action]:<10} {m.email} -> {owner}, profile {m.profile}")
    if not plan.mailboxes:
        lines.append("  (none)")
    _section(lines, "Unmapped (no owner)", [f"{u.email}: {u.reason}" for u in plan.unmapped])
    _section(lines, "Conflicts (remapped only when confirmed with --yes)",
             [f"{m.email}: {m.conflict}" for m in plan.conflicts])
    _section(lines, "Warnings", plan.warnings)
    _section(lines, "Unknown elements (ignored)",
             [f"{u['router']}/{u['element']}" + (f" x{u['count']}" if u["count"] > 1 else "")
              for u in plan.unknown_elements])
    counts = plan.counts()
    lines += ["", f"Summary: {counts['created']} to create, {counts['updated']} to update, "
                  f"{counts['unchanged']} unchanged. {apply_hint}"]
    return "\n".join(lines)


def result_text(result: MigrationResult) -> str:
    data = result.to_dict()
    kinds = ", ".join(f"{n} {k}(s)" for k, n in sorted(result.created.items())) or "nothing"
    lines = [f"Migrated: {data['created']} created, {data['updated']} updated, {data['unchanged']} unchanged "
             f"(created: {kinds})."]
    _section(lines, "Needs attention", result.attention)
    _section(lines, "Warnings", result.warnings)
    return "\n".join(lines)


def _section(lines: list[str], title: str, items: list[str]) -> None:
    if items:
        lines += ["", f"{title}:"] + [f"  - {item}" for item in items]


def _type(profile) -> str:
    return codes.ServerType(profile.server_type).label
