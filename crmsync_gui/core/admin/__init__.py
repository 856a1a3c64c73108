"""Every write an administrator makes: one function per action, each in one transaction.

The console and the CLI both call these; neither writes the tables itself. Modules by subject:
profiles, mailboxes (mapping, approval, enable), owners (users and queues with their settings),
filters (sync filters), folder_rules, alerts; lookup finds a record by id or name for the CLI;
samples makes rolled-back sample records for showing the dialogs.
"""
from crmsync_gui.core.admin.alerts import acknowledge_alerts
from crmsync_gui.core.admin.filters import (
    copy_templates_to_user,
    ensure_org_templates,
    org_templates,
    reset_to_org_defaults,
    save_user_filters,
)
from crmsync_gui.core.admin.folder_rules import REGARDING_MODELS, save_folder_rules
from crmsync_gui.core.admin.lookup import (
    current_mailbox_of,
    find_mailbox,
    find_profile,
    find_queue,
    find_user,
)
from crmsync_gui.core.admin.mailboxes import (
    KEEP_OWNER,
    MAILBOX_FIELDS,
    add_mailbox,
    map_mailbox,
    save_mailbox,
    set_approval,
    set_enabled,
    unmap_mailbox,
)
from crmsync_gui.core.admin.owners import (
    add_queue,
    add_user,
    is_email_address,
    save_owner,
    save_owner_settings,
)
from crmsync_gui.core.admin.profiles import PROFILE_FIELDS, default_protocol, save_profile

__all__ = [
    "KEEP_OWNER", "MAILBOX_FIELDS", "PROFILE_FIELDS", "REGARDING_MODELS", "acknowledge_alerts", "add_mailbox",
    "add_queue", "add_user", "copy_templates_to_user", "current_mailbox_of", "default_protocol", "ensure_org_templates", "find_mailbox", "find_profile", "find_queue", "find_user", "is_email_address", "map_mailbox",
    "org_templates",    "reset_to_org_defaults", "save_folder_rules", "save_mailbox", "save_owner", "save_owner_settings",
    "save_profile", "save_user_filters", "set_approval", "set_enabled", "unmap_mailbox",
]
