"""piccolo tables: tenants, people, cases and their append-only event log.

Every tenant-owned table has a ``tenant`` foreign key, and every query on it goes through
the tenant-scoped services (:mod:`alur.tenants.services`), which always filter on it.
Schema changes go through the migrations in ``piccolo_migrations/``. Composite unique
indexes (a unit slug per tenant, a task number and an event seq per case, a chain position
per tenant, a day off per tenant, an indicator set per tenant and period, a submission
version per case and unit) and lookup indexes are listed in :data:`INDEXES` and created by
the migrations as ``CREATE [UNIQUE] INDEX``, which SQLite and PostgreSQL both support (SQLite
cannot add constraints to a table). tests/storage/test_schema_matches_tables.py checks that the
migrated database is exactly what this module declares.

Which database the tables talk to is chosen once, from configuration, by
:func:`alur.tenants.storage.database.bind` — never at import time.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    Bytea,
    Date,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from alur.tenants.storage.piccolo_patches.foreign_key import ForeignKey


class Tenant(Table, tablename="alur_tenant"):
    """An OPD: one government office, bound to the plugin whose SOPs it runs."""

    slug = Varchar(length=64, unique=True)
    name = Varchar(length=255)
    plugin = Varchar(length=100)
    sops = JSON(default="[]")  # SOP ids it runs; empty = all SOPs of its plugin
    office_start = Varchar(length=5, default="07:30")
    office_end = Varchar(length=5, default="16:00")
    timezone = Varchar(length=64, default="Asia/Jakarta")
    suspended = Boolean(default=False)
    chain_seq = Integer(default=0)  # number of events in the tenant's hash chain
    chain_head = Varchar(length=64, default="")  # hash of the last event
    created_at = Timestamptz(default=TimestamptzNow())
    # The office's clock policy (alur.core.clock.ClockPolicy.to_mapping); {} = the defaults.
    clock_policy = JSON(default="{}")
    # Who last saved it (name and username as they were) and when; "" / None: never saved.
    clock_policy_by = Varchar(length=255, default="")
    clock_policy_at = Timestamptz(null=True, default=None)
    # The kop (letterhead) of its signed reports: the place before the date, the address line.
    kop_place = Varchar(length=100, default="")
    kop_address = Varchar(length=255, default="")
    # The office's own identity on its SOP sheets and reports (issue 16; set by its admin):
    # pemerintah line, unit name (empty: the office's name), telephone and email.
    kop_government = Varchar(length=255, default="")
    kop_unit = Varchar(length=255, default="")
    kop_phone = Varchar(length=64, default="")
    kop_email = Varchar(length=254, default="")
    # The office day whose daily digest was made (alur.tenants.clock.digest); None: never.
    digest_on = Date(null=True, default=None)
    # The office's monev policy (alur.tenants.monitoring.monev_policy): {"role": <assessor
    # role id>, "every_months": 6}; {} = none chosen yet. Who saved it last and when.
    monev_policy = JSON(default="{}")
    monev_policy_by = Varchar(length=255, default="")
    monev_policy_at = Timestamptz(null=True, default=None)


class Unit(Table, tablename="alur_unit"):
    """A bidang / bagian of a tenant; fan-out steps run once per active unit."""

    tenant = ForeignKey(Tenant, null=False)
    slug = Varchar(length=64, index=True)
    name = Varchar(length=255)
    active = Boolean(default=True)


class DayOff(Table, tablename="alur_day_off"):
    """A tenant-declared day off (cuti bersama, local holiday) on its working calendar."""

    tenant = ForeignKey(Tenant, null=False)
    day = Date()
    name = Varchar(length=255, default="")


class User(Table, tablename="alur_user"):
    """A person who logs in; belongs to tenants through memberships."""

    username = Varchar(length=64, unique=True)
    name = Varchar(length=255)
    nip = Varchar(length=32, default="")
    jabatan = Varchar(length=255, default="")
    password_hash = Varchar(length=255)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # How the person is told (alur.tenants.notify): validated contact details, the channels
    # they chose ([] = the defaults), digest only, and whether they accept messages outside
    # office hours. ``language`` is the language of their emails ("id" or "en").
    email = Varchar(length=254, default="")
    whatsapp = Varchar(length=20, default="")  # E.164, e.g. +6281234567890
    channels = JSON(default="[]")
    digest_only = Boolean(default=False)
    after_hours = Boolean(default=False)
    language = Varchar(length=8, default="id")
    pangkat = Varchar(length=100, default="")  # pangkat/golongan, e.g. "Pembina, IV/a"
    # i15-passwords (alur.tenants.identity.passwords): a one-time password to replace at the
    # next sign-in, when it stops working, and the version sessions are checked against.
    must_change_password = Boolean(default=False)
    password_expires_at = Timestamptz(null=True, default=None)
    password_version = Integer(default=0)


class Operator(Table, tablename="alur_operator"):
    """A platform operator (provincial IT): manages tenants, reads across them."""

    username = Varchar(length=64, unique=True)
    name = Varchar(length=255)
    password_hash = Varchar(length=255)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # i15-passwords: as for User
    must_change_password = Boolean(default=False)
    password_expires_at = Timestamptz(null=True, default=None)
    password_version = Integer(default=0)


class Membership(Table, tablename="alur_membership"):
    """A user's role (pelaksana) in a tenant, in a unit for per-unit roles.

    A row with ``administrator`` set makes the user a tenant administrator; ``role`` may
    then be empty.
    """

    tenant = ForeignKey(Tenant, null=False)
    user = ForeignKey(User, null=False)
    role = Varchar(length=64, default="")
    unit = ForeignKey(Unit, null=True)
    administrator = Boolean(default=False)


class Delegation(Table, tablename="alur_delegation"):
    """Plt/Plh: ``delegate`` holds ``official``'s role (and unit) from ``starts_on`` to
    ``ends_on`` inclusive."""

    tenant = ForeignKey(Tenant, null=False)
    delegate = ForeignKey(User, null=False)
    official = ForeignKey(User, null=False)
    role = Varchar(length=64)
    unit = ForeignKey(Unit, null=True)
    kind = Varchar(length=3)  # "Plt" or "Plh"
    starts_on = Date()
    ends_on = Date()
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class SopSnapshot(Table, tablename="alur_sop_snapshot"):
    """A definition exactly as a case pinned it, addressed by its content hash."""

    definition_hash = Varchar(length=64, unique=True)
    plugin = Varchar(length=100)
    sop_id = Varchar(length=100)
    version = Varchar(length=64)
    body = JSON()


class Case(Table, tablename="alur_case"):
    """One run of an SOP for a period. ``state`` is the engine state after event
    ``last_seq`` (a cache of the event log, so loading a case costs the same however long
    its history is)."""

    tenant = ForeignKey(Tenant, null=False)
    key = Varchar(length=32, unique=True)  # the case's id in URLs and the API
    plugin = Varchar(length=100)
    sop_id = Varchar(length=100)
    definition_hash = Varchar(length=64)
    period = Varchar(length=100)
    status = Varchar(length=16, index=True)
    state = JSON()
    last_seq = Integer(default=0)
    started_by = ForeignKey(User, null=True)
    started_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)
    ended_at = Timestamptz(null=True, default=None)


class Task(Table, tablename="alur_task"):
    """A task row per engine task, kept in step with the events, for inboxes and lists."""

    tenant = ForeignKey(Tenant, null=False)
    case = ForeignKey(Case, null=False)
    task_no = Integer()
    step = Integer()
    unit = Varchar(length=64, null=True, default=None)
    role = Varchar(length=64, index=True)
    status = Varchar(length=16, index=True)  # open | done | cancelled
    opened_at = Timestamptz()
    due = Timestamptz(null=True, default=None)
    assignee = ForeignKey(User, null=True)
    return_note = Text(default="")
    closed_at = Timestamptz(null=True, default=None)
    escalated_role = Varchar(length=64, null=True, default=None)  # "perlu perhatian" of this role


class Event(Table, tablename="alur_event"):
    """The append-only log. ``prev_hash``/``hash`` chain every event of a tenant, in
    ``chain_seq`` order, keyed by the audit key ``key_id`` ("": an unkeyed link written
    before the chain was keyed); ``alur audit verify`` recomputes the chain. An event of the
    office itself (kind ``office_changed``, :mod:`alur.tenants.audit.office_log`) has no
    case: ``case`` is NULL and ``seq`` is 0."""

    tenant = ForeignKey(Tenant, null=False)
    case = ForeignKey(Case, null=True)
    seq = Integer()
    chain_seq = Integer(index=True)
    kind = Varchar(length=32)
    at = Timestamptz()
    actor = Varchar(length=64, null=True, default=None)
    actor_name = Varchar(length=255, default="")
    role = Varchar(length=64, null=True, default=None)
    delegation = Varchar(length=3, null=True, default=None)
    acting_for = Varchar(length=64, null=True, default=None)
    acting_for_name = Varchar(length=255, null=True, default=None)
    step = Integer(null=True, default=None)
    unit = Varchar(length=64, null=True, default=None)
    task_no = Integer(null=True, default=None)
    note = Text(default="")
    due = Timestamptz(null=True, default=None)
    payload = JSON(default="{}")
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)
    key_id = Varchar(length=32, default="")
    # the recap hash a paraf/tanda tangan approved (copied from payload.data.kinerja when
    # written; not hashed): the public verification page's index
    approval_hash = Varchar(length=64, null=True, default=None)


class OfficeLogo(Table, tablename="alur_office_logo"):
    """The logo of an office's kop (one per office), uploaded by its administrator."""

    tenant = ForeignKey(Tenant, null=False)
    content_type = Varchar(length=32)
    size = Integer()
    content = Bytea()
    updated_by = Varchar(length=255, default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class Attachment(Table, tablename="alur_attachment"):
    """A file a step produced (scan, spreadsheet, letter), with its content hash."""

    tenant = ForeignKey(Tenant, null=False)
    case = ForeignKey(Case, null=False)
    task_no = Integer(null=True, default=None)
    filename = Varchar(length=255)
    content_type = Varchar(length=100)
    size = Integer()
    sha256 = Varchar(length=64)
    content = Bytea()
    uploaded_by = ForeignKey(User, null=True)
    uploaded_at = Timestamptz(default=TimestamptzNow())


class IndicatorSetRow(Table, tablename="alur_indicator_set"):
    """The format data kinerja of one tenant for one period (unique per tenant and period);
    its indicators are :class:`IndicatorRow` rows. See :mod:`alur.tenants.kinerja.service`."""

    tenant = ForeignKey(Tenant, null=False)
    period = Varchar(length=120)
    updated_at = Timestamptz(default=TimestamptzNow())
    updated_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)


