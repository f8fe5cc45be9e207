"""Re-anchoring through the database (DESIGN.md §4): random edits to real article texts, saved with
revise_article, never lose a claim, and every claim still placed satisfies text[start:end] == quote."""
from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from factdesk.articles.revise import confirm_anchor, reattach, revise_article
from factdesk.articles.service import create_article
from factdesk.claims.highlight import add_claim, anchor_at
from factdesk.extensions import db
from factdesk.models import AnchorState, Article, Claim, ClaimHistory
from factdesk.text import canonicalize

from tests.conftest import FIXTURES

SEED_TEXT = canonicalize((FIXTURES / "articles" / "dprk-munitions-interview.txt").read_text(encoding="utf-8"))
_TRUTH = json.loads((FIXTURES / "web-articles" / "ground-truth.json").read_text(encoding="utf-8"))
TEXTS = [SEED_TEXT] + [canonicalize(_TRUTH[k]["articleBody"]) for k in sorted(_TRUTH)[:3]]
WORD = re.compile(r"\w+")

# An edit: (kind, where as a fraction of the text, how long as a fraction, inserted words).
edit = st.tuples(
    st.sampled_from(["insert", "delete", "replace", "move", "retype"]),
    st.floats(0, 1), st.floats(0, 0.2),
    st.text(alphabet=st.sampled_from(list("abcdefgh ’—🎉\n.,")), min_size=0, max_size=40),
)


def _apply(text: str, change) -> str:
    kind, at, size, words = change
    i = int(at * len(text))
    j = min(len(text), i + int(size * len(text)))
    if kind == "insert":
        out = text[:i] + words + text[i:]
    elif kind == "delete":
        out = text[:i] + text[j:]
    elif kind == "replace":
        out = text[:i] + words + text[j:]
    elif kind == "move":  # a passage cut and pasted elsewhere (a paragraph moved up by an editor)
        piece, rest = text[i:j], text[:i] + text[j:]
        k = int((1 - at) * len(rest))
        out = rest[:k] + piece + rest[k:]
    else:  # typographic retyping: straight quotes, a changed figure
        out = text.replace("’", "'", 3).replace("10", "11", 1)
    out = canonicalize(out)
    return out if out.strip() else "Everything was removed."


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow])
@given(which=st.integers(0, len(TEXTS) - 1), picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=8),
       revisions=st.lists(st.lists(edit, min_size=1, max_size=4), min_size=1, max_size=3))
def test_random_revisions_never_lose_a_claim_and_placed_quotes_match(app, checker, which, picks, revisions):
    article = create_article(text=TEXTS[which], by=checker, title="Property")
    db.session.commit()
    words = list(WORD.finditer(article.text))
    ids, spans = [], set()
    for pick in picks:
        first = words[pick % len(words)]
        last = words[min(len(words) - 1, pick % len(words) + pick % 7)]
        if (first.start(), last.end()) in spans:
            continue  # the same words twice would be a duplicate highlight (refused elsewhere)
        spans.add((first.start(), last.end()))
        ids.append(add_claim(article, checker, anchor_at(article.text, first.start(), last.end())).id)
    db.session.commit()

    text = article.text
    for number, changes in enumerate(revisions, start=2):
        for change in changes:
            text = _apply(text, change)
        before = {c.id: (c.anchor_start, c.anchor_end, c.quote, c.anchor_state.value)
                  for c in db.session.execute(select(Claim).where(Claim.article_id == article.id)).scalars()}
        done = revise_article(article, text, checker, note=f"edit {number}")
        db.session.commit()
        db.session.expire_all()

        article = db.session.get(Article, article.id)
        assert article.text == text
        claims = db.session.execute(select(Claim).where(Claim.article_id == article.id)).scalars().all()
        assert sorted(c.id for c in claims) == sorted(ids), "a claim was lost"
        for claim in claims:
            event(f"anchor state {claim.anchor_state.value}")  # --hypothesis-show-statistics shows the mix
            if claim.anchor_state != AnchorState.orphaned:
                assert text[claim.anchor_start:claim.anchor_end] == claim.quote
                assert text[:claim.anchor_start].endswith(claim.prefix)
                assert text[claim.anchor_end:].startswith(claim.suffix)
            if claim.anchor_state == AnchorState.fuzzy:
                assert claim.previous_quote
            changed = before[claim.id] != (claim.anchor_start, claim.anchor_end, claim.quote, claim.anchor_state.value)
            if done.changed:  # one history entry for each claim whose anchor changed, none for the others
                entries = db.session.execute(select(func.count(ClaimHistory.id)).where(
                    ClaimHistory.claim_id == claim.id, ClaimHistory.action == "reanchored",
                    ClaimHistory.comment == f"Article revision {done.revision}")).scalar_one()
                assert entries == (1 if changed else 0)


def test_confirm_and_reattach_write_history_and_bump_the_version(app, checker):
    article = create_article(text=SEED_TEXT, by=checker, title="Seed")
    old = "the previous estimate of 7,000 containers given by the South Korean defense chief"
    start = article.text.index(old)
    claim = add_claim(article, checker, anchor_at(article.text, start, start + len(old)))
    db.session.commit()
    v1 = claim.version
    revise_article(article, article.text.replace(old,
                                                 "the previous estimate of 7,000 containers given by Seoul's defense "
                                                 "chief"), checker)
    db.session.commit()
    assert claim.anchor_state == AnchorState.fuzzy and claim.version == v1 + 1
    confirm_anchor(claim, checker)
    db.session.commit()
    assert claim.anchor_state == AnchorState.anchored and claim.version == v1 + 2
    reattach(claim, checker, quote="In 2022 alone, they have conducted 69 launches")
    db.session.commit()
    assert claim.quote == "In 2022 alone, they have conducted 69 launches" and claim.version == v1 + 3
    actions = [h.action for h in db.session.execute(
        select(ClaimHistory).where(ClaimHistory.claim_id == claim.id).order_by(ClaimHistory.id)).scalars()]
    assert actions == ["created", "reanchored", "anchor_confirmed", "reattached"]


def test_unchanged_text_makes_no_revision(app, checker):
    article = create_article(text=SEED_TEXT, by=checker, title="Seed")
    db.session.commit()
    done = revise_article(article, SEED_TEXT + "\n\n", checker)
    assert not done.changed and done.revision == 1
    assert db.session.get(Article, article.id).revision == 1
