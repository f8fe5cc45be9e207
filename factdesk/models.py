"""The desk's data (DESIGN.md §3) as SQLAlchemy 2.0 typed models."""
from __future__ import annotations

import enum
import json
import unicodedata
from datetime import date, datetime, timezone
from typing import Annotated, Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    func,
    select,
    text,
)
from sqlalchemy.sql.functions import aggregate_strings
from sqlalchemy.orm import Mapped, Session, deferred, mapped_column, relationship, validates

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(db.TypeDecorator):
    """Timestamps stored naive in UTC (SQLite has no zones) and handed back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


intpk = Annotated[int, mapped_column(primary_key=True)]
created = Annotated[datetime, mapped_column(UTCDateTime, default=utcnow, nullable=False)]
timestamp = Annotated[datetime | None, mapped_column(UTCDateTime)]
short = Annotated[str, mapped_column(String(300))]
user_fk = Annotated[int | None, mapped_column(ForeignKey("users.id", ondelete="SET NULL"))]


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """Enums stored by their value, with a CHECK constraint, so the API ids are what the database holds."""
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e], native_enum=False,
                create_constraint=True, length=32, validate_strings=True)


class Role(str, enum.Enum):
    checker = "checker"
    editor = "editor"
    admin = "admin"

    @property
    def rank(self) -> int:
        return ROLE_RANK[self]


# Readers have no account; rank 0 is "anyone".
ROLE_RANK = {Role.checker: 1, Role.editor: 2, Role.admin: 3}


class Status(str, enum.Enum):
    new = "new"
    researching = "researching"
    in_review = "in_review"
    changes_requested = "changes_requested"
    approved = "approved"
    published = "published"
    discarded = "discarded"
    withdrawn = "withdrawn"


class Priority(enum.IntEnum):
    """Stored as a small integer so the queue can sort on an index."""

    low = 0
    normal = 1
    high = 2
    urgent = 3


class AnchorState(str, enum.Enum):
    anchored = "anchored"
    moved = "moved"
    fuzzy = "fuzzy"
    orphaned = "orphaned"


class Stance(str, enum.Enum):
    supports = "supports"
    refutes = "refutes"
    context = "context"


class SourceType(str, enum.Enum):
    primary = "primary"
    official = "official"
    expert = "expert"
    news = "news"
    dataset = "dataset"
    other = "other"


def email_key(email: str) -> str:
    """The form in which two e-mail addresses are the same person: NFC, then full Unicode case folding.

    SQL's lower() will not do: SQLite's folds ASCII only (`Élodie@` and `élodie@` would be two people).
    """
    return unicodedata.normalize("NFC", (email or "").strip()).casefold()


class NotifyEmail(str, enum.Enum):
    instant = "instant"
    digest = "digest"
    never = "never"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (Index("uq_users_email_key", "email_key", unique=True),)

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254))
    # Kept by the validator below whenever `email` is set; unique, and what logins look up.
    email_key: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.checker)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[created]
    last_login_at: Mapped[timestamp]
    # A session names the epoch it began in; logging out moves it on, ending every copy of the cookie.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # Two-factor sign-in (TOTP): the shared secret once enrolment is confirmed, and the last time step
    # a code was accepted for, so a code seen once (over a shoulder, in a log) never works again.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[timestamp]
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Notifications by e-mail: at once, in a daily digest, or never (DESIGN.md §14).
    notify_email: Mapped[NotifyEmail] = mapped_column(
        _enum(NotifyEmail, "notify_email"), default=NotifyEmail.instant, server_default="instant")
    digest_sent_at: Mapped[timestamp]

    @property
    def has_password(self) -> bool:
        """False for an invited person who has not set one yet (and for single sign-on only)."""
        return bool(self.password_hash)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @validates("email")
    def _keep_email_key(self, _key: str, email: str) -> str:
        self.email_key = email_key(email)
        return email

    def get_id(self) -> str:
        """What the session cookie holds: the person and the session epoch (see _load_user)."""
        return f"{self.id}.{self.session_epoch or 0}"

    def has_role(self, least: Role) -> bool:
        return self.active and self.role.rank >= least.rank

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "app" (the owner made it, signed in) or "cli" (the server's operator made it with `users token`).
    issued_via: Mapped[str] = mapped_column(String(10), default="app", server_default=text("'app'"))
    # The first characters, so a person can tell their tokens apart without the secret.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[created]
    last_used_at: Mapped[timestamp]
    revoked_at: Mapped[timestamp]
    # Optional: the token stops working at this moment.
    expires_at: Mapped[timestamp]

    user: Mapped[User] = relationship(lazy="joined")


class RecoveryCode(db.Model):
    """One of a person's one-time recovery codes (stored as a hash), for a lost authenticator."""

    __tablename__ = "recovery_codes"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[timestamp]


