"""Tables of the local store. Codes follow docs/DOMAIN.md (see core/codes.py).

No password is ever stored here: profiles hold a secret *reference* resolved
through core/secrets.py.
"""
import peewee as pw

from crmsync_gui.core import codes
from crmsync_gui.core.store.base import BaseModel, utcnow


class BytesField(pw.BlobField):
    """A BLOB column read back as bytes on every database (PostgreSQL's driver hands out memoryview)."""

    def python_value(self, value):
        return bytes(value) if isinstance(value, memoryview) else value


class SchemaVersion(BaseModel):
    version = pw.IntegerField()
    applied_at = pw.DateTimeField(default=utcnow)


class OrganizationSettings(BaseModel):
    """One row: the organization-wide options."""

    name = pw.CharField(default="My organization")
    tracking_token_enabled = pw.BooleanField(default=True)
    tracking_token_prefix = pw.CharField(default="CRM")
    smart_matching_enabled = pw.BooleanField(default=False)
    max_transient_failures = pw.IntegerField(default=codes.MAX_TRANSIENT_FAILURES)
    max_attachment_bytes = pw.IntegerField(default=5 * 1024 * 1024)
    process_email_from = pw.DateTimeField(null=True)
    track_email_from_outside_org = pw.BooleanField(default=True)
    trace_retention_days = pw.IntegerField(default=30)  # trace rows older than this are pruned by the engine
    act_field_directions = pw.TextField(default="{}")  # {"contact.email": FieldDirection code}; see core/sync/act.py


class CrmUser(BaseModel):
    full_name = pw.CharField()
    email = pw.CharField(index=True)
    is_disabled = pw.BooleanField(default=False)
    tracking_option = pw.IntegerField(default=codes.TrackingOption.REPLIES_TO_CRM_EMAIL)
    token_digits = pw.IntegerField(null=True)  # the "user digits" of the tracking token
    token_counter = pw.IntegerField(default=0)  # the last "counter digits" given out (core/sync/outgoing.py)
    external_id = pw.CharField(null=True, unique=True)  # e.g. the CRM id from an Email Router file
    created_by_migration = pw.BooleanField(default=False)
    sync_filters_initialized = pw.BooleanField(default=False)  # org default filters copied once

    @property
    def label(self) -> str:
        return f"user {self.full_name} <{self.email}>"


class CrmQueue(BaseModel):
    name = pw.CharField()
    email = pw.CharField(index=True)
    tracking_option = pw.IntegerField(default=codes.TrackingOption.ALL)
    external_id = pw.CharField(null=True, unique=True)
    created_by_migration = pw.BooleanField(default=False)

    @property
    def label(self) -> str:
        return f"queue {self.name} <{self.email}>"