class IndicatorRow(Table, tablename="alur_indicator"):
    """One indikator kinerja of a set, at ``position``. ``target`` is the canonical decimal
    text (never a float); ``units`` a JSON list of unit slugs (empty: every unit)."""

    tenant = ForeignKey(Tenant, null=False)
    indicator_set = ForeignKey(IndicatorSetRow, null=False, on_delete=OnDelete.cascade)
    position = Integer()
    code = Varchar(length=64)
    sasaran = Text()
    text = Text()
    unit_of_measure = Varchar(length=100, default="")
    target = Varchar(length=64)
    direction = Varchar(length=8, default="higher")  # "higher" | "lower"
    units = JSON(default="[]")
    allow_negative = Boolean(default=False)


class SubmissionRow(Table, tablename="alur_kinerja_submission"):
    """One version of one unit's filled format in a case (unique per case, unit, version).

    ``entries`` is a JSON list of ``{indicator, realisasi (decimal text), explanation,
    evidence: [{name, sha256, attachment_id}]}``.
    """

    tenant = ForeignKey(Tenant, null=False)
    case = ForeignKey(Case, null=False)
    unit = Varchar(length=64)
    version = Integer()
    entries = JSON(default="[]")
    submitted_by = ForeignKey(User, null=False)
    submitted_at = Timestamptz(default=TimestamptzNow())