class LinkPurpose(str, enum.Enum):
    invitation = "invitation"
    password_reset = "password_reset"
    email_change = "email_change"


class AccountLink(db.Model):
    """A single-use, expiring link sent by e-mail: an invitation, a password reset, an e-mail change."""

    __tablename__ = "account_links"
    __table_args__ = (Index("ix_account_links_user", "user_id", "purpose"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[LinkPurpose] = mapped_column(_enum(LinkPurpose, "link_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The address an e-mail change moves to, once confirmed from that address.
    new_email: Mapped[str | None] = mapped_column(String(254))
    created_by_id: Mapped[user_fk]
    created_at: Mapped[created]
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[timestamp]

    user: Mapped[User] = relationship(foreign_keys="AccountLink.user_id")


class AuditEntry(db.Model):
    """The append-only log of account and admin events: written once, never edited or deleted."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"), Index("ix_audit_log_person", "person_id", "id"))

    id: Mapped[intpk]
    at: Mapped[created]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    action: Mapped[str] = mapped_column(String(40), index=True)
    # The person the event is about (invited, given a role, deactivated, their token or second factor).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    summary: Mapped[str] = mapped_column(Text)
    detail: Mapped[Any] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship(foreign_keys="AuditEntry.actor_id")
    person: Mapped[User | None] = relationship(foreign_keys="AuditEntry.person_id")


class Rating(db.Model):
    """One step of the desk's rating scale; `ordinal` is None for ratings outside the true–false line."""

    __tablename__ = "ratings"

    id: Mapped[intpk]
    label: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    definition: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7), default="#777777")
    ordinal: Mapped[int | None] = mapped_column(SmallInteger)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The number of its newest RatingVersion: every edit of what readers see of a rating makes a new one.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    versions: Mapped[list[RatingVersion]] = relationship(back_populates="rating", order_by="RatingVersion.number")


class RatingVersion(db.Model):
    """A rating as it was between two edits; publications point here, so an edit never reaches them."""

    __tablename__ = "rating_versions"
    __table_args__ = (UniqueConstraint("rating_id", "number", name="uq_rating_versions_number"),)

    id: Mapped[intpk]
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80))
    definition: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7), default="#777777")
    ordinal: Mapped[int | None] = mapped_column(SmallInteger)
    created_at: Mapped[created]
    created_by_id: Mapped[user_fk]

    rating: Mapped[Rating] = relationship(back_populates="versions")


class Article(db.Model):
    __tablename__ = "articles"

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(500))
    source_url: Mapped[str | None] = mapped_column(String(2000))
    publisher: Mapped[str | None] = mapped_column(String(300))
    author: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[date | None] = mapped_column(Date)
    text: Mapped[str] = deferred(mapped_column(Text))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # The fetched page, kept as provenance of an import from a URL.
    source_html: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_by_id: Mapped[user_fk]
    created_at: Mapped[created]
    updated_at: Mapped[created]
    claim_count: Mapped[int] = mapped_column(Integer, default=0)
    # Brought in by monitoring (DESIGN.md §15) and not yet on the desk: it joins when a claim is made from it.
    monitored: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    created_by: Mapped[User | None] = relationship()
    revisions: Mapped[list[ArticleRevision]] = relationship(
        back_populates="article", order_by="ArticleRevision.number", cascade="all, delete-orphan")
    claims: Mapped[list[Claim]] = relationship(back_populates="article")


class ArticleRevision(db.Model):
    __tablename__ = "article_revisions"
    __table_args__ = (UniqueConstraint("article_id", "number", name="uq_article_revisions_number"),)

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = deferred(mapped_column(Text))
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[user_fk]
    created_at: Mapped[created]

    article: Mapped[Article] = relationship(back_populates="revisions")
    created_by: Mapped[User | None] = relationship()