class EmailServerProfile(BaseModel):
    name = pw.CharField(unique=True)
    server_type = pw.IntegerField(default=codes.ServerType.EXCHANGE)
    auth_type = pw.IntegerField(default=codes.AuthType.AUTO_DETECT)
    incoming_server = pw.CharField(default="")  # URL (Exchange) or host[:port]
    outgoing_server = pw.CharField(default="")
    incoming_use_ssl = pw.BooleanField(default=True)
    outgoing_use_ssl = pw.BooleanField(default=True)
    trusted_ca_file = pw.CharField(null=True)  # explicit CA bundle for a private CA
    # POP3/IMAP/SMTP: with SSL on, upgrade a plain connection (STARTTLS) instead of connecting over SSL
    incoming_starttls = pw.BooleanField(default=False)
    outgoing_starttls = pw.BooleanField(default=False)
    allow_unencrypted = pw.BooleanField(default=False)  # SSL off to a host but this computer: refused unless set
    leave_email_on_server = pw.BooleanField(default=True)  # POP3: False deletes each email once imported
    username = pw.CharField(null=True)  # impersonation account; None: each mailbox's own credentials
    secret_ref = pw.CharField(null=True)  # key in the secret store, never the password itself
    # OAuth (Exchange Online): the tenant ID or domain, or another identity provider's token URL;
    # username is then the app's client ID and the secret its client secret
    oauth_tenant = pw.CharField(null=True)
    # Exchange: EWS or Microsoft Graph (app-only OAuth: username the client ID, the secret store the client
    # secret, or a certificate: its thumbprint and the path of its private key file, never the key itself)
    protocol = pw.IntegerField(default=codes.ExchangeProtocol.EWS)
    graph_url = pw.CharField(null=True)  # None: codes.GRAPH_URL
    oauth_authority = pw.CharField(null=True)  # the identity platform's host; None: codes.GRAPH_AUTHORITY
    certificate_thumbprint = pw.CharField(null=True)  # SHA-1, hex
    private_key_file = pw.CharField(null=True)
    max_concurrent_connections = pw.IntegerField(default=codes.DEFAULT_MAX_CONNECTIONS)
    min_polling_interval_minutes = pw.IntegerField(default=0)
    timeout_enabled = pw.BooleanField(default=True)
    timeout_ms = pw.IntegerField(default=60_000)
    process_email_from = pw.DateTimeField(null=True)
    move_failed_to_undeliverable = pw.BooleanField(default=False)
    alerts_enabled = pw.BooleanField(default=True)
    owner = pw.ForeignKeyField(CrmUser, null=True, on_delete="SET NULL", backref="owned_profiles")
    created_by_migration = pw.BooleanField(default=False)
    created_at = pw.DateTimeField(default=utcnow)
    paused_at = pw.DateTimeField(null=True)  # the engine's circuit breaker paused the profile (an outage)
    paused_reason = pw.TextField(null=True)


class Mailbox(BaseModel):
    name = pw.CharField()
    email = pw.CharField(index=True)
    owner_user = pw.ForeignKeyField(CrmUser, null=True, unique=True, on_delete="SET NULL", backref="mailboxes")
    owner_queue = pw.ForeignKeyField(CrmQueue, null=True, unique=True, on_delete="SET NULL", backref="mailboxes")
    profile = pw.ForeignKeyField(EmailServerProfile, null=True, on_delete="SET NULL", backref="mailboxes")
    username = pw.CharField(null=True)  # mailbox's own sign-in, when the profile does not impersonate
    secret_ref = pw.CharField(null=True)
    incoming_method = pw.IntegerField(default=codes.IncomingMethod.SERVER_SIDE_SYNC)
    outgoing_method = pw.IntegerField(default=codes.OutgoingMethod.SERVER_SIDE_SYNC)
    act_method = pw.IntegerField(default=codes.ActMethod.NONE)
    incoming_status = pw.IntegerField(default=codes.DirectionStatus.NOT_RUN)
    outgoing_status = pw.IntegerField(default=codes.DirectionStatus.NOT_RUN)
    act_status = pw.IntegerField(default=codes.DirectionStatus.NOT_RUN)
    approval = pw.IntegerField(default=codes.Approval.PENDING)
    incoming_enabled = pw.BooleanField(default=False)
    outgoing_enabled = pw.BooleanField(default=False)
    act_enabled = pw.BooleanField(default=False)
    is_forward_mailbox = pw.BooleanField(default=False)
    # scheduling, per direction
    incoming_next_run = pw.DateTimeField(null=True, index=True)
    outgoing_next_run = pw.DateTimeField(null=True, index=True)
    act_next_run = pw.DateTimeField(null=True, index=True)
    no_email_count = pw.IntegerField(default=0)
    act_idle_count = pw.IntegerField(default=0)  # ACT cycles in a row with nothing to sync
    transient_failure_count = pw.IntegerField(default=0)  # the highest of the three below, for display
    incoming_transient_failures = pw.IntegerField(default=0)  # in a row; at the limit counts as permanent
    outgoing_transient_failures = pw.IntegerField(default=0)
    act_transient_failures = pw.IntegerField(default=0)
    last_sync_at = pw.DateTimeField(null=True)
    # the error while it stands: a good run clears code and message unless another direction still failed;
    # last_error_at stays, when the mailbox last failed (alerts and the breaker count by it)
    last_error_code = pw.CharField(null=True)
    last_error_message = pw.TextField(null=True)
    last_error_at = pw.DateTimeField(null=True)
    arrival = pw.IntegerField(null=True)  # codes.Arrival: how new email arrives, after the last incoming run
    arrival_latency_s = pw.FloatField(null=True)  # the last tracked arrival's time to the CRM (tracking.is_arrival)
    incoming_good_run_at = pw.DateTimeField(null=True)  # when the last good incoming run began
    # the request budget its server sets (Microsoft Graph: 10,000 in 10 minutes) as its last job left it
    request_budget_used = pw.IntegerField(null=True)
    request_budget_limit = pw.IntegerField(null=True)
    request_budget_window_s = pw.FloatField(null=True)
    request_budget_at = pw.DateTimeField(null=True)  # when the engine counted it
    # processing lock: a stale one (past expiry) is force-unlocked
    lock_host = pw.CharField(null=True)  # engine worker id holding the lease
    lock_state = pw.IntegerField(default=0)  # bit 1 << Direction per direction being synced
    lock_expires = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=utcnow)

    @property
    def owner(self):
        return self.owner_user or self.owner_queue