class ApiToken(Table, tablename="alur_api_token"):
    """A GraphQL bearer token, stored as a SHA-256 hash. ``tenant`` is null for a platform
    token (provincial IT), which reads across tenants. ``user`` is the person the token acts
    for (required for write tokens, so every event names a real person); see
    :mod:`alur.tenants.identity.tokens`."""

    tenant = ForeignKey(Tenant, null=True)
    user = ForeignKey(User, null=True)
    name = Varchar(length=100)
    scope = Varchar(length=8)  # read | write
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)


class ApiRate(Table, tablename="alur_api_rate"):
    """The requests an API token made in its current window (:mod:`alur.tenants.identity.api_rate`).
    ``token`` is the token's id, and the primary key: one row per token, removed with it
    (``ON DELETE CASCADE`` in the migration)."""

    token = Integer(primary_key=True)
    window_start = BigInt()  # epoch seconds, a multiple of the window
    requests = Integer()


class Session(Table, tablename="alur_session"):
    """A server-side web session."""

    session_id = Varchar(length=64, unique=True)
    data = Bytea()
    expires_at = Timestamptz(index=True)


class LoginThrottle(Table, tablename="alur_login_throttle"):
    """Failed sign-ins counted in a window, per username and per client address, shared by
    every app process (see :mod:`alur.tenants.identity.throttle`). One row per ``(kind, subject)``
    (a ``CREATE UNIQUE INDEX``); ``window_start`` is in Unix seconds."""

    kind = Varchar(length=8)  # username | address
    subject = Varchar(length=200)
    window_start = BigInt()
    failures = Integer()


