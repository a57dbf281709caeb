"""The tips tables: sealed tips and what hangs off them, drafts in progress, routing rules.

A tip keeps only routing metadata in clear (country, category, urgency, status, dates, unit);
everything the reporter wrote or sent is encrypted with the tip's own key. No table here holds a
Telegram user id, chat id, username, name or phone number in clear: drafts are found by a blind
index of the chat, and a notification request keeps its chat id sealed at rest.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields, models
from tortoise.indexes import Index

from core import crypto

if TYPE_CHECKING:
    from core.models import StaffMember


class Category(StrEnum):
    SMUGGLING = "smuggling"
    TRAFFICKING = "trafficking"
    MISSING = "missing"
    BOAT = "boat"
    OTHER = "other"


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class TipStatus(StrEnum):
    """Where a tip stands: new -> acknowledged -> investigating -> referred -> closed (closing
    takes a written reason, tips.inbox.set_status)."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    REFERRED = "referred"
    CLOSED = "closed"
    # The names of before tips migration 0005 (which moved their rows to the new values): kept
    # as aliases so that code written against them reads on.
    IN_REVIEW = "investigating"
    ACTION_TAKEN = "referred"

    @classmethod
    def _missing_(cls, value: object) -> TipStatus | None:
        # A row written with an old value (by a process older than the migration) still reads.
        return {"in_review": cls.INVESTIGATING, "action_taken": cls.REFERRED}.get(str(value))


INBOX_COLUMNS = (
    *("unit_id", "child_involved", "urgency", "created_at", "id"),  # the order
    *("category", "country", "status", "assignee_id"),  # shown and filtered on
)


def _open_only(index: Index) -> Index:
    """The index for open tips only (partial: `closed_at IS NULL`), so a million closed tips never
    stand in front of the open ones. The condition holds no parameter, so PostgreSQL uses it for
    prepared statements too; SQLite has partial indexes as well."""
    index.extra = ' WHERE "closed_at" IS NULL'
    return index


class Tip(models.Model):
    """A submitted report. Routing metadata in clear, the answers as ciphertext."""

    id = fields.IntField(primary_key=True)
    unit = fields.ForeignKeyField("core.Unit", related_name="tips", on_delete=fields.RESTRICT)
    country = fields.CharField(max_length=8, db_index=True)
    category = fields.CharEnumField(Category, max_length=16)
    urgency = fields.CharEnumField(Urgency, max_length=16, default=Urgency.NORMAL)
    status = fields.CharEnumField(TipStatus, max_length=16, default=TipStatus.NEW)
    # A routing fact like urgency (the reporter said a child is involved), kept in clear so the
    # inbox can put these tips first in SQL; it implies urgency == URGENT.
    child_involved = fields.BooleanField(default=False, db_default=False)
    # The member of the unit the lead gave this tip to (None: nobody in particular).
    assignee: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "core.StaffMember", related_name="assigned_tips", null=True, on_delete=fields.SET_NULL
    )
    content = fields.BinaryField()  # SecretBox(tip key, JSON answers padded to a size bucket)
    # Reporter-side times are whole hours (core.coarse): finer ones could pair a tip with a chat.
    # Both are always given explicitly (updated_at through QuerySet.update, never save()).
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "tip"
        # The inbox's orders (tips.listing): a unit's tips, child-involved then urgent first,
        # newest first; its open tips alone (the default view); by status; by assignee. The
        # first two also hold every column the list shows or filters on after the order, so
        # a page and its filters are read from the index alone, never from the wide rows.
        indexes = (
            _open_only(Index(fields=INBOX_COLUMNS, name="tip_inbox_open")),
            Index(fields=INBOX_COLUMNS, name="tip_inbox_all"),
            Index(
                fields=("unit_id", "status", "child_involved", "urgency", "created_at", "id"),
                name="tip_inbox_status",
            ),
            Index(
                fields=("assignee_id", "child_involved", "urgency", "created_at", "id"),
                name="tip_inbox_assignee",
            ),
        )


