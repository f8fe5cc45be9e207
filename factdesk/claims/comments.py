"""The discussion on a claim, with @mentions that notify.

A mention is `@` followed by a person's handle: the local part of their e-mail address
(`@maria` reaches maria@desk.example), or the whole address (`@maria@desk.example`) when two people
share a local part. Matching ignores case, Unicode letters included (the account's folded e-mail).
Mentions of nobody are left as plain text. Comments are Markdown, rendered and sanitised like
rationales. Anyone on the desk may comment in any state.
The claim's comment_count is kept in SQL, so a comment does not bump the claim's version.
"""
from __future__ import annotations

import re

from sqlalchemy import or_, select, update

from ..errors import ValidationError
from ..extensions import db
from ..models import Claim, Comment, User, email_key, utcnow
from ..notify import notify

MAX_BODY = 10_000
MENTION = re.compile(r"(?<![\w@])@([\w.%+\-]+(?:@[\w\-]+(?:\.[\w\-]+)+)?)")


def handle(user: User) -> str:
    """The @handle of a person: their e-mail's local part."""
    return user.email_key.split("@", 1)[0]


def mentioned_people(body: str) -> list[User]:
    """The active people a text mentions, in one query."""
    handles = {email_key(m.rstrip(".")) for m in MENTION.findall(body or "")}
    if not handles:
        return []
    full = [h for h in handles if "@" in h]
    local = [h for h in handles if "@" not in h]
    conditions = []
    if full:
        conditions.append(User.email_key.in_(full))
    for name in local:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(User.email_key.like(f"{escaped}@%", escape="\\"))
    return db.session.execute(
        select(User).where(User.active.is_(True), or_(*conditions)).order_by(User.id)
    ).scalars().all()


def unknown_mentions(body: str) -> list[str]:
    """The @handles in a text that reach nobody on the desk, as written, so the writer can be told."""
    written = {m.rstrip("."): email_key(m.rstrip(".")) for m in MENTION.findall(body or "")}
    if not written:
        return []
    known = {email_key(p.email) for p in mentioned_people(body)}
    local = {key.split("@", 1)[0] for key in known}
    return sorted(w for w, key in written.items() if key not in known and key not in local)


def add_comment(claim: Claim, by: User, body: str) -> Comment:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError("Write something before sending the comment.", fields={"body": "required"})
    if len(text) > MAX_BODY:
        raise ValidationError(f"A comment is limited to {MAX_BODY:,} characters (this has {len(text):,}).",
                              fields={"body": "too_long"})
    comment = Comment(claim_id=claim.id, author_id=by.id, body=text, created_at=utcnow())
    db.session.add(comment)
    db.session.execute(update(Claim).where(Claim.id == claim.id).values(comment_count=Claim.comment_count + 1))
    db.session.flush()
    excerpt = text if len(text) <= 140 else text[:139] + "…"
    notify(mentioned_people(text), "mentioned", claim, by, f"{by.name} mentioned you on claim {claim.id}: {excerpt}")
    db.session.flush()
    db.session.expire(claim, ["comment_count", "comments"])
    return comment


def comments_of(claim: Claim) -> list[Comment]:
    from sqlalchemy.orm import joinedload

    return db.session.execute(
        select(Comment).where(Comment.claim_id == claim.id).options(joinedload(Comment.author)).order_by(Comment.id)
    ).scalars().all()