class Timer(Table, tablename="alur_timer"):
    """A clock timer of an open task (:func:`alur.core.clock.timers_for`), written with the
    task_opened event and deleted when it fires or its task closes. The worker's sweep reads
    the due ones by ``fires_at``, so its cost follows what is due, not what is open."""

    tenant = ForeignKey(Tenant, null=False)
    case = ForeignKey(Case, null=False)
    task_no = Integer()
    kind = Varchar(length=16)  # remind_before | remind_due | escalate
    fires_at = Timestamptz(index=True)
    to_role = Varchar(length=64, default="")


class Notification(Table, tablename="alur_notification"):
    """One thing a person was told (a reminder, an escalation, a digest), shown in the app's
    notification list. ``key`` is the idempotency key: the same notice is never made twice.
    ``body`` holds what the message says as data, rendered in the reader's language."""

    tenant = ForeignKey(Tenant, null=False)
    user = ForeignKey(User, null=False)
    kind = Varchar(length=32)
    case = ForeignKey(Case, null=True)
    task_no = Integer(null=True, default=None)
    body = JSON(default="{}")
    key = Varchar(length=200, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)


class Webhook(Table, tablename="alur_webhook"):
    """An integrator's URL that receives the office's events, signed with its ``secret``
    (HMAC-SHA256 over timestamp and body)."""

    tenant = ForeignKey(Tenant, null=False)
    url = Varchar(length=2000)
    secret = Varchar(length=128)
    events = JSON(default="[]")  # event kinds it wants; [] = all
    active = Boolean(default=True)
    created_by = ForeignKey(User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Delivery(Table, tablename="alur_delivery"):
    """One message to send through one channel (email, webhook, a plugin's channel), with its
    attempts. ``key`` is its idempotency key; the job queue only says *when* to try, this row
    says whether it was sent. ``status``: pending | sending | sent | failed."""

    tenant = ForeignKey(Tenant, null=False)
    notification = ForeignKey(Notification, null=True)
    webhook = ForeignKey(Webhook, null=True)
    channel = Varchar(length=64)
    recipient = Varchar(length=2000)
    payload = JSON(default="{}")
    key = Varchar(length=200, unique=True)
    status = Varchar(length=16, default="pending")
    attempts = Integer(default=0)
    not_before = Timestamptz(null=True, default=None)  # office hours, for those who asked
    next_attempt_at = Timestamptz(null=True, default=None)
    lease_until = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)


class PlatformEvent(Table, tablename="alur_platform_event"):
    """One entry of the platform-level log: what an operator did to a whole office (suspend,
    resume, export, import, delete), chained with the audit key like an office's events
    (:mod:`alur.tenants.offices.platform_log`). ``seq`` is the entry's place (unique)."""

    seq = Integer()
    at = Timestamptz(default=TimestamptzNow())
    actor = Varchar(length=100, default="")
    action = Varchar(length=32, default="")  # suspended | resumed | exported | imported | deleted
    office = Varchar(length=64, default="")  # the office's slug (the office may be gone)
    details = JSON(default="{}")
    archive_sha256 = Varchar(length=64, default="")  # of the export archive, when one was made
    chain_seq = Integer(default=0)  # the office's chain length and head at that moment
    chain_head = Varchar(length=64, default="")
    prev_hash = Varchar(length=64, default="")
    hash = Varchar(length=64, default="")
    key_id = Varchar(length=32, default="")


class OfficePlugin(Table, tablename="alur_office_plugin"):
    """A plugin an operator allows an office to adopt SOPs from, besides its own
    (``alur_tenant.plugin``, always allowed): :mod:`alur.tenants.sop_life.adoption`."""

    tenant = ForeignKey(Tenant, null=False)
    plugin = Varchar(length=100)
    allowed_by = Varchar(length=255, default="")
    allowed_at = Timestamptz(default=TimestamptzNow())