claim_tags = db.Table(
    "claim_tags",
    db.Column("claim_id", ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    db.Column("tag", String(60), primary_key=True),
    # The claim's queue keys, copied by triggers (claims/queue_counts.py `create_key_triggers`, migration
    # 0033) so that a queue filtered by a tag walks the tag's own index in the sort's order.
    db.Column("status", String(32)),
    db.Column("assignee_id", Integer),
    db.Column("priority", SmallInteger),
    db.Column("due", Date),
    db.Column("created_at", UTCDateTime),
    db.Column("updated_at", UTCDateTime),
    Index("ix_claim_tags_tag", "tag", "claim_id"),
    Index("ix_claim_tags_queue_created", "tag", "status", "created_at", "claim_id"),
    Index("ix_claim_tags_queue_updated", "tag", "status", "updated_at", "claim_id"),
)
# A tag's claims in the queue's "most urgent first, then oldest" and "soonest due" (migration 0033).
Index("ix_claim_tags_queue_priority", claim_tags.c.tag, claim_tags.c.status, claim_tags.c.priority.desc(),
      claim_tags.c.created_at, claim_tags.c.claim_id)
Index("ix_claim_tags_queue_due", claim_tags.c.tag, claim_tags.c.status, claim_tags.c.due, claim_tags.c.priority.desc(),
      claim_tags.c.created_at, claim_tags.c.claim_id)


class Claim(db.Model):
    __tablename__ = "claims"
    __table_args__ = (
        Index("ix_claims_status_updated", "status", "updated_at"),
        Index("ix_claims_status_priority", "status", "priority", "created_at"),
        Index("ix_claims_assignee_status", "assignee_id", "status"),
        Index("ix_claims_article_start", "article_id", "anchor_start"),
        Index("ix_claims_due", "due"),
        Index("ix_claims_published", "status", "published_at"),
        Index("ix_claims_published_at", "published_at"),
        # The review queue's sorts and filters (migration 0003_queue_indexes).
        Index("ix_claims_updated", "updated_at"),
        Index("ix_claims_created", "created_at"),
        Index("ix_claims_priority_created", "priority", "created_at"),
        Index("ix_claims_status_due", "status", "due", "priority"),
        Index("ix_claims_due_status", "due", "status", "priority"),
        Index("ix_claims_assignee_queue", "assignee_id", "status", "priority", "created_at", "updated_at", "due"),
        Index("ix_claims_status_created", "status", "created_at", "id"),
    )

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    # Anchor (DESIGN.md §4): code-point offsets into the article's canonical text.
    anchor_start: Mapped[int] = mapped_column(Integer)
    anchor_end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(String(64), default="")
    suffix: Mapped[str] = mapped_column(String(64), default="")
    anchor_state: Mapped[AnchorState] = mapped_column(_enum(AnchorState, "anchor_state"), default=AnchorState.anchored)
    # The wording before a fuzzy re-anchor, shown beside the new one until a checker confirms it.
    previous_quote: Mapped[str | None] = mapped_column(Text)

    summary: Mapped[str] = mapped_column(Text, default="")
    claimant: Mapped[str] = mapped_column(String(300), default="")
    claimed_at: Mapped[date | None] = mapped_column(Date)
    status: Mapped[Status] = mapped_column(_enum(Status, "status"), default=Status.new)
    assignee_id: Mapped[user_fk]
    priority: Mapped[Priority] = mapped_column(SmallInteger, default=Priority.normal)
    due: Mapped[date | None] = mapped_column(Date)
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id", ondelete="RESTRICT"))
    rationale: Mapped[str] = mapped_column(Text, default="")
    # Who last set the rating or rationale: the four-eyes rule compares the approver with this person.
    verdict_by_id: Mapped[user_fk]
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Counts kept with every write so the queue never counts per row.
    evidence_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)

    created_by_id: Mapped[user_fk]
    updated_by_id: Mapped[user_fk]
    created_at: Mapped[created]
    updated_at: Mapped[created]
    published_at: Mapped[timestamp]
    # Since when a published check is back on the desk for correction (readers see the "under review" notice).
    under_review_since: Mapped[timestamp]
    # When the article's words under this published check changed (flagged to its checker and editors).
    article_changed_at: Mapped[timestamp]

    article: Mapped[Article] = relationship(back_populates="claims")
    assignee: Mapped[User | None] = relationship(foreign_keys="Claim.assignee_id")
    rating: Mapped[Rating | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys="Claim.created_by_id")
    updated_by: Mapped[User | None] = relationship(foreign_keys="Claim.updated_by_id")
    verdict_by: Mapped[User | None] = relationship(foreign_keys="Claim.verdict_by_id")
    duplicate_of: Mapped[Claim | None] = relationship(remote_side="Claim.id")
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="claim", order_by="Evidence.id", cascade="all, delete-orphan")
    comments: Mapped[list[Comment]] = relationship(
        back_populates="claim", order_by="Comment.id", cascade="all, delete-orphan")
    history: Mapped[list[ClaimHistory]] = relationship(back_populates="claim", order_by="ClaimHistory.id")
    publications: Mapped[list[Publication]] = relationship(back_populates="claim", order_by="Publication.number")
    tag_rows = relationship("ClaimTag", cascade="all, delete-orphan", order_by="ClaimTag.tag", lazy="selectin")

    __mapper_args__ = {"version_id_col": version}

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]


