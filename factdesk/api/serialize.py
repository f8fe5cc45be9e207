"""The API's shapes of DESIGN.md §8, one function per object, shared by every endpoint."""
from __future__ import annotations

from flask import url_for

from ..models import Article, Claim, Evidence, Priority, Status, split_tags
from ..public.slugs import check_link


def _iso(value):
    return value.isoformat() if value is not None else None


def person(user) -> dict | None:
    return None if user is None else person_of(user.id, user.name)


def person_of(user_id: int | None, name: str | None) -> dict | None:
    """A person from their id and name read beside another row (no User loaded)."""
    return None if user_id is None else {"id": user_id, "name": name}


def evidence(item: Evidence) -> dict:
    return {
        "id": item.id, "url": item.url, "title": item.title, "publisher": item.publisher, "excerpt": item.excerpt,
        "stance": item.stance.value, "source_type": item.source_type.value, "accessed_at": _iso(item.accessed_at),
        "archive_url": item.archive_url, "archived_at": _iso(item.archived_at), "link_status": item.link_status,
        # The desk's own archive copy (its text is read on the desk page) and link health.
        "archive_status": item.archive_status, "link_checked_at": _iso(item.link_checked_at),
    }


def anchor(claim: Claim) -> dict:
    return {"start": claim.anchor_start, "end": claim.anchor_end, "quote": claim.quote, "prefix": claim.prefix,
            "suffix": claim.suffix, "state": claim.anchor_state.value, "previous_quote": claim.previous_quote}


def claim(item: Claim, *, with_evidence: bool = True) -> dict:
    """A claim; pass with_evidence=False in lists that did not load evidence (keeps the SQL count flat)."""
    return claim_fields(item, assignee=person(item.assignee), tags=item.tags,
                        rating=item.rating.label if item.rating else None,
                        evidence=[evidence(e) for e in item.evidence] if with_evidence else None)


def claim_row(row) -> dict:
    """A claim from a row of its columns with `rating_label`, `assignee_id`, `assignee_name` and `tags`
    (models.tags_beside) read beside them (search hits: no ORM objects for a page of them)."""
    return claim_fields(row, assignee=person_of(row.assignee_id, row.assignee_name), tags=split_tags(row.tags),
                        rating=row.rating_label)


def claim_fields(item, *, assignee: dict | None, tags: list[str], rating: str | None,
                 evidence: list[dict] | None = None) -> dict:
    """The shape of a claim from its own columns (a Claim, or a row with their names) and what is
    read beside them."""
    return {
        "id": item.id,
        "article_id": item.article_id,
        "status": item.status.value,
        "anchor": anchor(item),
        "summary": item.summary,
        "claimant": item.claimant,
        "claimed_at": _iso(item.claimed_at),
        "priority": Priority(item.priority).name,  # the column hands back a plain int
        "due": _iso(item.due),
        "assignee": assignee,
        "tags": tags,
        "rating": rating,
        "rationale": item.rationale,
        "version": item.version,
        "evidence": evidence,
        "evidence_count": item.evidence_count,
        "comment_count": item.comment_count,
        "published_at": _iso(item.published_at),
        "public_url": public_url(item),
        "duplicate_of": item.duplicate_of_id,
        "created_at": _iso(item.created_at),
        "updated_at": _iso(item.updated_at),
        "url": url_for("desk.claim", claim_id=item.id, _external=False),
    }


def comment(item) -> dict:
    """A comment on a claim, with its Markdown rendered and sanitised."""
    from ..markdown import render_markdown

    return {"id": item.id, "claim_id": item.claim_id, "author": person(item.author), "body": item.body,
            "html": str(render_markdown(item.body)),
            "about": {"words": item.about_words, "start": item.about_start} if item.about_words else None,
            "created_at": _iso(item.created_at)}


def history_entry(entry) -> dict:
    """One entry of a claim's history (§8: at, by, action, field, before, after, comment)."""
    from ..claims.history import as_dict

    return as_dict(entry)


def public_url(item: Claim) -> str | None:
    """The check's public address once it was published (it redirects to the readable one, or answers
    410 once withdrawn)."""
    return None if item.published_at is None else check_link(item.id)


def article(item: Article, *, claims: list[Claim] | None = None, with_text: bool = True) -> dict:
    body = {
        "id": item.id, "title": item.title, "source_url": item.source_url, "publisher": item.publisher,
        "author": item.author, "published_at": _iso(item.published_at), "revision": item.revision,
        "claim_count": item.claim_count,
        "url": url_for("desk.article", article_id=item.id),
        "created_at": _iso(item.created_at), "updated_at": _iso(item.updated_at),
    }
    if with_text:
        body["text"] = item.text
    if claims is not None:
        body["claims"] = [claim(c, with_evidence=False) for c in claims]
    return body


def article_revision(row, *, with_text: bool = False) -> dict:
    """One revision of an article's text: its number, who, when, why (and the text when asked)."""
    body = {"number": row.number, "created_at": _iso(row.created_at), "created_by": person(row.created_by),
            "note": row.note}
    if with_text:
        body["text"] = row.text
    return body


PUBLISHED = Status.published
