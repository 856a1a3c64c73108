"""Email Router migration: read a router's files safely, plan, then apply in one transaction (no Qt)."""
from crmsync_gui.core.migration.apply import MigrationResult, apply_plan, last_run
from crmsync_gui.core.migration.plan import MigrationPlan, plan_migration
from crmsync_gui.core.migration.reader import MAX_ROUTERS, MAX_TOTAL_BYTES, find_routers

__all__ = ["MAX_ROUTERS", "MAX_TOTAL_BYTES", "MigrationPlan", "MigrationResult", "apply_plan", "find_routers",
           "last_run", "plan_migration"]