# The queue's "most urgent first, then oldest" and "soonest due" in index order (migration 0013).
Index("ix_claims_queue_priority", Claim.status, Claim.priority.desc(), Claim.created_at, Claim.id)
Index("ix_claims_queue_priority_all", Claim.priority.desc(), Claim.created_at, Claim.id)
Index("ix_claims_queue_due", Claim.status, Claim.due, Claim.priority.desc(), Claim.created_at, Claim.id)
Index("ix_claims_queue_due_all", Claim.due, Claim.priority.desc(), Claim.created_at, Claim.id)


class QueueCount(db.Model):
    """Claims per status, assignee (0: unassigned) and priority, kept by triggers on `claims`
    (factdesk/claims/queue_counts.py): the queue's tabs and totals without counting rows."""

    __tablename__ = "queue_counts"

    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    assignee_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    priority: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    claims: Mapped[int] = mapped_column(Integer)


class QueueTagCount(db.Model):
    """Claims per tag, status, assignee (0: unassigned) and priority, kept by triggers on `claims` and
    `claim_tags` (factdesk/claims/queue_counts.py): a queue filtered by a tag without counting rows."""

    __tablename__ = "queue_tag_counts"

    tag: Mapped[str] = mapped_column(String(60), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    assignee_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    priority: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    claims: Mapped[int] = mapped_column(Integer)


class ClaimVector(db.Model):
    """A claim's sentence-embedding vector (the optional `semantic` extra), stored so "checked before?"
    finds the claims nearest in meaning, not only those full-text search finds (assist/meaning.py).
    `digest` is of the text embedded: a claim whose words changed since is embedded again."""

    __tablename__ = "claim_vectors"

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian
    updated_at: Mapped[created]


class ClaimTag(db.Model):
    __table__ = claim_tags


# A row's tags read beside it in the same statement, as one string: the separator is no character a
# tag may hold (claims/editing.py TAG), so `split_tags` gives them back exactly.
TAG_SEPARATOR = "\x1f"


def tags_beside(tag_column, *where):
    """A scalar subquery of the tags that match `where`, joined by TAG_SEPARATOR (NULL for none)."""
    return select(aggregate_strings(tag_column, TAG_SEPARATOR)).where(*where).scalar_subquery()


def split_tags(joined: str | None) -> list[str]:
    """The tags of `tags_beside`, sorted."""
    return sorted(joined.split(TAG_SEPARATOR)) if joined else []


def plain_rows(statement, params: dict) -> list:
    """Every row of a read-only statement of plain columns (numbers, text, NULL), on the session's
    connection, as sequences of the driver's values, IN NO PROMISED ORDER: sort them.

    Why: Python's sqlite3 lets go of the GIL around each row's step, so a page reading hundreds of
    rows under gunicorn's threads hands the interpreter to another request at every row and queues to
    get it back. The desk article with 300 claims, served with 16 connections to the bench's one
    worker: its CPU per view 11 → 23 ms, a third of it in the kernel switching threads. So on SQLite
    the rows come back as one JSON array, made in one step (`json_group_array`; its order is the
    aggregate's, which SQLite does not promise); other drivers take the whole result at once anyway.
    Nothing but NULL, numbers and text survives the JSON: no bytes, dates come as their stored text."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return connection.execute(statement, params).all()
    rows = statement.subquery()
    joined = connection.execute(select(func.json_group_array(func.json_array(*rows.c))), params).scalar_one()
    return json.loads(joined)


class Evidence(db.Model):
    __tablename__ = "evidence"

    id: Mapped[intpk]
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(500), default="")
    publisher: Mapped[str] = mapped_column(String(300), default="")
    excerpt: Mapped[str] = mapped_column(Text, default="")
    stance: Mapped[Stance] = mapped_column(_enum(Stance, "stance"), default=Stance.context)
    source_type: Mapped[SourceType] = mapped_column(_enum(SourceType, "source_type"), default=SourceType.other)
    accessed_at: Mapped[date | None] = mapped_column(Date)
    archive_url: Mapped[str | None] = mapped_column(String(2000))
    # A snapshot of the linked page's text, so a verdict's sources survive link rot (DESIGN.md §12).
    archive_text: Mapped[str | None] = deferred(mapped_column(Text))
    archived_at: Mapped[timestamp]
    archive_status: Mapped[str | None] = mapped_column(String(300))
    link_status: Mapped[str | None] = mapped_column(String(300))
    link_checked_at: Mapped[timestamp]
    created_by_id: Mapped[user_fk]
    created_at: Mapped[created]

    claim: Mapped[Claim] = relationship(back_populates="evidence")
    created_by: Mapped[User | None] = relationship()


class Comment(db.Model):
    __tablename__ = "comments"

    id: Mapped[intpk]
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[user_fk]
    body: Mapped[str] = mapped_column(Text)
    # The words of the claim's quote the comment is about (optional), and where they began in the
    # quote when it was written: the quote may change later, the words stay as the writer chose them.
    about_words: Mapped[str | None] = mapped_column(Text)
    about_start: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[created]

    claim: Mapped[Claim] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at", "id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # assigned, sent_back, mentioned, approved, published, …
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    actor_id: Mapped[user_fk]
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created]
    read_at: Mapped[timestamp]

    claim: Mapped[Claim | None] = relationship()
    actor: Mapped[User | None] = relationship(foreign_keys="Notification.actor_id")


class ClaimHistory(db.Model):
    """The append-only audit trail of a claim: written once, never edited or deleted."""

    __tablename__ = "claim_history"
    __table_args__ = (
        Index("ix_claim_history_claim", "claim_id", "id"),
        Index("ix_claim_history_at", "at"),
    )

    id: Mapped[intpk]
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="RESTRICT"))
    at: Mapped[created]
    by_id: Mapped[user_fk]
    action: Mapped[str] = mapped_column(String(40))  # created, transition, edit, evidence_added, …
    field: Mapped[str | None] = mapped_column(String(40))
    before: Mapped[Any] = mapped_column(JSON)
    after: Mapped[Any] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)

    claim: Mapped[Claim] = relationship(back_populates="history")
    by: Mapped[User | None] = relationship()


class Publication(db.Model):
    """A frozen copy of what readers see of a check (DESIGN.md §13), written once at each publishing.

    Public pages, the feed, the sitemap, the public API and ClaimReview read these rows only, never
    the live claim: nothing changed on the desk reaches readers until a new publication is made.
    """

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("claim_id", "number", name="uq_publications_number"),
                      Index("ix_publications_at", "published_at"))

    id: Mapped[intpk]
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(Integer)
    # What was said, where and by whom.
    quote: Mapped[str] = mapped_column(Text, default="")
    prefix: Mapped[str] = mapped_column(String(64), default="")
    suffix: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(Text)
    claimant: Mapped[str] = mapped_column(String(300), default="")
    claimed_at: Mapped[date | None] = mapped_column(Date)
    article_title: Mapped[str] = mapped_column(String(500), default="")
    article_url: Mapped[str | None] = mapped_column(String(2000))
    article_publisher: Mapped[str | None] = mapped_column(String(300))
    article_author: Mapped[str | None] = mapped_column(String(500))
    article_published_at: Mapped[date | None] = mapped_column(Date)
    # The verdict: the rating as it was (its version) and the scale's ends at that moment.
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id", ondelete="RESTRICT"))
    rating_version_id: Mapped[int | None] = mapped_column(ForeignKey("rating_versions.id", ondelete="RESTRICT"))
    scale_best: Mapped[int | None] = mapped_column(SmallInteger)
    scale_worst: Mapped[int | None] = mapped_column(SmallInteger)
    rationale: Mapped[str] = mapped_column(Text)
    # The rationale as plain text (Markdown rendered, tags dropped): what search matches and quotes.
    rationale_text: Mapped[str] = mapped_column(Text, default="")
    # The rationale as readers see it (Markdown rendered and sanitised, factdesk/markdown.py), made once
    # at publishing since the rationale never changes; NULL on a row written without it (rendered when read).
    rationale_html: Mapped[str | None] = mapped_column(Text)
    # [{url, title, publisher, excerpt, stance, source_type, accessed_at, archive_url}, …] as published.
    evidence: Mapped[Any] = mapped_column(JSON, default=list)
    published_at: Mapped[created]
    published_by_id: Mapped[user_fk]
    # Set when this publication corrects an earlier one: why it was reopened.
    correction_reason: Mapped[str | None] = mapped_column(Text)
    is_correction: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set only on rows rebuilt by a migration: "history" (replayed from the claim's history up to the
    # moment it was published) or "claim" (the history did not hold it: taken from the claim as it was then).
    rebuilt_from: Mapped[str | None] = mapped_column(String(10))

    claim: Mapped[Claim] = relationship(back_populates="publications")
    rating: Mapped[RatingVersion | None] = relationship()
    published_by: Mapped[User | None] = relationship()
    tag_rows = relationship("PublicationTag", order_by="PublicationTag.tag", lazy="selectin")

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]


class PublicationTag(db.Model):
    """The tags of a publication, as published (a table, so readers can filter on them by index)."""

    __tablename__ = "publication_tags"
    __table_args__ = (Index("ix_publication_tags_tag", "tag", "publication_id"),)

    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="RESTRICT"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True)


class PublicCheck(db.Model):
    """A check readers can see now: its publication shown, in the home's order, with the rating label
    as published (DESIGN.md §7, §13). Kept by claims/publishing.py in the transaction that publishes
    or withdraws, so any page of the home, with any filter, is one index range with no probe."""

    __tablename__ = "public_checks"
    # Each index ends with the publication: a page (and the rows its OFFSET skips) is read from the index alone.
    __table_args__ = (Index("ix_public_checks_newest", "first_published_at", "claim_id", "publication_id"),
                      Index("ix_public_checks_rating", "rating_label", "first_published_at", "claim_id",
                            "publication_id"))

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="RESTRICT"), primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="RESTRICT"), unique=True)
    first_published_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    rating_label: Mapped[str | None] = mapped_column(String(40))


class PublicCheckTag(db.Model):
    """A tag of a check readers can see now, as published, in the home's order for that tag (and,
    with the check's rating label beside it, for that tag and rating: migration 0029)."""

    __tablename__ = "public_check_tags"
    __table_args__ = (Index("ix_public_check_tags_newest", "tag", "first_published_at", "claim_id", "publication_id"),
                      Index("ix_public_check_tags_rating", "tag", "rating_label", "first_published_at", "claim_id",
                            "publication_id"))

    claim_id: Mapped[int] = mapped_column(ForeignKey("public_checks.claim_id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True)
    first_published_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="RESTRICT"))
    rating_label: Mapped[str | None] = mapped_column(String(40))  # as public_checks has it


class Withdrawal(db.Model):
    """A check taken down (DESIGN.md §2, §13): readers get a 410 with the date and the reason."""

    __tablename__ = "withdrawals"
    __table_args__ = (Index("ix_withdrawals_claim", "claim_id", "id"), Index("ix_withdrawals_at", "withdrawn_at"),
                      Index("ix_withdrawals_publication", "publication_id"))

    id: Mapped[intpk]
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="RESTRICT"))
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="RESTRICT"))
    withdrawn_at: Mapped[created]
    withdrawn_by_id: Mapped[user_fk]
    reason: Mapped[str] = mapped_column(Text)

    claim: Mapped[Claim] = relationship()
    publication: Mapped[Publication] = relationship()
    withdrawn_by: Mapped[User | None] = relationship()


