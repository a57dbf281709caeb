"""The kernel's tables: the people-facing chat profile, staff accounts, units, organisations, audit.

A chat is only ever known by a blind index of its id (`core.crypto.blind_index("chat", id)`);
the id itself is never stored here.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields, models
from tortoise.indexes import Index


class ChatProfile(models.Model):
    """What the bot remembers about a private chat: language and country, nothing else."""

    id = fields.IntField(primary_key=True)
    chat_key = fields.CharField(max_length=64, unique=True)
    language = fields.CharField(max_length=16, default="en")
    country = fields.CharField(max_length=8, null=True)
    # No timestamps: when a chat came or changed its choices would date its activity.

    class Meta:
        table = "chat_profile"


class ChatMessage(models.Model):
    """A message in a chat that the bot may still delete for "Erase this chat" (kept 48 hours).

    `at` is always given, as the hour, never finer (core.coarse), so these rows cannot be paired
    with a tip (auto_now_add only fills it when forgotten)."""

    id = fields.IntField(primary_key=True)
    chat_key = fields.CharField(max_length=64, db_index=True)
    message_id = fields.BigIntField()
    at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "chat_message"
        unique_together = (("chat_key", "message_id"),)


class AbuseCounter(models.Model):
    """How often something was tried in the current window, shared by every bot process.

    Receipt guesses, say: counted here, a restart forgets nothing. Keyed by a blind index of what
    is counted (a chat id, or "all"), never the value itself; see tips.abuse."""

    id = fields.IntField(primary_key=True)
    counter_key = fields.CharField(max_length=64, unique=True)
    scope = fields.CharField(max_length=32, db_index=True)  # the limit's name, e.g. "receipt"
    window_start = fields.BigIntField()  # Unix seconds
    hits = fields.IntField(default=0)

    class Meta:
        table = "abuse_counter"


class Role(StrEnum):
    ADMIN = "admin"  # manages staff, units, routing, settings; never reads tips
    FOCAL_POINT = "focal_point"  # law enforcement: reads and handles its unit's tips
    EDITOR = "editor"  # NGO / media: writes campaigns and content
    APPROVER = "approver"  # NGO / media: approves others' campaigns
    UNIT_LEAD = "unit_lead"  # law enforcement: a focal point who also assigns, shares, closes
    ANALYST = "analyst"  # counts of tips, never their content
    AUDITOR = "auditor"  # reads the audit log


class Organisation(models.Model):
    """An NGO or media partner that owns campaigns."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200, unique=True)
    kind = fields.CharField(max_length=20, default="ngo")  # ngo | media | agency
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "organisation"


class Unit(models.Model):
    """A law-enforcement unit (national focal point) or the regional fallback desk."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200)
    country = fields.CharField(max_length=8, null=True)  # None for the regional desk
    is_regional = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "unit"


class StaffMember(models.Model):
    """A person who signs in to the admin. Keys are for sealing tips (see tips/ and core.crypto)."""

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    display_name = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=20)
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "core.Unit", related_name="staff", null=True, on_delete=fields.SET_NULL
    )
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "core.Organisation", related_name="staff", null=True, on_delete=fields.SET_NULL
    )
    password_hash = fields.CharField(max_length=255)
    totp_secret_sealed = fields.BinaryField(null=True)
    public_key = fields.BinaryField(null=True)
    private_key_wrapped = fields.BinaryField(null=True)  # wrapped with a key from the password
    private_key_recovery = fields.BinaryField(null=True)  # wrapped with the one-time recovery key
    key_salt = fields.BinaryField(null=True)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff_member"


class AuditEntry(models.Model):
    """One thing that happened, who did it, to what. Written, never edited."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)
    actor = fields.CharField(max_length=64)  # "staff:<id>", "bot", "system", "cli"
    action = fields.CharField(max_length=64, db_index=True)
    target = fields.CharField(max_length=64, null=True)  # "tip:<id>", "campaign:<id>"
    details = fields.JSONField(default=dict)

    class Meta:
        table = "audit_entry"
        ordering = ("-id",)
        # A tip page's timeline reads the entries about one tip. Made by tips migration 0007_inbox,
        # the migration of the inbox that needs it.
        indexes = (Index(fields=("target", "id"), name="audit_entry_by_target"),)


class StaffSession(models.Model):
    """A signed-in member's session, shared by every admin process.

    The cookie carries a random session id and a random 32-byte key; the row is found by a keyed
    hash of the id and holds the member's private key sealed under the cookie's key, so neither
    a copy of the database nor a stolen cookie alone opens it. A row with `verified` false is
    half a sign-in: the password was right, the TOTP code is still to come (see admin.sessions).
    """

    id = fields.CharField(max_length=64, primary_key=True)  # blind index of the cookie's id
    staff: fields.ForeignKeyRelation[StaffMember] = fields.ForeignKeyField(
        "core.StaffMember", related_name="sessions", on_delete=fields.CASCADE
    )
    verified = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()
    last_seen = fields.DatetimeField(db_index=True)
    csrf = fields.CharField(max_length=64)  # the synchroniser token of this session's forms
    private_key_sealed = fields.BinaryField(null=True)  # SecretBox(cookie key, private key)
    code_tries = fields.IntField(default=0)  # TOTP codes tried on this half sign-in

    class Meta:
        table = "staff_session"


class SignInThrottle(models.Model):
    """Failed sign-ins counted per account and per source address, shared by every admin
    process: each failure makes the next try wait longer, and enough of them lock for a while.
    Keyed by a blind index of the username or address, never the value itself."""

    id = fields.IntField(primary_key=True)
    throttle_key = fields.CharField(max_length=64, unique=True)
    failures = fields.IntField(default=0)
    last_failure = fields.BigIntField(default=0)  # Unix seconds
    blocked_until = fields.BigIntField(default=0)  # Unix seconds; no try before then

    class Meta:
        table = "sign_in_throttle"


class StaffTotpStep(models.Model):
    """The last TOTP time step a member signed in with: a code is accepted once, never again."""

    id = fields.IntField(primary_key=True)
    staff: fields.OneToOneRelation[StaffMember] = fields.OneToOneField(
        "core.StaffMember", related_name="totp_step", on_delete=fields.CASCADE
    )
    last_step = fields.BigIntField(default=0)

    class Meta:
        table = "staff_totp_step"


class StaffTelegram(models.Model):
    """A staff member's Telegram chat, linked through the bot with a one-time code, where Aman
    says that a tip is waiting (never what it says). Staff are not anonymous, but the chat id is
    sealed at rest all the same; a blind index of it lets one chat belong to one member only."""

    id = fields.IntField(primary_key=True)
    staff: fields.OneToOneRelation[StaffMember] = fields.OneToOneField(
        "core.StaffMember", related_name="telegram", on_delete=fields.CASCADE
    )
    chat_key = fields.CharField(max_length=64, unique=True)  # blind_index(STAFF_CHAT, chat id)
    chat_sealed = fields.BinaryField()  # seal_at_rest(JSON chat id and language, STAFF_CHAT)
    linked_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff_telegram"


class StaffLinkCode(models.Model):
    """The one-time code a member makes in the admin and sends to the bot (`/link <code>`) to
    link their chat: kept only as a blind index, for a few minutes, one per member."""

    id = fields.IntField(primary_key=True)
    staff: fields.OneToOneRelation[StaffMember] = fields.OneToOneField(
        "core.StaffMember", related_name="telegram_code", on_delete=fields.CASCADE
    )
    code_digest = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "staff_link_code"
