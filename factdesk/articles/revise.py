"""Revising an article's text and keeping every claim on it (DESIGN.md §4).

A revision stores the full new text as a new ArticleRevision and re-anchors every claim of the
article with ``anchoring.reanchor``. No claim is ever deleted: one that cannot be placed becomes
``orphaned`` and keeps its quote. A ``fuzzy`` re-anchor keeps the wording it had before in
``Claim.previous_quote`` until a checker confirms the new wording (``confirm_anchor``) or puts the
claim elsewhere (``reattach``). Each claim whose anchor changed gets a history entry.

What the desk does when the words under a claim change (a fuzzy or orphaned result) depends on the
claim's state (DESIGN.md §13): in review or approved, the desk sends it back to `changes_requested`
with a note giving the old and new words (four eyes start over); published, readers keep the
published quote (publications are frozen) and the claim is flagged "the article changed under a
published check" to its checker and editors. Confirming or re-attaching a claim whose state locks
its anchor is refused (claims/workflow.py LOCKS) until an editor reopens it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..claims import workflow
from ..claims.highlight import locate
from ..claims.history import record
from ..claims.publishing import latest_publication
from ..errors import ConflictError, ValidationError
from ..extensions import db
from ..models import AnchorState, Article, ArticleRevision, Claim, Status, User, utcnow
from ..notify import check_owners, notify
from .anchoring import Anchor, reanchor
from .service import check_text


@dataclass
class Revised:
    """What a revision did: the new revision number and how many claims ended in each anchor state."""

    article: Article
    revision: int
    changed: bool
    claims: list[Claim] = field(default_factory=list)
    states: Counter = field(default_factory=Counter)
    # Published claims whose words changed (flagged), and claims in review or approved sent back.
    flagged: list[Claim] = field(default_factory=list)
    sent_back: list[Claim] = field(default_factory=list)

    def summary(self) -> str:
        if not self.changed:
            return f"The text is unchanged; the article stays at revision {self.revision}."
        counts = ", ".join(f"{self.states[s.value]} {s.value}" for s in AnchorState if self.states[s.value])
        return f"Saved revision {self.revision}." + (f" Claims: {counts}." if counts else "")


def anchor_of(claim: Claim) -> Anchor:
    return Anchor(claim.anchor_start, claim.anchor_end, claim.quote, claim.prefix or "", claim.suffix or "",
                  claim.anchor_state.value)


def anchor_record(claim_or_anchor) -> dict:
    """The before/after value of an ``anchor`` history entry."""
    if isinstance(claim_or_anchor, Anchor):
        a = claim_or_anchor
        return {"start": a.start, "end": a.end, "quote": a.quote, "state": a.state}
    c = claim_or_anchor
    return {"start": c.anchor_start, "end": c.anchor_end, "quote": c.quote, "state": c.anchor_state.value}


def revise_article(article: Article, text: str, by: User | None, note: str | None = None, *,
                   base_revision: int | None = None, tell: bool = True) -> Revised:
    """Store ``text`` as the article's next revision and re-anchor every claim; returns what happened.

    ``base_revision`` is the revision the person edited: if someone revised the article meanwhile,
    the edit is refused (409) rather than silently undoing theirs. Unchanged text makes no revision.
    """
    text = check_text(text)
    note = (note or "").strip() or None
    if note and len(note) > 500:
        raise ValidationError("The note is longer than 500 characters.", fields={"note": "too_long"})
    if base_revision is not None and base_revision != article.revision:
        raise ConflictError(
            f"The article was revised meanwhile (now revision {article.revision}, you edited {base_revision}). "
            "Your text is kept below; compare it with the current text and save again.",
            code="stale_revision", fields={"revision": article.revision})
    old = article.text
    claims = list(db.session.execute(
        select(Claim).where(Claim.article_id == article.id).order_by(Claim.id)).scalars())
    if text == old:
        return Revised(article, article.revision, False, claims,
                       Counter(c.anchor_state.value for c in claims))

    number, now = article.revision + 1, utcnow()
    # Conditional on the revision read: two people saving at once cannot both make revision N+1.
    result = db.session.execute(
        update(Article).where(Article.id == article.id, Article.revision == article.revision)
        .values(revision=number, text=text, updated_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ConflictError("The article was revised by someone else just now; reload it and save again.",
                            code="stale_revision")
    db.session.add(ArticleRevision(article=article, number=number, text=text, note=note, created_by=by,
                                   created_at=now))
    # The ORM object learns the new values without another SELECT.
    for name, value in (("revision", number), ("text", text), ("updated_at", now)):
        set_committed_value(article, name, value)

    placed = reanchor(old, text, [anchor_of(c) for c in claims])
    states: Counter = Counter()
    words_changed: list[tuple[Claim, str]] = []
    for claim, new in zip(claims, placed):
        states[new.state] += 1
        before = anchor_record(claim)
        if before == anchor_record(new) and claim.prefix == new.prefix and claim.suffix == new.suffix:
            continue
        if new.state == AnchorState.fuzzy.value and claim.anchor_state != AnchorState.fuzzy:
            claim.previous_quote = claim.quote  # the wording a checker must compare with
        elif new.state in (AnchorState.anchored.value, AnchorState.moved.value):
            claim.previous_quote = None
            if claim.article_changed_at is not None and claim.quote == new.quote:
                claim.article_changed_at = None  # the words came back
        claim.anchor_start, claim.anchor_end = new.start, new.end
        claim.quote, claim.prefix, claim.suffix = new.quote, new.prefix, new.suffix
        claim.anchor_state = AnchorState(new.state)
        claim.updated_at, claim.updated_by = now, by
        if before != anchor_record(new):
            record(claim, by, "reanchored", field="anchor", before=before, after=anchor_record(new),
                   comment=f"Article revision {number}")
            if new.state in (AnchorState.fuzzy.value, AnchorState.orphaned.value):
                words_changed.append((claim, before["quote"]))
    db.session.flush()
    done = Revised(article, number, True, claims, states)
    for claim, old_quote in words_changed:
        _words_changed_under(claim, old_quote, number, now, done, tell)
    db.session.flush()
    return done


KIND = "article_changed"


def _new_words(claim: Claim) -> str:
    return ("the words are no longer in the text" if claim.anchor_state == AnchorState.orphaned
            else f"the text now says “{claim.quote}”")


def _words_changed_under(claim: Claim, old_quote: str, number: int, now, done: Revised, tell: bool) -> None:
    """The words under a claim changed in revision `number`: what the desk does depends on its state."""
    if claim.status in (Status.in_review, Status.approved):
        workflow.desk_sends_back(claim, f"The article changed under this claim (revision {number}): it quoted "
                                        f"“{old_quote}”; {_new_words(claim)}. "
                                        "Confirm the new wording and submit again.")
        done.sent_back.append(claim)
    elif claim.status == Status.published:
        published = latest_publication(claim.id)
        claim.article_changed_at = now
        record(claim, None, "article_changed", field="anchor", before=published.quote if published else old_quote,
               after=None if claim.anchor_state == AnchorState.orphaned else claim.quote,
               comment=f"The article changed under this published check (revision {number}); readers keep the "
                       "published quote until the check is reopened and published again.")
        if tell:  # the source watch tells them itself, with its diff
            notify(check_owners(claim), KIND, claim, None,
                   f"The article changed under a published check (claim {claim.id}, revision {number}): readers see "
                   f"“{published.quote if published else old_quote}”; {_new_words(claim)}. Reopen it to correct it.")
        done.flagged.append(claim)


def confirm_anchor(claim: Claim, by: User | None) -> Claim:
    """A checker accepts a fuzzy re-anchor's new wording: the claim is anchored there again."""
    workflow.check_unlocked(claim, workflow.ANCHOR)
    if claim.anchor_state != AnchorState.fuzzy:
        raise ConflictError(f"Claim {claim.id} is {claim.anchor_state.value}, not fuzzy: there is nothing to confirm.",
                            code="not_fuzzy", fields={"state": claim.anchor_state.value})
    before = anchor_record(claim)
    previous = claim.previous_quote
    claim.anchor_state = AnchorState.anchored
    claim.previous_quote = None
    claim.updated_at, claim.updated_by = utcnow(), by
    record(claim, by, "anchor_confirmed", field="anchor", before=before, after=anchor_record(claim),
           comment=f"Confirmed the new wording (was: {previous})" if previous else None)
    db.session.flush()
    return claim