class JobState(str, enum.Enum):
    waiting = "waiting"
    running = "running"
    done = "done"
    failed = "failed"


class Job(db.Model):
    """One piece of background work (DESIGN.md §16): the outbox row written in the request's own
    transaction, and the desk's record of it until it is done or has failed for good."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_run_after", "state", "run_after"),
                      Index("ix_jobs_created", "created_at"))

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(80))
    payload: Mapped[Any] = mapped_column(JSON)
    state: Mapped[JobState] = mapped_column(_enum(JobState, "job_state"), default=JobState.waiting)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Scheduled work names its slot ("monitor.pass@2026-12-01T08:15"), so two schedulers make one job.
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[created]
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[timestamp]
    finished_at: Mapped[timestamp]
    # Which worker process runs it ("host:pid") and until when its claim holds: a job whose worker
    # died is found by either and run again.
    worker: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[timestamp]


class SourceKind(str, enum.Enum):
    feed = "feed"
    sitemap = "sitemap"
    page = "page"


class AppearanceState(str, enum.Enum):
    pending = "pending"
    confirmed = "confirmed"
    dismissed = "dismissed"
    public = "public"


class MonitorTopic(db.Model):
    """A subject the desk follows, as keywords: a candidate sentence with one of them is on that topic."""

    __tablename__ = "monitor_topics"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(80), unique=True)
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[created]


class MonitorSource(db.Model):
    """A feed, sitemap or page the desk follows (DESIGN.md §15)."""

    __tablename__ = "monitor_sources"

    id: Mapped[intpk]
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    kind: Mapped[SourceKind] = mapped_column(_enum(SourceKind, "source_kind"))
    name: Mapped[str] = mapped_column(String(300), default="")
    topic: Mapped[str | None] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Validators of the last answer, sent back as If-None-Match / If-Modified-Since.
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_checked_at: Mapped[timestamp]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[user_fk]
    created_at: Mapped[created]

    created_by: Mapped[User | None] = relationship()


class MonitorItem(db.Model):
    """One item a source listed, recorded once: a new item becomes a monitored article."""

    __tablename__ = "monitor_items"
    __table_args__ = (UniqueConstraint("source_id", "key", name="uq_monitor_items_source_key"),)

    id: Mapped[intpk]
    source_id: Mapped[int] = mapped_column(ForeignKey("monitor_sources.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))  # sha256 of the item's id (guid, URL, or URL + text)
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(500), default="")
    author: Mapped[str | None] = mapped_column(String(300))
    published_at: Mapped[date | None] = mapped_column(Date)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    seen_at: Mapped[created]

    source: Mapped[MonitorSource] = relationship()
    article: Mapped[Article | None] = relationship()


class Candidate(db.Model):
    """A sentence of a monitored article worth checking, or repeating a published check."""

    __tablename__ = "monitor_candidates"
    __table_args__ = (Index("ix_monitor_candidates_created_score", "created_at", "score"),
                      Index("ix_monitor_candidates_article", "article_id", "start"))

    id: Mapped[intpk]
    item_id: Mapped[int] = mapped_column(ForeignKey("monitor_items.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("monitor_sources.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    sentence: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    topic: Mapped[str | None] = mapped_column(String(80))
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="SET NULL"))
    match_score: Mapped[float | None] = mapped_column(Float)
    published_at: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[created]
    # The claim made from it, once a checker put it on the queue.
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="SET NULL"))

    item: Mapped[MonitorItem] = relationship()
    source: Mapped[MonitorSource] = relationship()
    article: Mapped[Article] = relationship()
    repeat_of: Mapped[Claim | None] = relationship(foreign_keys="Candidate.repeat_of_id")


class Appearance(db.Model):
    """A published check said again somewhere (DESIGN.md §15): where, who, when, the sentence, the score.
    Readers see it once a checker confirmed it and an editor approved it (state `public`)."""

    __tablename__ = "appearances"
    __table_args__ = (UniqueConstraint("claim_id", "candidate_id", name="uq_appearances_claim_candidate"),
                      Index("ix_appearances_claim_state", "claim_id", "state"),
                      Index("ix_appearances_state", "state", "found_at"))

    id: Mapped[intpk]
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("monitor_candidates.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(500), default="")
    sentence: Mapped[str] = mapped_column(Text)
    said_by: Mapped[str] = mapped_column(String(300), default="")
    said_at: Mapped[date | None] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    state: Mapped[AppearanceState] = mapped_column(_enum(AppearanceState, "appearance_state"),
                                                  default=AppearanceState.pending)
    found_at: Mapped[created]
    # Four eyes: the checker who confirmed it is not the editor who makes it public.
    decided_by_id: Mapped[user_fk]
    decided_at: Mapped[timestamp]
    approved_by_id: Mapped[user_fk]
    approved_at: Mapped[timestamp]

    claim: Mapped[Claim] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys="Appearance.decided_by_id")
    approved_by: Mapped[User | None] = relationship(foreign_keys="Appearance.approved_by_id")


@event.listens_for(Session, "before_flush")
def _history_is_append_only(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, (ClaimHistory, Publication, PublicationTag, Withdrawal, AuditEntry)) and \
                (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError(f"{obj.__tablename__} is append-only: entries are never edited or deleted")