class TipKey(models.Model):
    """The tip key sealed to one staff member or to the offline escrow key."""

    id = fields.IntField(primary_key=True)
    tip = fields.ForeignKeyField("tips.Tip", related_name="keys", on_delete=fields.CASCADE)
    staff = fields.ForeignKeyField(
        "core.StaffMember", related_name="tip_keys", null=True, on_delete=fields.CASCADE
    )
    is_escrow = fields.BooleanField(default=False)
    sealed_key = fields.BinaryField()  # sealed box of the 32-byte tip key

    class Meta:
        table = "tip_key"
        unique_together = (("tip", "staff"),)


class TipMessage(models.Model):
    """A follow-up in either direction: the reporter adding information, or a staff reply."""

    id = fields.IntField(primary_key=True)
    tip = fields.ForeignKeyField("tips.Tip", related_name="messages", on_delete=fields.CASCADE)
    from_reporter = fields.BooleanField()
    author = fields.ForeignKeyField(
        "core.StaffMember", related_name="tip_replies", null=True, on_delete=fields.SET_NULL
    )
    body = fields.BinaryField()  # SecretBox(tip key, text padded to a size bucket)
    created_at = fields.DatetimeField(auto_now_add=True)  # given: the hour (core.coarse)

    class Meta:
        table = "tip_message"
        ordering = ("id",)
        indexes = (Index(fields=("tip_id", "id"), name="tip_message_by_tip"),)


class TipFile(models.Model):
    """An attachment: the original kept encrypted as evidence, plus a cleaned copy for triage."""

    id = fields.IntField(primary_key=True)
    tip = fields.ForeignKeyField("tips.Tip", related_name="files", on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=16)  # photo, video, voice, document
    mime = fields.CharField(max_length=64)  # from the magic bytes, never the file name
    size = fields.IntField()
    original = fields.BinaryField()  # SecretBox(tip key, bytes as received)
    triage = fields.BinaryField(null=True)  # SecretBox(tip key, re-encoded image without EXIF)
    created_at = fields.DatetimeField(auto_now_add=True)  # given: the hour (core.coarse)

    class Meta:
        table = "tip_file"
        ordering = ("id",)
        indexes = (Index(fields=("tip_id", "id"), name="tip_file_by_tip"),)