class Account(BaseModel):
    name = pw.CharField()
    email = pw.CharField(null=True, index=True)
    owner = pw.ForeignKeyField(CrmUser, null=True, on_delete="SET NULL")
    is_active = pw.BooleanField(default=True)
    email_enabled = pw.BooleanField(default=True)


class Contact(BaseModel):
    first_name = pw.CharField(default="")
    last_name = pw.CharField(default="")
    email = pw.CharField(null=True, index=True)
    phone = pw.CharField(null=True)
    company = pw.CharField(null=True)
    job_title = pw.CharField(null=True)
    account = pw.ForeignKeyField(Account, null=True, on_delete="SET NULL")
    owner = pw.ForeignKeyField(CrmUser, null=True, on_delete="SET NULL")
    is_active = pw.BooleanField(default=True)
    email_enabled = pw.BooleanField(default=True)
    modified_at = pw.DateTimeField(default=utcnow)


class Lead(BaseModel):
    full_name = pw.CharField()
    email = pw.CharField(null=True, index=True)
    company = pw.CharField(null=True)
    owner = pw.ForeignKeyField(CrmUser, null=True, on_delete="SET NULL")
    is_active = pw.BooleanField(default=True)
    email_enabled = pw.BooleanField(default=True)


class Activity(BaseModel):
    """An email, appointment or task (activity_type), with its parties in ActivityParty."""

    activity_type = pw.IntegerField(index=True)
    subject = pw.CharField(default="")
    body = pw.TextField(default="")
    owner_user = pw.ForeignKeyField(CrmUser, null=True, on_delete="SET NULL")
    owner_queue = pw.ForeignKeyField(CrmQueue, null=True, on_delete="SET NULL")
    regarding_type = pw.CharField(null=True)  # "account", "contact", "lead"
    regarding_id = pw.IntegerField(null=True)
    # email
    email_status = pw.IntegerField(null=True, index=True)
    direction_outgoing = pw.BooleanField(null=True)
    message_id = pw.CharField(null=True, index=True)
    in_reply_to = pw.CharField(null=True)
    references = pw.TextField(null=True)
    thread_index = pw.CharField(null=True)
    tracking_token = pw.CharField(null=True, index=True)
    mailbox = pw.ForeignKeyField(Mailbox, null=True, on_delete="SET NULL")
    delivery_attempts = pw.IntegerField(default=0)
    sent_on = pw.DateTimeField(null=True)
    failure_reason = pw.TextField(null=True)
    # appointment
    starts_at = pw.DateTimeField(null=True)
    ends_at = pw.DateTimeField(null=True)
    location = pw.CharField(null=True)
    recurrence = pw.TextField(null=True)
    is_all_day = pw.BooleanField(default=False)  # then starts_at/ends_at are midnights in the zones below
    start_time_zone = pw.CharField(null=True)  # IANA names (domain/time_zones.py); None: UTC
    end_time_zone = pw.CharField(null=True)
    meeting_uid = pw.CharField(null=True, index=True)  # the iCalendar UID its Exchange copies share
    # task
    due_at = pw.DateTimeField(null=True)
    percent_complete = pw.IntegerField(null=True)
    is_completed = pw.BooleanField(default=False)
    created_at = pw.DateTimeField(default=utcnow, index=True)  # the dashboard's items synced per hour
    modified_at = pw.DateTimeField(default=utcnow)


