"""Acting on 'checked before?': mark a claim as a duplicate of an earlier one, or reuse its evidence.

Where DESIGN.md §12 is silent: marking a duplicate links the new claim to the earlier one
(`duplicate_of`) with a history entry, and — when asked — discards the new claim through the
workflow with the reason "duplicate of claim N", so the usual rules apply (only an editor may
discard, and only from new, researching or changes requested). Copying evidence adds each link the
new claim does not have yet through the evidence rules (open claim, assignee or editor), keeps the
earlier archive copy with it, and notes where it came from in the history.
"""
from __future__ import annotations

from ..errors import ConflictError, ValidationError
from ..extensions import db
from ..models import Claim, Evidence, User
from ..claims import archive
from ..claims.evidence import add_evidence, may_change
from ..claims.history import record
from ..claims.workflow import DUPLICATE, check_unlocked, transition

COPIED_FIELDS = ("url", "title", "publisher", "excerpt", "stance", "source_type", "accessed_at", "archive_url")


def discard_reason(original: Claim) -> str:
    return f"duplicate of claim {original.id}"


def mark_duplicate(claim: Claim, original: Claim, by: User, *, discard: bool = False) -> Claim:
    """Link `claim` to the earlier claim it repeats; with `discard`, also discard it with that reason."""
    if original.id == claim.id:
        raise ValidationError("A claim cannot be a duplicate of itself.", fields={"duplicate_of": "self"})
    check_unlocked(claim, DUPLICATE)
    seen, step = {claim.id}, original
    while step is not None:  # refuse loops: A duplicate of B duplicate of A
        if step.id in seen:
            raise ConflictError(f"Claim {original.id} is already marked as a duplicate of claim {claim.id}.",
                                code="duplicate_loop", fields={"duplicate_of": "loop"})
        seen.add(step.id)
        step = step.duplicate_of
    if claim.duplicate_of_id != original.id:
        before = claim.duplicate_of_id
        claim.duplicate_of = original
        claim.updated_by = by
        record(claim, by, "edit", field="duplicate_of", before=before, after=original.id,
               comment=f"Marked as a duplicate of claim {original.id}.")
        db.session.flush()
    if discard:
        transition(claim, "discarded", by, discard_reason(original))
    return claim


def copy_evidence(source: Claim, target: Claim, by: User) -> list[Evidence]:
    """Add to `target` each evidence link of `source` it lacks (by URL), with its archive copy."""
    if source.id == target.id:
        raise ValidationError("Choose another claim to copy evidence from.", fields={"source": "self"})
    have = {e.url for e in target.evidence}
    made = []
    for item in source.evidence:
        if item.url in have:
            continue
        copy = add_evidence(target, by, {f: getattr(item, f).value if hasattr(getattr(item, f), "value")
                                         else getattr(item, f) for f in COPIED_FIELDS})
        if item.archived_at is not None:
            copy.archive_text, copy.archived_at = item.archive_text, item.archived_at
            copy.archive_status = item.archive_status
            queued = db.session().info.get(archive.QUEUE_KEY)
            if queued and copy.id in queued:
                queued.remove(copy.id)  # it has its copy already: no need to fetch again
        have.add(item.url)
        made.append(copy)
    if not made:
        raise ConflictError(f"Claim {target.id} already has every evidence link of claim {source.id}.",
                            code="nothing_to_copy")
    record(target, by, "evidence_copied", field="evidence", before=None,
           after={"from_claim": source.id, "evidence": [e.id for e in made]},
           comment=f"Evidence copied from claim {source.id}.")
    db.session.flush()
    return made


__all__ = ["mark_duplicate", "copy_evidence", "discard_reason", "may_change"]