class Receipt(models.Model):
    """The only link from a reporter back to their tip: an Argon2id hash of the 16 digits."""

    id = fields.IntField(primary_key=True)
    tip = fields.OneToOneField("tips.Tip", related_name="receipt", on_delete=fields.CASCADE)
    digest = fields.CharField(max_length=64, unique=True)
    # The tip key under a key derived from the receipt, so the reporter can read replies.
    sealed_key = fields.BinaryField(null=True)
    # The Argon2id cost both were made with (crypto.receipt_kdf()), so raising the cost later
    # never makes this receipt unfindable. Rows from before it was recorded were all made at
    # the cost this literal names (MODERATE's then); it must never change with MODERATE.
    kdf = fields.CharField(
        max_length=64, default=crypto.receipt_kdf, db_default="argon2id:t=3,m=65536,p=1"
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tip_receipt"


class Draft(models.Model):
    """A report being written: found by a blind index of the chat, sealed at rest, expiring.

    Its step is inside the sealed blob and its expiry is a whole hour, so a copy of the database
    shows neither how far a person got nor when they last wrote."""

    id = fields.IntField(primary_key=True)
    chat_key = fields.CharField(max_length=64, unique=True)
    sealed = fields.BinaryField()  # seal_at_rest(JSON step, answers, language), padded
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "tip_draft"


class DraftFile(models.Model):
    """A file attached to a draft, already checked, sealed at rest until the tip is submitted."""

    id = fields.IntField(primary_key=True)
    draft = fields.ForeignKeyField("tips.Draft", related_name="files", on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=16)
    mime = fields.CharField(max_length=64)
    size = fields.IntField()
    sealed = fields.BinaryField()  # seal_at_rest(the bytes as received)
    triage = fields.BinaryField(null=True)  # seal_at_rest(the cleaned copy, made once on arrival)

    class Meta:
        table = "tip_draft_file"
        ordering = ("id",)


class NotifyRequest(models.Model):
    """A reporter's opt-in to one notice when staff reply. The chat id is sealed under the tip's
    own key, so neither the database nor the server secret links it to the tip: only a focal
    point who opens the tip to reply can, and then it becomes a ReplyNotice and this row goes."""

    id = fields.IntField(primary_key=True)
    tip = fields.OneToOneField("tips.Tip", related_name="notify", on_delete=fields.CASCADE)
    chat_sealed = fields.BinaryField()  # SecretBox(tip key, JSON chat id and language)

    class Meta:
        table = "tip_notify_request"


class ReplyNotice(models.Model):
    """A notice waiting to go out ("you have a new message"): the chat id sealed at rest, with no
    tip and no time. The bot claims it by deleting it, then sends it once."""

    id = fields.IntField(primary_key=True)
    chat_sealed = fields.BinaryField()  # seal_at_rest(JSON chat id and language)

    class Meta:
        table = "tip_reply_notice"


class PendingReceipt(models.Model):
    """A receipt kept for a few minutes after sending, so that pressing "Send" again (a double
    tap, a lost answer, a crash) shows the same receipt and never makes a second tip.

    Sealed under a random key that lives only in the button the person pressed (its callback
    data); found by a keyed hash of that key. Holds no chat and no tip id."""

    id = fields.IntField(primary_key=True)
    token_digest = fields.CharField(max_length=64, unique=True)
    sealed = fields.BinaryField()  # SecretBox(button token, JSON receipt and urgency)
    expires_at = fields.DatetimeField(db_index=True)  # a whole hour

    class Meta:
        table = "tip_pending_receipt"


class RoutingRule(models.Model):
    """Where tips go: a rule matches on country, category and urgency (empty = any) and names
    a unit. The most specific then highest-priority rule whose unit can receive wins."""

    id = fields.IntField(primary_key=True)
    country = fields.CharField(max_length=8, null=True)
    category = fields.CharEnumField(Category, max_length=16, null=True)
    urgency = fields.CharEnumField(Urgency, max_length=16, null=True)
    unit = fields.ForeignKeyField(
        "core.Unit", related_name="routing_rules", on_delete=fields.CASCADE
    )
    priority = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tip_routing_rule"


class Escalation(models.Model):
    """A level a tip nobody acknowledged was escalated to (tips.escalation): 1 for the unit's
    lead(s), 2 for the regional desk. Written once per tip and level: the unique pair is the
    claim that makes two workers running the job escalate a tip only once."""

    id = fields.IntField(primary_key=True)
    tip = fields.ForeignKeyField("tips.Tip", related_name="escalations", on_delete=fields.CASCADE)
    level = fields.SmallIntField()
    # The unit it went to: the tip's own for its lead(s), the regional desk's after that.
    unit = fields.ForeignKeyField(
        "core.Unit", related_name="escalations", on_delete=fields.CASCADE, db_index=True
    )
    at = fields.DatetimeField()

    class Meta:
        table = "tip_escalation"
        unique_together = (("tip", "level"),)


class HeldKey(models.Model):
    """The tip key sealed to a member who is to receive the tip only if it is escalated to them,
    and that sealed box kept under the server's at-rest key until then. Escalation moves it into
    TipKey; until it does, neither the member's private key nor a copy of the database opens the
    tip. Deleted once the tip is acknowledged (it will never escalate)."""

    id = fields.IntField(primary_key=True)
    tip = fields.ForeignKeyField("tips.Tip", related_name="held_keys", on_delete=fields.CASCADE)
    staff = fields.ForeignKeyField(
        "core.StaffMember", related_name="held_tip_keys", on_delete=fields.CASCADE
    )
    level = fields.SmallIntField()
    sealed = fields.BinaryField()  # seal_at_rest(sealed box of the tip key to the member)

    class Meta:
        table = "tip_held_key"
        unique_together = (("tip", "staff"),)


class TipShare(models.Model):
    """A tip shared by its unit's lead with another unit, whose members then hold its key too.
    The written reason may name case details, so it is encrypted with the tip key; the audit log
    keeps only the fact and the two units."""

    id = fields.IntField(primary_key=True)
    tip = fields.ForeignKeyField("tips.Tip", related_name="shares", on_delete=fields.CASCADE)
    from_unit = fields.ForeignKeyField(
        "core.Unit", related_name="shares_given", on_delete=fields.CASCADE
    )
    to_unit = fields.ForeignKeyField(
        "core.Unit", related_name="shares_received", on_delete=fields.CASCADE
    )
    by = fields.ForeignKeyField(
        "core.StaffMember", related_name="tip_shares", null=True, on_delete=fields.SET_NULL
    )
    reason = fields.BinaryField()  # SecretBox(tip key, text padded to a size bucket)
    created_at = fields.DatetimeField(auto_now_add=True)  # a staff action: its own time

    class Meta:
        table = "tip_share"
        unique_together = (("tip", "to_unit"),)
        indexes = (("to_unit_id", "tip_id"),)


class TipLink(models.Model):
    """One phone number, account handle, IBAN or plate named in a tip, as a keyed hash only
    (crypto.blind_index, Purpose.TIP_LINK) of its normalised form: two tips naming the same one
    share a digest, and the value itself is stored nowhere (see tips.links)."""

    id = fields.IntField(primary_key=True)
    tip = fields.ForeignKeyField("tips.Tip", related_name="links", on_delete=fields.CASCADE)
    digest = fields.CharField(max_length=64, db_index=True)

    class Meta:
        table = "tip_link"
        unique_together = (("tip", "digest"),)


class StaffNotice(models.Model):
    """ "A new tip is in your Aman inbox", waiting to go to one member's linked Telegram chat:
    no tip, no unit, no time. One per member at most; the bot claims it by deleting it."""

    id = fields.IntField(primary_key=True)
    staff = fields.OneToOneField(
        "core.StaffMember", related_name="tip_notice", on_delete=fields.CASCADE
    )

    class Meta:
        table = "tip_staff_notice"


class StaffNoticeMark(models.Model):
    """How far the staff-notice job has read the sealed keys (TipKey ids): every key sealed to a
    member since is a tip newly in their inbox (routed, shared or given). One row."""

    id = fields.IntField(primary_key=True)
    done_up_to = fields.BigIntField(default=0)  # keys up to here are noticed
    seen_up_to = fields.BigIntField(default=0)  # the newest key at the last look

    class Meta:
        table = "tip_staff_notice_mark"


class Label(models.Model):
    """A word a unit sorts its tips by ("needs translation", "duplicate"). Labels are kept in
    clear so the inbox can filter on them in SQL: the page says never to put a name, a place or
    a number in one."""

    id = fields.IntField(primary_key=True)
    unit = fields.ForeignKeyField("core.Unit", related_name="tip_labels", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=40)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tip_label"
        unique_together = (("unit", "name"),)


class TipLabel(models.Model):
    """One label on one tip."""

    id = fields.IntField(primary_key=True)
    tip = fields.ForeignKeyField("tips.Tip", related_name="labels", on_delete=fields.CASCADE)
    label = fields.ForeignKeyField("tips.Label", related_name="tips", on_delete=fields.CASCADE)

    class Meta:
        table = "tip_label_link"
        unique_together = (("tip", "label"),)
        indexes = (Index(fields=("label_id", "tip_id"), name="tip_label_link_by_label"),)


class TipNote(models.Model):
    """An internal note of the team on a tip (the reporter never sees it), or the written reason
    a tip was closed: tip content, so encrypted with the tip key like a message."""

    id = fields.IntField(primary_key=True)
    tip = fields.ForeignKeyField("tips.Tip", related_name="notes", on_delete=fields.CASCADE)
    author: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "core.StaffMember", related_name="tip_notes", null=True, on_delete=fields.SET_NULL
    )
    closes = fields.BooleanField(default=False)  # the reason given for closing the tip
    body = fields.BinaryField()  # SecretBox(tip key, text padded to a size bucket)
    created_at = fields.DatetimeField(auto_now_add=True)  # staff time, like the audit log

    class Meta:
        table = "tip_note"
        ordering = ("id",)
        indexes = (Index(fields=("tip_id", "id"), name="tip_note_by_tip"),)


class TipRead(models.Model):
    """A member's read mark on a tip: what the reporter had sent when they last opened it, so
    the inbox shows a tip as unread until they open it, and again when the reporter adds to it."""

    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[StaffMember] = fields.ForeignKeyField(
        "core.StaffMember", related_name="tips_read", on_delete=fields.CASCADE
    )
    tip = fields.ForeignKeyField("tips.Tip", related_name="read_by", on_delete=fields.CASCADE)
    last_message_id = fields.IntField(default=0)  # the reporter's latest message then
    last_file_id = fields.IntField(default=0)  # and their latest file

    class Meta:
        table = "tip_read"
        unique_together = (("staff", "tip"),)