class ActivityParty(BaseModel):
    activity = pw.ForeignKeyField(Activity, on_delete="CASCADE", backref="parties")
    role = pw.IntegerField()  # codes.PartyRole
    address = pw.CharField()
    display_name = pw.CharField(null=True)
    party_type = pw.CharField(null=True)  # "user", "queue", "contact", "account", "lead"; None: unresolved
    party_id = pw.IntegerField(null=True)
    response = pw.IntegerField(null=True)  # an attendee's codes.MeetingResponse, as the organizer's item has it


class Attachment(BaseModel):
    activity = pw.ForeignKeyField(Activity, on_delete="CASCADE", backref="attachments")
    file_name = pw.CharField()
    mime_type = pw.CharField(default="application/octet-stream")
    size = pw.IntegerField()
    content = BytesField(null=True)  # None when over the size limit
    not_kept = pw.CharField(null=True)  # why content is None, as the console shows it: "not kept: over 5 MB"


class SyncFilter(BaseModel):
    """A saved query for one entity; several for one user and entity are OR-ed.

    `user` None marks an org template, copied to each user once.
    """

    user = pw.ForeignKeyField(CrmUser, null=True, on_delete="CASCADE", backref="sync_filters")
    entity = pw.IntegerField()  # codes.SyncEntity
    name = pw.CharField()
    rules = pw.TextField(default="[]")  # JSON list of {"field", "operator", "value"}, AND-ed
    is_active = pw.BooleanField(default=True)


class FolderTrackingRule(BaseModel):
    """A folder under Inbox whose email is tracked, optionally regarding a record (max 25 per mailbox)."""

    mailbox = pw.ForeignKeyField(Mailbox, on_delete="CASCADE", backref="folder_rules")
    folder = pw.CharField()
    regarding_type = pw.CharField(null=True)
    regarding_id = pw.IntegerField(null=True)


class ItemMap(BaseModel):
    """A CRM record and its item on the mail server."""

    mailbox = pw.ForeignKeyField(Mailbox, on_delete="CASCADE", backref="item_maps")
    record_type = pw.CharField()  # "activity", "contact"
    record_id = pw.IntegerField()
    item_id = pw.CharField()
    change_key = pw.CharField(null=True)
    content_hash = pw.CharField(null=True)
    synced_recurrence = pw.TextField(null=True)  # an appointment's series as both sides last had it
    folder = pw.CharField(null=True)
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("mailbox", "item_id"), True), (("mailbox", "record_type", "record_id"), True))