class SopRevision(Table, tablename="alur_sop_revision"):
    """One revision of an office's SOP (:mod:`alur.tenants.sop_life.revisions`): the office's
    part (``part``, the mapping form of :class:`alur.core.sop_life.part.OfficePart`) over the
    plugin definition ``base_hash`` (a snapshot in ``alur_sop_snapshot``). ``content_hash`` is
    the hash of the resulting definition (its snapshot is stored from submission on);
    ``version`` counts the saves, so a second editor's stale save is told. ``number`` is the
    "Revisi ke-n" (0: the office's first version)."""

    tenant = ForeignKey(Tenant, null=False)
    plugin = Varchar(length=100)
    sop_id = Varchar(length=100)
    number = Integer(default=0)
    state = Varchar(length=16, default="draf")
    base_hash = Varchar(length=64)
    part = JSON(default="{}")
    content_hash = Varchar(length=64, default="")
    version = Integer(default=1)
    effective_on = Date(null=True, default=None)
    note = Text(default="")  # the last return note, or why it was revoked
    signatory = JSON(default="{}")  # who approved it: nama, jabatan, nip (from disahkan on)
    approved_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_by = Varchar(length=255, default="")
    updated_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)  # diganti or dicabut


class WorkerHeartbeat(Table, tablename="alur_worker_heartbeat"):
    """A running worker process (``alur worker``, or ``alur serve``'s in-process jobs): where it
    runs, since when, and when it last said so (every ~30 s,
    :mod:`alur.tenants.observability.heartbeat`). ``/readyz`` reads the newest ``seen_at``."""

    host = Varchar(length=255)
    pid = Integer()
    started_at = Timestamptz(default=TimestamptzNow())
    seen_at = Timestamptz(default=TimestamptzNow(), index=True)


class StepSpanRow(Table, tablename="alur_step_span"):
    """One task of a case as a :class:`alur.core.monitoring.spans.StepSpan` (office minutes on
    the office's calendar): the Mutu baku projection (:mod:`alur.tenants.monitoring.projection`).
    Derived from the events and rebuilt by a refresh; not a source of truth, not archived."""

    tenant = ForeignKey(Tenant, null=False)
    case = ForeignKey(Case, null=False)
    plugin = Varchar(length=100)
    sop_id = Varchar(length=100)
    task_no = Integer()
    step = Integer()
    unit = Varchar(length=64, null=True, default=None)
    role = Varchar(length=64)
    opened_at = Timestamptz()
    claimed_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    outcome = Varchar(length=16, null=True, default=None)  # done | ya | tidak | cancelled
    actor = Varchar(length=64, null=True, default=None)
    actor_name = Varchar(length=255, default="")
    round = Integer(default=0)
    total = Integer(null=True, default=None)
    waiting = Integer(null=True, default=None)
    working = Integer(null=True, default=None)
    standard = Integer(null=True, default=None)


class SpanProgress(Table, tablename="alur_span_progress"):
    """How far a case's spans were projected: the case's ``last_seq`` when they were written
    (``seq``) and the fingerprint of the office calendar they were computed on."""

    tenant = ForeignKey(Tenant, null=False)
    case = ForeignKey(Case, null=False)
    seq = Integer(default=0)
    calendar = Varchar(length=64, default="")


class MonevForm(Table, tablename="alur_monev_form"):
    """One SOP monitoring form (monev) of an office: an SOP in force (``definition_hash``)
    over a period, pre-filled from the measured figures (:mod:`alur.tenants.monitoring.monev`).
    ``form`` is the current content (:meth:`alur.core.monitoring.monev.MonevForm.to_dict`),
    ``content_hash`` its hash, ``version`` counts its versions (a stale save is told). State
    ``open`` until the assessor's paraf (``diparaf``), which records who, when, and their
    name, jabatan and NIP as they were."""

    tenant = ForeignKey(Tenant, null=False)
    plugin = Varchar(length=100)
    sop_id = Varchar(length=100)
    definition_hash = Varchar(length=64)
    period_start = Date()
    period_end = Date()
    state = Varchar(length=16, default="open")
    due_on = Date()
    remind_on = Date()  # the office date its assessors are reminded, while still open
    version = Integer(default=1)
    form = JSON(default="{}")
    content_hash = Varchar(length=64, default="")
    opened_by = Varchar(length=255, default="")  # a name, or "" when the worker opened it
    opened_at = Timestamptz(default=TimestamptzNow())
    updated_by = Varchar(length=255, default="")
    updated_at = Timestamptz(default=TimestamptzNow())
    paraf_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    paraf_at = Timestamptz(null=True, default=None)
    paraf_name = Varchar(length=255, default="")
    paraf_jabatan = Varchar(length=255, default="")
    paraf_nip = Varchar(length=32, default="")


