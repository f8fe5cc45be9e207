"""The discussion on a claim, with @mentions that notify.

A mention is `@` followed by a person's handle: the local part of their e-mail address
(`@maria` reaches maria@desk.example), or the whole address (`@maria@desk.example`) when two people
share a local part. Matching ignores case, Unicode letters included (the account's folded e-mail).
Mentions of nobody are left as plain text, and the writer is told (`unknown_mentions`); while they
type, `people_to_mention` offers the handles that match. Comments are Markdown, rendered and
sanitised like rationales. Anyone on the desk may comment in any state.
A comment may be about some words of the claim's quote: the words are kept as written, with where
they began in the quote then, and shown in the quote as it is now (`about_in_quote`).
The claim's comment_count is kept in SQL, so a comment does not bump the claim's version.
"""
from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import func, or_, select, update

from ..errors import ValidationError
from ..extensions import db
from ..models import Claim, Comment, User, email_key, utcnow
from ..notify import notify

MAX_BODY = 10_000
MAX_ABOUT = 2_000  # the longest quote
MENTION_CHOICES = 8  # people offered while typing a handle
MAX_HANDLE_QUERY = 60
CONTEXT = 40  # characters of the quote shown on each side of the words a comment is about
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
        conditions.append(User.email_key.like(f"{_like(name)}@%", escape="\\"))
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


def _about(claim: Claim, words: str | None, start: int | None) -> tuple[str | None, int | None]:
    """The words of the quote a comment is about and where they begin, or a refusal saying why."""
    words = " ".join((words or "").split())
    if not words:
        return None, None
    if len(words) > MAX_ABOUT:
        raise ValidationError(f"The words a comment is about are limited to {MAX_ABOUT:,} characters.",
                              fields={"about": "too_long"})
    found = _find_in_quote(claim.quote, words, start)
    if found is None:
        raise ValidationError(f"“{words[:80]}” is not in the claim's quote: copy the words from the quote "
                              "(or select them there), or leave the field empty.", fields={"about": "not_in_quote"})
    return claim.quote[found[0]:found[1]], found[0]


def _find_in_quote(quote: str, words: str, near: int | None = None) -> tuple[int, int] | None:
    """Where `words` occur in `quote` (whitespace runs count as one space), the occurrence at or
    after `near` first."""
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words.split()))
    spans = [m.span() for m in pattern.finditer(quote)]
    if not spans:
        return None
    if near is not None:
        return next((s for s in spans if s[0] >= near), spans[-1])
    return spans[0]


def add_comment(claim: Claim, by: User, body: str, *, about: str | None = None,
                about_start: int | None = None) -> Comment:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError("Write something before sending the comment.", fields={"body": "required"})
    if len(text) > MAX_BODY:
        raise ValidationError(f"A comment is limited to {MAX_BODY:,} characters (this has {len(text):,}).",
                              fields={"body": "too_long"})
    words, start = _about(claim, about, about_start)
    comment = Comment(claim_id=claim.id, author_id=by.id, body=text, about_words=words, about_start=start,
                      created_at=utcnow())
    db.session.add(comment)
    db.session.execute(update(Claim).where(Claim.id == claim.id).values(comment_count=Claim.comment_count + 1))
    db.session.flush()
    excerpt = text if len(text) <= 140 else text[:139] + "…"
    notify(mentioned_people(text), "mentioned", claim, by, f"{by.name} mentioned you on claim {claim.id}: {excerpt}")
    db.session.flush()
    db.session.expire(claim, ["comment_count", "comments"])
    return comment


def about_in_quote(comment: Comment, quote: str) -> tuple[str, str, str] | None:
    """The words a comment is about within the quote as it is now: (before, words, after), the
    context cut to CONTEXT characters; None when the comment is about no words or they are gone."""
    if not comment.about_words:
        return None
    found = _find_in_quote(quote, comment.about_words, comment.about_start)
    if found is None:
        return None
    s, e = found
    before, after = quote[max(0, s - CONTEXT):s], quote[e:e + CONTEXT]
    return ("…" + before if s > CONTEXT else before), quote[s:e], (after + "…" if e + CONTEXT < len(quote) else after)


def people_to_mention(typed: str) -> list[tuple[str, str]]:
    """(handle, name) of the active people whose handle or name begins with what was typed after @.

    A handle several people share (their e-mails' local parts are equal) is offered as each one's
    whole address, so that choosing one reaches that one person only."""
    typed = (typed or "").strip().lstrip("@")
    if len(typed) > MAX_HANDLE_QUERY:
        raise ValidationError(f"A handle is at most {MAX_HANDLE_QUERY} characters.", fields={"q": "too_long"})
    if not typed:
        return []
    key = _like(email_key(typed))
    found = db.session.execute(
        select(User).where(User.active.is_(True),
                           or_(User.email_key.like(f"{key}%", escape="\\"),
                               func.lower(User.name).like(f"{key}%", escape="\\"),
                               func.lower(User.name).like(f"% {key}%", escape="\\")))
        .order_by(User.email_key).limit(MENTION_CHOICES)).scalars().all()
    if not found:
        return []
    locals_ = {handle(u) for u in found}
    sharing = Counter(k.split("@", 1)[0] for k in db.session.execute(select(User.email_key).where(
        or_(*[User.email_key.like(f"{_like(h)}@%", escape="\\") for h in locals_]))).scalars())
    return [(u.email_key if sharing[handle(u)] > 1 else handle(u), u.name) for u in found]


def _like(text: str) -> str:
    """`text` for a LIKE pattern with backslash as the escape: its own % and _ match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def comments_of(claim: Claim) -> list[Comment]:
    from sqlalchemy.orm import joinedload

    return db.session.execute(
        select(Comment).where(Comment.claim_id == claim.id).options(joinedload(Comment.author)).order_by(Comment.id)
    ).scalars().all()