def reattach(claim: Claim, by: User | None, *, start: int | None = None, end: int | None = None,
             quote: str | None = None, prefix: str | None = None, suffix: str | None = None) -> Claim:
    """Put an orphaned (or fuzzy, or any) claim on a selection or a quote in the current text."""
    workflow.check_unlocked(claim, workflow.ANCHOR)
    article = claim.article
    anchor = locate(article, start=start, end=end, quote=quote, prefix=prefix, suffix=suffix)
    other = db.session.execute(
        select(Claim.id).where(Claim.article_id == article.id, Claim.id != claim.id,
                               Claim.anchor_start == anchor.start, Claim.anchor_end == anchor.end,
                               Claim.anchor_state != AnchorState.orphaned)).scalar()
    if other is not None:
        raise ConflictError(f"Those words are already highlighted as claim {other}.", code="duplicate_highlight",
                            fields={"claim_id": other})
    before = anchor_record(claim)
    claim.anchor_start, claim.anchor_end = anchor.start, anchor.end
    claim.quote, claim.prefix, claim.suffix = anchor.quote, anchor.prefix, anchor.suffix
    claim.anchor_state = AnchorState.anchored
    claim.previous_quote = None
    claim.updated_at, claim.updated_by = utcnow(), by
    record(claim, by, "reattached", field="anchor", before=before, after=anchor_record(claim))
    db.session.flush()
    return claim