class MonevVersion(Table, tablename="alur_monev_version"):
    """Every version of a monev form: what it held (``form`` JSON and its hash), what made
    it (``what``: opened, saved, diparaf, reopened), who and when."""

    tenant = ForeignKey(Tenant, null=False)
    monev = ForeignKey(MonevForm, null=False)
    version = Integer(default=1)
    what = Varchar(length=16, default="")
    form = JSON(default="{}")
    content_hash = Varchar(length=64, default="")
    saved_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    saved_by_name = Varchar(length=255, default="")
    saved_at = Timestamptz(default=TimestamptzNow())


TABLES: tuple[type[Table], ...] = (
    Tenant,
    Unit,
    DayOff,
    User,
    Operator,
    Membership,
    Delegation,
    SopSnapshot,
    Case,
    Task,
    Event,
    Attachment,
    IndicatorSetRow,
    IndicatorRow,
    SubmissionRow,
    ApiToken,
    ApiRate,
    Session,
    LoginThrottle,
    Timer,
    Notification,
    Webhook,
    Delivery,
    OfficeLogo,
    PlatformEvent,
    WorkerHeartbeat,
    OfficePlugin,
    SopRevision,
    StepSpanRow,
    SpanProgress,
    MonevForm,
    MonevVersion,
)

# The indexes that columns' own ``unique=True`` / ``index=True`` cannot express: composite ones,
# and lookups added after their table was created. The migrations create them with
# ``CREATE [UNIQUE] INDEX``; tests/storage/test_schema_matches_tables.py checks that the migrated
# database has exactly these. (table, columns, unique)
INDEXES: tuple[tuple[type[Table], tuple[str, ...], bool], ...] = (
    (Unit, ("tenant", "slug"), True),
    (DayOff, ("tenant", "day"), True),
    (Membership, ("tenant", "user"), False),
    (Membership, ("user",), False),
    (Delegation, ("delegate",), False),
    (Case, ("tenant", "updated_at"), False),
    (Task, ("case", "task_no"), True),
    (Task, ("tenant", "status", "role"), False),
    (Event, ("case", "seq"), True),
    (Event, ("tenant", "chain_seq"), True),
    (Attachment, ("case",), False),
    (IndicatorSetRow, ("tenant", "period"), True),
    (IndicatorRow, ("indicator_set", "code"), True),
    (IndicatorRow, ("tenant", "indicator_set"), False),
    (SubmissionRow, ("case", "unit", "version"), True),
    (LoginThrottle, ("kind", "subject"), True),
    (LoginThrottle, ("window_start",), False),
    (OfficePlugin, ("tenant", "plugin"), True),
    (SopRevision, ("tenant", "sop_id", "number"), True),
    (Task, ("tenant", "status", "escalated_role"), False),
    (Timer, ("case", "task_no", "kind"), True),
    (Notification, ("user", "read_at"), False),
    (Notification, ("tenant", "user", "created_at"), False),
    (Webhook, ("tenant",), False),
    (Delivery, ("status", "next_attempt_at"), False),
    (Delivery, ("tenant", "created_at"), False),
    (OfficeLogo, ("tenant",), True),
    (Event, ("approval_hash",), False),
    (PlatformEvent, ("seq",), True),
    (PlatformEvent, ("office",), False),
    (StepSpanRow, ("case", "task_no"), True),
    (StepSpanRow, ("tenant", "sop_id", "closed_at"), False),
    (StepSpanRow, ("plugin", "sop_id", "closed_at"), False),
    (SpanProgress, ("case",), True),
    (SpanProgress, ("tenant",), False),
    (MonevForm, ("tenant", "sop_id", "period_start"), True),
    (MonevForm, ("state", "remind_on"), False),
    (MonevVersion, ("monev", "version"), True),
)