class ActJournal(BaseModel):
    """An ACT write to the mail server about to be made, committed before the call (journal-first).

    "create": the new item carries `ref` on the server, so a run replayed after a crash maps the item
    it finds with that ref instead of creating a second one. "remove": the Exchange copy of a record
    that left the sync filters is being deleted; a replay finishes the removal and keeps the CRM record.
    The row goes in the transaction that records the result."""

    mailbox = pw.ForeignKeyField(Mailbox, on_delete="CASCADE", backref="act_journal")
    record_type = pw.CharField()  # as ItemMap.record_type
    record_id = pw.IntegerField()
    action = pw.CharField()  # "create" or "remove"
    ref = pw.CharField()  # the identity stamped on the server item (a random hex string)
    item_id = pw.CharField(null=True)  # the item being removed
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("mailbox", "record_type", "record_id"), True),)


class FolderSyncState(BaseModel):
    """Where incremental sync of one mailbox folder stands (EWS SyncState, IMAP UIDVALIDITY/UID, POP3 UIDLs)."""

    mailbox = pw.ForeignKeyField(Mailbox, on_delete="CASCADE", backref="sync_states")
    folder = pw.CharField()
    direction = pw.IntegerField(default=codes.Direction.INCOMING)
    state = pw.TextField(null=True)
    uid_validity = pw.BigIntegerField(null=True)
    last_uid = pw.BigIntegerField(null=True)
    # ACT: False while the cursor was read before the last run's own writes to Exchange (core/sync/act.py)
    settled = pw.BooleanField(default=True)
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("mailbox", "folder", "direction"), True),)


class UnreadableEmail(BaseModel):
    """An email the server holds that could not be read (malformed, huge, hostile), kept for the admin.

    The mailbox goes on with the next email; `raw` keeps the first bytes (core/sync/mime.py's limit).
    """

    mailbox = pw.ForeignKeyField(Mailbox, on_delete="CASCADE", backref="unreadable_emails")
    folder = pw.CharField(default="Inbox")
    server_id = pw.CharField()
    reason = pw.TextField()
    raw = BytesField(null=True)
    raw_size = pw.BigIntegerField(default=0)  # the whole email's size on the server
    found_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("mailbox", "folder", "server_id"), True),)


class TrackingDecision(BaseModel):
    """Whether one server item was tracked and why: the console's answer to "why wasn't this tracked?"."""

    mailbox = pw.ForeignKeyField(Mailbox, on_delete="CASCADE", backref="tracking_decisions")
    server_id = pw.CharField()  # the item's id on the mail server (IncomingEmail.server_id)
    folder = pw.CharField(default="Inbox")
    message_id = pw.CharField(null=True, index=True)
    subject = pw.CharField(default="")
    sender = pw.CharField(null=True)
    received_at = pw.DateTimeField(null=True)
    outcome = pw.IntegerField(index=True)  # codes.TrackingOutcome
    reason = pw.TextField()  # the whole sentence an administrator reads
    activity = pw.ForeignKeyField(Activity, null=True, on_delete="SET NULL", backref="tracking_decisions")
    correlated_with = pw.ForeignKeyField(Activity, null=True, on_delete="SET NULL", backref="+")
    correlation = pw.CharField(null=True)  # which rule linked it: "In-Reply-To", "Tracking token", ...
    decided_at = pw.DateTimeField(default=utcnow, index=True)
    mark_pending = pw.BooleanField(default=False)  # tracked, server category not set yet (schema v2)
    arrival = pw.BooleanField(default=False)  # new email, not what was there before (tracking.is_arrival)

    class Meta:
        indexes = ((("mailbox", "server_id"), True),)


class ReprocessRequest(BaseModel):
    """An administrator's Reprocess of one email (core/admin/reprocess.py): the mailbox's next incoming run
    fetches it again, parses it and tracks it under today's rules (core/sync/incoming.py), then removes this row.
    Written before the fetch, so a run that fails or stops leaves it for the next one."""

    mailbox = pw.ForeignKeyField(Mailbox, on_delete="CASCADE", backref="reprocess_requests")
    folder = pw.CharField(default="Inbox")
    server_id = pw.CharField()
    requested_by = pw.CharField()  # who asked: the administrator's account name
    requested_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("mailbox", "server_id"), True),)


class TraceLog(BaseModel):
    """The error browser's rows; repeats of one error collate into one row with a count."""

    level = pw.IntegerField(index=True)  # codes.TraceLevel
    code = pw.CharField(index=True)
    message = pw.TextField()
    mailbox = pw.ForeignKeyField(Mailbox, null=True, on_delete="CASCADE")
    profile = pw.ForeignKeyField(EmailServerProfile, null=True, on_delete="CASCADE")
    activity = pw.ForeignKeyField(Activity, null=True, on_delete="SET NULL")
    remediation = pw.TextField(default="")  # what the administrator can do about it
    args = pw.TextField(null=True)  # JSON: the message's arguments when its code has a template (core/messages.py)
    collation_key = pw.CharField(unique=True)
    count = pw.IntegerField(default=1)
    first_at = pw.DateTimeField(default=utcnow)
    last_at = pw.DateTimeField(default=utcnow, index=True)

    class Meta:
        # the error browser pages newest-first by (last_at, id), alone or within one filter
        indexes = ((("last_at", "id"), False), (("mailbox", "last_at"), False),
                   (("profile", "last_at"), False), (("level", "last_at"), False), (("code", "last_at"), False))


class Alert(BaseModel):
    level = pw.IntegerField(default=codes.TraceLevel.WARNING)
    message = pw.TextField()  # in English; the console renders code and args (core/messages.py)
    code = pw.CharField(null=True)
    args = pw.TextField(null=True)  # JSON (messages.dumps)
    profile = pw.ForeignKeyField(EmailServerProfile, null=True, on_delete="CASCADE")
    mailbox = pw.ForeignKeyField(Mailbox, null=True, on_delete="CASCADE")
    created_at = pw.DateTimeField(default=utcnow, index=True)
    acknowledged = pw.BooleanField(default=False)
    emailed_activity = pw.ForeignKeyField(Activity, null=True, on_delete="SET NULL")  # the alert email, if sent


class EngineWorker(BaseModel):
    """A running sync engine (`crmsync engine run`, the console's engine), written by its own heartbeat
    (core/sync/workers.py); one whose heartbeat is older than its lease period is lost."""

    worker_id = pw.CharField(unique=True)  # host:pid:nonce, as in Mailbox.lock_host
    host = pw.CharField()
    pid = pw.IntegerField()
    version = pw.CharField()
    started_at = pw.DateTimeField()
    heartbeat_at = pw.DateTimeField()
    lease_s = pw.FloatField()  # how long its leases last without a heartbeat
    jobs_running = pw.IntegerField(default=0)
    mailboxes_last_hour = pw.IntegerField(default=0)  # mailboxes it synced in the last hour


class SyncedHour(BaseModel):
    """What the engine synced in one hour and direction, for the dashboard's bars per hour: incoming emails
    decided, outgoing emails sent, appointments, contacts and tasks written either way (each job's items)."""

    hour = pw.DateTimeField()  # the hour's start, UTC
    direction = pw.IntegerField()  # codes.Direction
    items = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("hour", "direction"), True),)


class MigrationRun(BaseModel):
    """One applied Email Router migration: what it did and what still needs the admin (JSON, no passwords)."""

    finished_at = pw.DateTimeField(default=utcnow, index=True)
    sources = pw.TextField()  # the router folders, one a line
    result = pw.TextField()  # MigrationResult.to_dict() as JSON


ALL_MODELS = [
    SchemaVersion, OrganizationSettings, CrmUser, CrmQueue, EmailServerProfile, Mailbox,
    Account, Contact, Lead, Activity, ActivityParty, Attachment, SyncFilter, FolderTrackingRule,
    ItemMap, ActJournal, FolderSyncState, TraceLog, Alert, TrackingDecision,
    MigrationRun, UnreadableEmail, EngineWorker, SyncedHour, ReprocessRequest,
]
