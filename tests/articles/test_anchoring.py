"""Anchoring (DESIGN §4): anchor a selection, find a quote, re-anchor after a revision."""
from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factdesk.articles.anchoring import (
    ANCHORED, FUZZY, MIN_UNIQUE_QUOTE, MOVED, ORPHANED, PREFIX_LEN, Anchor, anchor_at, find_quote, reanchor,
)
from factdesk.errors import ConflictError, ValidationError
from factdesk.text import canonicalize

FIXTURES = Path(os.environ.get("FACTDESK_FIXTURES")
                or Path(__file__).resolve().parents[3] / "shared" / "fixtures")


def _fixture_texts() -> list[str]:
    texts = [canonicalize((FIXTURES / "articles" / "dprk-munitions-interview.txt")
                          .read_text(encoding="utf-8"))]
    truth = json.loads((FIXTURES / "web-articles" / "ground-truth.json").read_text(encoding="utf-8"))
    bodies = sorted((v["articleBody"] for v in truth.values()), key=len)
    # a short, a middling and a long page
    for body in (bodies[len(bodies) // 4], bodies[len(bodies) // 2], bodies[-3]):
        texts.append(canonicalize(body))
    return [t for t in texts if len(t) > 500]


TEXTS = _fixture_texts()
DPRK = TEXTS[0]


def _span(text: str, quote: str, nth: int = 0) -> tuple[int, int]:
    s = -1
    for _ in range(nth + 1):
        s = text.index(quote, s + 1)
    return s, s + len(quote)


# --- anchor_at -----------------------------------------------------------------------------------

def test_anchor_at_builds_quote_and_context():
    s, e = _span(DPRK, "10,000 containers of munitions")
    a = anchor_at(DPRK, s, e)
    assert (a.start, a.end, a.quote, a.state) == (s, e, "10,000 containers of munitions", ANCHORED)
    assert a.prefix == DPRK[s - PREFIX_LEN:s] and len(a.prefix) == 32
    assert a.suffix == DPRK[e:e + PREFIX_LEN]


def test_anchor_at_text_edges_have_short_context():
    a = anchor_at("Hello world", 0, 5)
    assert (a.prefix, a.suffix) == ("", " world")
    b = anchor_at("Hello world", 6, 11)
    assert (b.prefix, b.suffix) == ("Hello ", "")


@pytest.mark.parametrize("start,end", [(-1, 3), (3, 3), (5, 2), (0, 12), (0, "3"), (True, 3)])
def test_anchor_at_rejects_bad_spans(start, end):
    with pytest.raises(ValidationError) as err:
        anchor_at("Hello world", start, end)
    assert err.value.code == "invalid_anchor" and err.value.status == 422
    if isinstance(start, int) and isinstance(end, int) and not isinstance(start, bool):
        # the person is told what to do, in words; the offsets stay in the fields for API clients
        assert err.value.message.endswith("select the words again.") and f"{start}–{end}" not in err.value.message
        assert err.value.fields["start"] == start


def test_anchor_at_rejects_whitespace_and_overlong_quotes():
    with pytest.raises(ValidationError, match="whitespace"):
        anchor_at("Hello \n\n world", 5, 8)
    with pytest.raises(ValidationError, match="at most 4"):
        anchor_at("Hello world", 0, 5, max_quote=4)


def test_offsets_are_code_points_with_emoji_before_the_claim():
    text = "Fans 🎉🇺🇦 cheered. The minister said 40% of 𝔘nits were ready."
    quote = "40% of 𝔘nits"
    s = text.index(quote)
    a = anchor_at(text, s, s + len(quote))
    assert a.quote == quote and text[a.start:a.end] == quote
    assert a.start == 36  # code points, not UTF-16 units (which would count 4 more)
    assert find_quote(text, quote) == a


# --- find_quote ----------------------------------------------------------------------------------

def test_find_quote_exact_unique():
    a = find_quote(DPRK, "a minimum of 10 occurrences")
    assert DPRK[a.start:a.end] == "a minimum of 10 occurrences"


def test_find_quote_not_found():
    with pytest.raises(ValidationError) as err:
        find_quote(DPRK, "eleven thousand containers")
    assert err.value.code == "quote_not_found"


def test_find_quote_empty_is_invalid():
    with pytest.raises(ValidationError) as err:
        find_quote(DPRK, "  \n")
    assert err.value.code == "invalid_anchor"


def test_find_quote_ambiguous_lists_occurrences():
    quote = "North Korea has sent 10,000 containers of munitions to Russia."
    with pytest.raises(ConflictError) as err:
        find_quote(DPRK, quote)
    assert err.value.code == "ambiguous_quote" and err.value.status == 409
    occ = err.value.fields["occurrences"]
    assert len(occ) == 2
    for o in occ:
        assert DPRK[o["start"]:o["end"]] == quote
        assert o["prefix"] == DPRK[max(0, o["start"] - 32):o["start"]]
        assert o["suffix"] == DPRK[o["end"]:o["end"] + 32]


def test_find_quote_duplicates_told_apart_by_prefix_and_suffix():
    quote = "North Korea has sent 10,000 containers of munitions to Russia."
    first, second = _span(DPRK, quote, 0), _span(DPRK, quote, 1)
    # both copies follow the same 32 characters; a longer prefix tells them apart
    with pytest.raises(ConflictError) as err:
        find_quote(DPRK, quote, prefix=DPRK[first[0] - 32:first[0]])
    assert len(err.value.fields["occurrences"]) == 2
    a = find_quote(DPRK, quote, prefix=DPRK[first[0] - 90:first[0]])
    assert (a.start, a.end) == first
    b = find_quote(DPRK, quote, suffix=DPRK[second[1]:second[1] + 10])
    assert (b.start, b.end) == second
    c = find_quote(DPRK, quote, prefix=DPRK[second[0] - 32:second[0]],
                   suffix=DPRK[second[1]:second[1] + 32])
    assert (c.start, c.end) == second


def test_find_quote_context_that_fits_neither_stays_ambiguous():
    quote = "North Korea has sent 10,000 containers of munitions to Russia."
    with pytest.raises(ConflictError):
        find_quote(DPRK, quote, prefix="nothing like it", suffix="zzz")


def test_find_quote_tolerates_straight_quotes_and_whitespace():
    # the text has a typographic apostrophe; the pasted quote a straight one, a line break, two spaces
    a = find_quote(DPRK, "the Democratic People's\nRepublic of  Korea (DPRK)")
    assert a.quote == "the Democratic People\u2019s Republic of Korea (DPRK)"
    assert DPRK[a.start:a.end] == a.quote


def test_find_quote_typographic_apostrophe_exact():
    a = find_quote(DPRK, "South Korea\u2019s defense minister")
    assert a.quote == "South Korea\u2019s defense minister"
    with pytest.raises(ConflictError):
        find_quote(DPRK, "People's Republic")  # twice, once the apostrophe is folded


def test_find_quote_returns_the_canonical_span_not_the_pasted_one():
    text = "He said \u201cwe will win\u201d \u2014 twice.\n\nAnd left."
    a = find_quote(text, ' "we will win" - twice. ')
    assert a.quote == "\u201cwe will win\u201d \u2014 twice."
    assert text[a.start:a.end] == a.quote


def test_find_quote_ignores_surrounding_whitespace():
    a = find_quote(DPRK, "  a minimum of 10 occurrences\n")
    assert a.quote == "a minimum of 10 occurrences"


def test_anchor_as_dict_is_the_api_shape():
    a = anchor_at("Hello world", 6, 11)
    assert a.as_dict() == {"start": 6, "end": 11, "quote": "world", "prefix": "Hello ",
                           "suffix": "", "state": "anchored"}


def test_find_quote_nfd_input_matches_nfc_text():
    text = canonicalize("Le pr\u00e9sident a dit non.")
    a = find_quote(text, "pre\u0301sident")
    assert a.quote == "pr\u00e9sident"


# --- reanchor: one test per step -----------------------------------------------------------------

def _anchor(text: str, quote: str, nth: int = 0) -> Anchor:
    return anchor_at(text, *_span(text, quote, nth))


def test_reanchor_unchanged_text_keeps_everything_anchored():
    anchors = [_anchor(DPRK, q) for q in ("10,000 containers", "Jung Pak", "69 launches")]
    assert reanchor(DPRK, DPRK, anchors) == anchors


def test_reanchor_edit_after_claim_keeps_position():
    a = _anchor(DPRK, "Jung Pak")
    new = DPRK.replace("Summit for Democracy", "Summit for Democracy (its third)")
    [b] = reanchor(DPRK, new, [a])
    assert (b.start, b.end, b.quote, b.state) == (a.start, a.end, a.quote, ANCHORED)


def test_reanchor_edit_before_claim_moves_it():
    a = _anchor(DPRK, "a minimum of 10 occurrences")
    new = "Breaking news.\n\n" + DPRK
    [b] = reanchor(DPRK, new, [a])
    assert b.state == MOVED and b.quote == a.quote
    assert b.start == a.start + len("Breaking news.\n\n")
    assert b.prefix == new[b.start - 32:b.start]


def test_reanchor_moved_paragraph():
    paras = DPRK.split("\n\n")
    i = next(k for k, p in enumerate(paras) if "Jung Pak" in p)
    a = _anchor(DPRK, "Jung Pak, informed VOA")
    moved = [paras[i]] + paras[:i] + paras[i + 1:]
    new = "\n\n".join(moved)
    [b] = reanchor(DPRK, new, [a])
    assert b.state == MOVED and new[b.start:b.end] == a.quote and b.start < a.start


def test_reanchor_fuzzy_when_the_quote_itself_is_edited():
    a = _anchor(DPRK, "sent more than 10,000 containers filled with military weapons")
    new = DPRK.replace("more than 10,000 containers filled", "over 10,000 containers packed")
    [b] = reanchor(DPRK, new, [a])
    assert b.state == FUZZY
    assert b.quote == "sent over 10,000 containers packed with military weapons"
    assert new[b.start:b.end] == b.quote


def test_reanchor_fuzzy_number_change():
    a = _anchor(DPRK, "previous estimate of 7,000 containers")
    new = DPRK.replace("previous estimate of 7,000", "previous estimate of 6,500")
    [b] = reanchor(DPRK, new, [a])
    assert (b.state, b.quote) == (FUZZY, "previous estimate of 6,500 containers")


def test_reanchor_prefers_fuzzy_in_place_over_the_same_words_elsewhere():
    text = "The army had 10,000 containers. Later reports: 10,000 containers were sent."
    a = _anchor(text, "10,000 containers")
    new = text.replace("had 10,000", "had 7,000")
    [b] = reanchor(text, new, [a])
    assert (b.state, b.start, b.quote) == (FUZZY, new.index("7,000"), "7,000 containers")


def test_reanchor_orphans_a_deleted_claim_and_keeps_its_quote():
    a = _anchor(DPRK, "She voiced strong worry")
    paras = DPRK.split("\n\n")
    new = "\n\n".join(p for p in paras if "She voiced strong worry" not in p)
    [b] = reanchor(DPRK, new, [a])
    assert b == Anchor(a.start, a.end, a.quote, a.prefix, a.suffix, ORPHANED)


def test_reanchor_orphans_a_rewritten_claim():
    a = _anchor(DPRK, "a minimum of 10 occurrences")
    new = DPRK.replace("a minimum of 10 occurrences", "several reported cases")
    [b] = reanchor(DPRK, new, [a])
    assert b.state == ORPHANED and b.quote == a.quote


def test_reanchor_duplicate_quotes_each_keep_their_own_occurrence():
    quote = "North Korea has sent 10,000 containers of munitions to Russia."
    first, second = _anchor(DPRK, quote, 0), _anchor(DPRK, quote, 1)
    new = DPRK.replace("Europe Ukraine", "Europe and Ukraine news")
    b1, b2 = reanchor(DPRK, new, [first, second])
    assert b1.state == ANCHORED and (b1.start, b1.end) == (first.start, first.end)
    assert b2.state == MOVED and b2.start == second.start + len(" and news")
    assert b2.start == _span(new, quote, 1)[0]


def test_reanchor_duplicate_quote_where_one_occurrence_is_deleted():
    quote = "North Korea has sent 10,000 containers of munitions to Russia."
    first, second = _anchor(DPRK, quote, 0), _anchor(DPRK, quote, 1)
    # drop the headline line (the first occurrence) only
    line_start = DPRK.rindex("\n\n", 0, first.start) + 2
    new = DPRK[:line_start] + DPRK[first.end + 1:]
    b1, b2 = reanchor(DPRK, new, [first, second])
    assert b2.state == MOVED and new[b2.start:b2.end] == quote
    assert b2.suffix == second.suffix
    # the first claim's words are gone; the remaining copy is the second claim's: never moved there
    # silently, at most offered (fuzzy) for a checker to confirm, or orphaned
    assert b1.state in (FUZZY, ORPHANED)


def test_reanchor_typographic_apostrophe_change_is_fuzzy():
    a = _anchor(DPRK, "South Korea\u2019s defense minister")
    new = DPRK.replace("\u2019", "'")
    [b] = reanchor(DPRK, new, [a])
    assert b.state == FUZZY and b.quote == "South Korea's defense minister"


def test_reanchor_emoji_inserted_before_claim():
    a = _anchor(DPRK, "69 launches")
    new = DPRK.replace("InformedInsights", "InformedInsights 🎉🇰🇷👩‍👩‍👧", 1)
    [b] = reanchor(DPRK, new, [a])
    assert b.state == MOVED and new[b.start:b.end] == "69 launches"
    assert b.start - a.start == len(" 🎉🇰🇷👩‍👩‍👧")  # code points


def test_reanchor_orphan_comes_back_when_its_wording_returns():
    a = _anchor(DPRK, "She voiced strong worry")
    cut = DPRK.replace("She voiced strong worry", "She voiced concern")
    [b] = reanchor(DPRK, cut, [a])
    assert b.state in (FUZZY, ORPHANED)
    orphan = Anchor(a.start + 999, a.end + 999, a.quote, a.prefix, a.suffix, ORPHANED)
    [c] = reanchor(cut, DPRK, [orphan])
    assert (c.start, c.end, c.state) == (a.start, a.end, MOVED)


def test_reanchor_keeps_an_unconfirmed_fuzzy_anchor_fuzzy():
    a = _anchor(DPRK, "Jung Pak")
    fuzzy = Anchor(a.start, a.end, a.quote, a.prefix, a.suffix, FUZZY)
    [b] = reanchor(DPRK, "Update.\n\n" + DPRK, [fuzzy])
    assert b.state == FUZZY and b.quote == "Jung Pak"


def test_reanchor_anchor_inconsistent_with_old_text_is_only_placed_by_quote():
    bogus = Anchor(0, 5, "Jung Pak", "Official for the ", ", informed VOA", ANCHORED)
    [b] = reanchor(DPRK, DPRK, [bogus])
    assert b.state == MOVED and DPRK[b.start:b.end] == "Jung Pak"


def test_reanchor_short_quote_elsewhere_without_context_is_not_taken():
    text = "Alpha said yes. Beta said no.\n\nGamma agreed."
    a = _anchor(text, "yes")
    new = "Alpha said maybe. Beta said no.\n\nGamma said yes, later."
    [b] = reanchor(text, new, [a])
    assert not (b.state == MOVED and b.start == new.index("yes"))


def test_reanchor_places_300_claims_on_a_text_at_the_limit():
    """Correct at 500,000 characters; its time is the bench's worst_case_text row, not a test's clock."""
    base = "\n\n".join(TEXTS) * 1
    text = (base + "\n\n") * (500_000 // (len(base) + 2))
    rng = random.Random(7)
    words = [m.span() for m in re.finditer(r"\S+(?: \S+){3}", text)]
    anchors = [anchor_at(text, s, e) for s, e in rng.sample(words, 300)]
    new = text
    for _ in range(20):  # scattered edits, one paragraph moved
        p = rng.randrange(len(new))
        new = new[:p] + "edited " + new[p + 5:]
    new = canonicalize(new)
    out = reanchor(text, new, anchors)
    assert len(out) == 300
    assert all(new[a.start:a.end] == a.quote for a in out if a.state != ORPHANED)


def test_reanchor_300_claims_on_50k_text_with_an_insertion_and_a_cut():
    text = canonicalize(("\n\n".join(TEXTS) + "\n\n") * 3)[:50_000]
    rng = random.Random(3)
    words = [m.span() for m in re.finditer(r"\S+(?: \S+){2}", text)]
    anchors = [anchor_at(text, s, e) for s, e in rng.sample(words, 300)]
    new = text[:1000] + "A new sentence. " + text[1000:30_000] + text[30_050:]
    out = reanchor(text, new, anchors)
    assert all(new[a.start:a.end] == a.quote for a in out if a.state != ORPHANED)


# --- property: random revisions of real articles -------------------------------------------------

class _Doc:
    """A revised text that remembers, for each character, which old offset it came from (-1: new)."""

    def __init__(self, text: str):
        self.chars = list(text)
        self.origin = list(range(len(text)))

    def splice(self, i: int, j: int, new: str) -> None:
        self.chars[i:j] = list(new)
        self.origin[i:j] = [-1] * len(new)

    @property
    def text(self) -> str:
        return "".join(self.chars)


_INSERTS = ["not ", "reportedly ", "10,000 ", "\u201cquoted\u201d ", "It\u2019s new. ", "🎉 ", "e\u0301 "]


@st.composite
def revision(draw):
    text = draw(st.sampled_from(TEXTS))
    words = [m.span() for m in re.finditer(r"\S+", text)]
    claims = []
    for _ in range(draw(st.integers(1, 12))):
        i = draw(st.integers(0, len(words) - 1))
        k = draw(st.integers(0, 8))
        s, e = words[i][0], words[min(len(words) - 1, i + k)][1]
        if e - s <= 2000:
            claims.append((s, e))
    ops = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "move", "quotes", "near"]))
        ops.append((kind, draw(st.integers(0, 10**9)), draw(st.integers(0, 10**9)),
                    draw(st.sampled_from(_INSERTS))))
    return text, claims, ops


def _word_boundary(text: str, x: int) -> int:
    x = min(max(0, x), len(text))
    while 0 < x < len(text) and not text[x - 1].isspace():
        x -= 1
    return x


def _apply(doc: _Doc, ops, claims) -> None:
    for kind, r1, r2, ins in ops:
        text = doc.text
        n = len(text)
        if kind == "near" and claims:  # edit just inside or around a claim
            s, e = claims[r1 % len(claims)]
            where = [s, e, s + (e - s) // 2, max(0, s - 3), min(n, e + 3)][r2 % 5]
            where = min(max(0, where), n)
            doc.splice(where, where, ins)
        elif kind == "insert":
            p = _word_boundary(text, r1 % (n + 1))
            doc.splice(p, p, ins)
        elif kind == "delete":
            p = _word_boundary(text, r1 % (n + 1))
            doc.splice(p, min(n, p + 1 + r2 % 60), "")
        elif kind == "replace":
            p = _word_boundary(text, r1 % (n + 1))
            doc.splice(p, min(n, p + 1 + r2 % 12), ins)
        elif kind == "quotes":  # typographic <-> straight over a stretch of text
            p = r1 % (n + 1)
            q = min(n, p + 200 + r2 % 2000)
            for k in range(p, q):
                c = doc.chars[k]
                if c in "\u2019'\u201c\u201d\"":
                    doc.splice(k, k + 1, {"\u2019": "'", "'": "\u2019", "\u201c": '"',
                                          "\u201d": '"', '"': "\u201c"}[c])
        elif kind == "move":  # move one paragraph elsewhere; its characters keep their origin
            paras, k = [], 0
            for m in re.finditer("\n\n", text):
                paras.append((doc.chars[k:m.start()], doc.origin[k:m.start()]))
                k = m.end()
            paras.append((doc.chars[k:], doc.origin[k:]))
            if len(paras) < 2:
                continue
            para = paras.pop(r1 % len(paras))
            paras.insert(r2 % (len(paras) + 1), para)
            doc.chars, doc.origin = [], []
            for k, (chars, origin) in enumerate(paras):
                if k:
                    doc.chars += ["\n", "\n"]
                    doc.origin += [-1, -1]
                doc.chars += chars
                doc.origin += origin


def _grew(old: str, s: int, e: int, new: str, k: int, j: int) -> bool:
    """Whether the claim ``old[s:e]``, now ``new[k:j]``, began or ended on a word's edge that its
    first or last word no longer has (letters or digits joined to it)."""
    def joined(t: str, x: int) -> bool:
        return 0 < x < len(t) and t[x - 1].isalnum() and t[x].isalnum()
    return (joined(new, k) and not joined(old, s)) or (joined(new, j) and not joined(old, e))


def _untouched(doc: _Doc, s: int, e: int) -> bool:
    """The claim's characters and PREFIX_LEN each side reached the new text unchanged, together."""
    lo, hi = s, e
    want = list(range(lo, hi))
    try:
        k = doc.origin.index(lo)
    except ValueError:
        return False
    return doc.origin[k:k + len(want)] == want and len(want) > 0


# A page whose sentence "...in an exaggerated fashion—think Donald Trump..." occurs twice: one copy
# is edited and the claim's paragraph moves, and the diff crosses the two copies.
_CROSSED = [("delete", 932, 640130, "not "), ("move", 0, 5, "not "), ("insert", 0, 0, "not "),
            ("insert", 0, 0, "not "), ("move", 1701616, 146, "not ")]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(revision())
@example((TEXTS[2], [(1829, 1870)], _CROSSED))
@example((TEXTS[2], [(1818, 1828)], _CROSSED))
@example((TEXTS[2], [(1811, 1825)], [("delete", 932, 17538, "not ")] + _CROSSED[1:]))
def test_reanchor_property_on_random_revisions(rev):
    old, spans, ops = rev
    anchors = [anchor_at(old, s, e) for s, e in spans]
    doc = _Doc(old)
    _apply(doc, ops, spans)
    new = canonicalize(doc.text)
    out = reanchor(old, new, anchors)

    assert len(out) == len(anchors)
    for a, b in zip(anchors, out):
        if b.state == ORPHANED:
            assert (b.start, b.end, b.quote, b.prefix, b.suffix) == \
                (a.start, a.end, a.quote, a.prefix, a.suffix)
            continue
        assert new[b.start:b.end] == b.quote and b.quote.strip()
        assert b.prefix == new[max(0, b.start - PREFIX_LEN):b.start]
        assert b.suffix == new[b.end:b.end + PREFIX_LEN]
        if b.state in (ANCHORED, MOVED):  # the same words; a move may respace them
            assert " ".join(b.quote.split()) == " ".join(a.quote.split())
    if new != doc.text:
        return  # canonicalisation shifted characters: the origin map no longer holds
    for a, b, (s, e) in zip(anchors, out, spans):
        if _untouched(doc, s, e) and new.count(a.quote) == 1 and len(a.quote) >= MIN_UNIQUE_QUOTE:
            k = doc.origin.index(s)
            if _grew(old, s, e, new, k, k + e - s):
                # letters now joined to an edge word ("make a" in "make after", "rose 5" in "rose
                # 50"): the claim's words changed, so it is offered over them, never placed silently
                assert b.state == FUZZY and b.start <= k and k + e - s <= b.end, (a, b)
                continue
            assert b.state in (ANCHORED, MOVED) and b.quote == a.quote, (a, b)
        ctx_s, ctx_e = max(0, s - PREFIX_LEN), min(len(old), e + PREFIX_LEN)
        if _untouched(doc, ctx_s, ctx_e) and len(a.prefix) + len(a.suffix) >= 32:
            # quote and context intact: same wording, found again; where the quote now occurs more
            # than once and the diff lost it, it is only offered (fuzzy), never moved on context alone
            allowed = (ANCHORED, MOVED) if new.count(a.quote) == 1 else (ANCHORED, MOVED, FUZZY)
            assert b.state in allowed and b.quote == a.quote, (a, b)
            if new.count(a.prefix + a.quote + a.suffix) == 1:
                k = doc.origin.index(s)
                assert (b.start, b.end) == (k, k + len(a.quote))


# --- the rules of §4 that make re-anchoring trustworthy -----------------------------------------

def test_reanchor_never_moves_to_another_copy_on_context_alone():
    text = "Intro line.\n\nThe port is closed. Ships wait.\n\nLater: The port is closed. Ships wait."
    a = _anchor(text, "The port is closed.", 0)
    # the first paragraph is rewritten; the copy with the same context remains elsewhere
    new = text.replace("Intro line.\n\nThe port is closed. Ships wait.", "Intro line.\n\nNothing here.")
    [b] = reanchor(text, new, [a])
    assert b.state in (FUZZY, ORPHANED)  # flagged, not silently moved onto the other copy



def test_reanchor_stays_where_the_diff_maps_it_when_a_copy_reads_only_a_little_better():
    sentence = "The port handled 10,000 boxes last year, the authority said."
    old = f"Alpha opened the day.\n\n{sentence}\n\nBeta closed it.\n\nGamma went home."
    # a paragraph inserted before the claim's, a sentence added after it, and a copy of its
    # sentence pasted as a paragraph of its own further down (a paragraph break after it, as before)
    new = (f"Alpha opened the day.\n\nOmega.\n\n{sentence} Ships waited offshore.\n\nBeta closed it."
           f"\n\nGamma went home.\n\n{sentence}\n\nDelta.")
    a = _anchor(old, "10,000 boxes")
    [b] = reanchor(old, new, [a])
    assert (b.start, b.state) == (new.index("10,000 boxes"), FUZZY)


def test_reanchor_finds_a_short_quote_with_one_word_changed_wherever_its_paragraph_went():
    first = "Alpha opened the meeting early and thanked everyone for coming."
    rest = "Beta closed it after a long debate about the budget.\n\nGamma went home.\n\nDelta wrote the minutes."
    old = f"{first}\n\nOur partner: Acme Systems\n\n{rest}"
    # the paragraph before it deleted, the claim's moved to the end with one word changed: neither
    # the diff nor the stored context leads there
    new = f"{rest}\n\nOur partner: Zenith Systems"
    [b] = reanchor(old, new, [_anchor(old, "Our partner: Acme Systems")])
    assert (b.quote, b.state) == ("Our partner: Zenith Systems", FUZZY)
    assert new[b.start:b.end] == b.quote


def test_reanchor_flags_an_exact_copy_when_the_claims_own_place_holds_it_edited_in_its_old_surroundings():
    sentence = "Eve Door brings automations to your Siri setup"
    intro = "The tablet has a bright screen, a fast chip and a battery that lasts all day, which makes it a good buy."
    offer = "Amazon is offering the sensor for $30 today, a quarter off its usual price."
    old = f"{intro}\n\n{sentence}\n\n{offer}"
    # the claim's words edited in place; a copy of its sentence (as it was) pasted further down
    new = (f"{intro}\n\n{sentence.replace('to your', 'price your')} and more\n\n{offer}"
           f"\n\nShips sail at dawn.\n\n{sentence} and more")
    [b] = reanchor(old, new, [_anchor(old, "to your")])
    assert (b.start, b.quote, b.state) == (new.index("price your"), "price your", FUZZY)


def test_reanchor_offers_a_common_word_whose_surrounding_words_were_rewritten():
    first = "The novelist met the press at the festival on Sunday, and she spoke for an hour."
    line = "You are only seeing {} the {} water in every novel, she said."
    old = f"{first}\n\n{line.format('the tenth of', 'iceberg that is out of the')}\n\nThe festival closes on Monday."
    before = "Going to a pizza place in town is an odd thing for me to do, he said"
    after = "Sadly, Andrew's interview only happened thanks to his press officer"
    new = f"{first}\n\n{line.format(before, after)}\n\nThe festival closes on Monday."
    [b] = reanchor(old, new, [_anchor(old, "the", 3)])  # "the iceberg"
    assert (b.start, b.state) == (new.index(before) + len(before) + 1, FUZZY)

def test_reanchor_whitespace_only_change_inside_quote_is_a_move():
    a = _anchor(DPRK, "sent more than 10,000 containers filled with military weapons")
    new = DPRK.replace("more than 10,000 containers", "more than\n10,000  containers")
    [b] = reanchor(DPRK, new, [a])
    assert b.state == MOVED
    assert b.quote == "sent more than\n10,000  containers filled with military weapons"
    assert new[b.start:b.end] == b.quote


def test_reanchor_short_quote_with_one_word_changed_is_fuzzy_not_orphaned():
    text = "Officials said prices rose sharply in March, according to the report."
    a = _anchor(text, "prices rose")
    new = text.replace("prices rose", "prices fell")
    [b] = reanchor(text, new, [a])
    assert (b.state, b.quote) == (FUZZY, "prices fell")


def test_reanchor_fuzzy_search_follows_a_moved_paragraph():
    paras = DPRK.split("\n\n")
    i = next(k for k, p in enumerate(paras) if "previous estimate of 7,000 containers" in p)
    a = _anchor(DPRK, "previous estimate of 7,000 containers")
    edited = paras[i].replace("previous estimate of 7,000", "previous estimate of 6,500")
    new = "\n\n".join([edited] + paras[:i] + paras[i + 1:])
    [b] = reanchor(DPRK, new, [a])
    assert (b.state, b.quote) == (FUZZY, "previous estimate of 6,500 containers")
    assert new[b.start:b.end] == b.quote


# --- moved paragraphs and copies: the diff follows the text, the wider old text tells copies apart ---

PARAGRAPHS = [
    "The port handled more than 10,000 containers last year, officials said on Monday.",
    "Shipping lines blamed the delays on the port and on a shortage of cranes at the docks.",
    "Unions said the port had cut night shifts twice since the spring, which slowed loading.",
    "A spokesman for the ministry declined to comment on the figures before the audit.",
    "Trade groups expect the port to recover once the new terminal opens next summer.",
]


def _article(order: list[int], edit=lambda k, p: p) -> str:
    return "\n\n".join(edit(k, PARAGRAPHS[k]) for k in order)


def test_reanchor_a_short_quote_follows_its_paragraph_to_where_it_moved():
    old = _article([0, 1, 2, 3, 4])
    s = old.index("the port had")
    a = anchor_at(old, s, s + len("the port"))  # "the port" occurs in four paragraphs
    new = _article([0, 1, 3, 4, 2])
    [b] = reanchor(old, new, [a])
    assert b.state == MOVED and b.start == new.index("the port had")


def test_reanchor_edited_short_quote_at_a_moved_paragraphs_end_is_fuzzy_there():
    old = _article([0, 1, 2, 3, 4])
    s = old.index("the audit")
    a = anchor_at(old, s, s + len("the audit"))
    new = _article([3, 0, 1, 2, 4], lambda k, p: p.replace("the audit", "the review") if k == 3 else p)
    [b] = reanchor(old, new, [a])
    assert (b.state, b.quote, b.start) == (FUZZY, "the review", new.index("the review"))


def test_reanchor_sentence_copied_right_after_itself_is_not_silently_taken_for_the_copy():
    # which of two adjacent copies is the claim's cannot be told: either it stays, or it is flagged
    old = _article([0, 1, 2])
    s = old.index("a shortage of cranes")
    a = anchor_at(old, s, s + len("a shortage of cranes"))
    new = old.replace(PARAGRAPHS[1], PARAGRAPHS[1] + " " + PARAGRAPHS[1])
    [b] = reanchor(old, new, [a])
    assert new[b.start:b.end] == a.quote
    assert b.state == FUZZY or (b.state == ANCHORED and b.start == s)


def test_reanchor_copy_pasted_alone_is_told_from_the_claim_by_its_paragraph():
    # the claim's paragraph moved; its sentence was also pasted alone as a pull-quote at the top:
    # the 32 characters of stored context fit both, the old text around the claim fits one
    old = _article([0, 1, 2, 3])
    quote = "blamed the delays on the port"
    s = old.index(quote)
    a = anchor_at(old, s, s + len(quote))
    new = "\n\n".join([PARAGRAPHS[1].split(" and on")[0] + ".", PARAGRAPHS[0], PARAGRAPHS[2],
                       PARAGRAPHS[3], PARAGRAPHS[1]])
    [b] = reanchor(old, new, [a])
    assert b.start == new.rindex(quote) and new[b.start:b.end] == quote


def test_reanchor_edited_claim_with_an_exact_copy_elsewhere_is_flagged_not_moved():
    old = _article([0, 1, 2])
    quote = "cut night shifts twice"
    s = old.index(quote)
    a = anchor_at(old, s, s + len(quote))
    # the claim's own words change in place; the old wording survives in a pasted copy of the sentence
    copy = PARAGRAPHS[2].replace("Unions said", "Union leaders said")
    new = _article([0, 1, 2], lambda k, p: p.replace("twice", "once") if k == 2 else p) + "\n\n" + copy
    [b] = reanchor(old, new, [a])
    assert b.state == FUZZY


def test_reanchor_repeated_short_word_respaced_around_it_is_a_move():
    old = _article([0, 1, 2, 3, 4])
    s = old.index("a shortage")
    a = anchor_at(old, s, s + 1)  # "a", one of many
    new = old.replace("on a shortage of", "on\na  shortage\tof")
    [b] = reanchor(old, new, [a])
    assert b.state in (ANCHORED, MOVED) and b.start == new.index("on\na") + 3  # never fuzzy


def test_reanchor_text_shared_at_the_end_by_chance_does_not_cut_a_word():
    # the paragraph ending "...next summer." moves away; the one now last also ends in "r."
    old = _article([0, 1, 4])
    s = old.index("next summer.")
    a = anchor_at(old, s, s + len("next summer."))
    new = _article([4, 0]) + "\n\nThe ministry said it would publish the audit in October."
    new = new.replace("October.", "the winter.")
    [b] = reanchor(old, new, [a])
    assert b.state == MOVED and b.start == new.index("next summer.")


def test_reanchor_short_quote_matched_by_chance_inside_a_rewrite_is_only_offered():
    old = _article([0, 1, 2])
    s = old.index("delays on the port") + len("delays ")
    a = anchor_at(old, s, s + 2)  # "on", in a sentence that is then rewritten
    rewritten = "Storms kept ships waiting on anchor, harbour staff said on Friday."
    new = _article([0, 1, 2], lambda k, p: rewritten if k == 1 else p)
    [b] = reanchor(old, new, [a])
    # only a chance "on" of the new sentence is left: offered for a checker, never silently placed
    assert b.state in (FUZZY, ORPHANED)


def test_reanchor_sentence_pasted_whole_elsewhere_is_flagged_not_silently_kept():
    # which of two identical sentences is the claim's the text cannot tell (a pull-quote, or the
    # paragraph moved and the copy pasted where it was): a checker confirms it
    old = _article([0, 1, 2, 3])
    quote = "a shortage of cranes"
    s = old.index(quote)
    a = anchor_at(old, s, s + len(quote))
    new = PARAGRAPHS[1] + "\n\n" + old
    [b] = reanchor(old, new, [a])
    assert b.state == FUZZY and new[b.start:b.end] == quote


def test_reanchor_near_copy_where_the_edited_claim_was_is_flagged_not_taken():
    # the claim's paragraph is edited and moved to the end; a copy of it with another word changed
    # now stands where it was: the exact words there may be the copy's
    old = _article([0, 1, 2, 3])
    quote = "cut night shifts twice"
    s = old.index(quote)
    a = anchor_at(old, s, s + len(quote))
    near = PARAGRAPHS[2].replace("slowed loading", "slowed unloading")
    new = _article([0, 1, 3]).replace(PARAGRAPHS[3], near + "\n\n" + PARAGRAPHS[3]) \
        + "\n\n" + PARAGRAPHS[2].replace("twice", "once")
    [b] = reanchor(old, new, [a])
    assert b.state in (FUZZY, ORPHANED)


def test_reanchor_sentence_that_already_repeated_is_not_flagged_for_it():
    old = _article([0, 1, 2]) + "\n\n" + PARAGRAPHS[1]
    quote = "a shortage of cranes"
    s = old.index(quote)
    a = anchor_at(old, s, s + len(quote))
    new = "A new first paragraph.\n\n" + old
    [b] = reanchor(old, new, [a])
    assert b.state == MOVED and b.start == new.index(quote)


def test_reanchor_claim_reworded_in_place_is_offered_there_not_at_a_pasted_copy():
    # two words of the claim changed in place; a copy of its old sentence was pasted elsewhere: the
    # claim is flagged, and what is offered is its own place, which reads like its surroundings
    old = _article([0, 1, 2, 3])
    quote = "had cut night shifts twice"
    s = old.index(quote)
    a = anchor_at(old, s, s + len(quote))
    paras = _article([0, 1, 2, 3], lambda k, p: p.replace("night shifts twice", "day shifts once") if k == 2
                     else p).split("\n\n")
    new = "\n\n".join([paras[0], "Night work: the port had cut night shifts twice, officials said.", *paras[1:]])
    [b] = reanchor(old, new, [a])
    assert (b.state, b.quote, b.start) == (FUZZY, "had cut day shifts once", new.index("had cut day shifts once"))


def test_reanchor_quote_whose_first_word_is_now_part_of_a_longer_word_is_flagged():
    # "night shifts" began on a word's edge; the new text reads "overnight shifts" (the same letters,
    # another word) and the quote also stands elsewhere: the claim is offered, not moved
    other = "\n\nDockers worked night shifts twice a week."
    old = _article([0, 1, 2]) + other
    quote = "night shifts twice"
    s = old.index(quote)
    a = anchor_at(old, s, s + len(quote))
    new = _article([1, 0, 2], lambda k, p: p.replace("cut night", "cut overnight") if k == 2 else p) + other
    [b] = reanchor(old, new, [a])
    assert b.state == FUZZY and new[b.start:b.end] == quote


def test_reanchor_two_word_quote_edited_in_place_with_a_copy_elsewhere_is_flagged_not_moved():
    # one of its two words changes where the claim stands (and the word before it too); the old
    # wording now also stands in another sentence, far from the claim's surroundings
    old = _article([0, 1, 2, 3])
    quote = "shifts twice"
    s = old.index(quote)
    a = anchor_at(old, s, s + len(quote))
    new = _article([0, 1, 2, 3], lambda k, p: p.replace("night shifts twice", "many rotations twice") if k == 2
                   else p)
    new += "\n\nDockers worked double shifts twice a week."
    [b] = reanchor(old, new, [a])
    assert b.state in (FUZZY, ORPHANED)


def test_reanchor_claim_whose_edge_words_a_rewrite_took_is_offered_on_the_words_kept():
    # the words after the claim were rewritten, and the rewrite took the claim's last word with
    # them: what replaced them is not the claim's, so the claim is offered on the words it kept
    old = _article([0, 1, 2])
    a = _anchor(old, "blamed the delays on the port")
    new = old.replace("the port and on a shortage of cranes",
                      "the new terminal manager, who had promised more cranes")
    [b] = reanchor(old, new, [a])
    assert (b.state, b.quote) == (FUZZY, "blamed the delays on the")
    assert new[b.start:b.end] == b.quote


def test_reanchor_claim_keeping_half_its_words_after_a_rewrite_before_it_is_offered_not_orphaned():
    # a rewrite of the sentence before reached into the claim and took its first words: the half
    # left is too short for a close match, but it is the claim's own words, kept in place
    old = _article([0, 1, 2])
    a = _anchor(old, "10,000 containers last year, officials said")
    new = old.replace("handled more than 10,000 containers", "was closed for most of the winter and moved fewer boxes")
    [b] = reanchor(old, new, [a])
    assert (b.state, b.quote) == (FUZZY, "last year, officials said")


def test_reanchor_edge_word_replaced_one_for_one_beside_another_edit_stays_part_of_the_claim():
    # the claim's first word and the word before it each replaced by one word (two edits side by
    # side, not a rewrite): the new first word is still the claim's
    old = _article([0, 1, 2])
    a = _anchor(old, "delays on the port and on a shortage")
    new = old.replace("blamed the delays on", "blamed the holdups on").replace("the holdups", "all holdups")
    [b] = reanchor(old, new, [a])
    assert (b.state, b.quote) == (FUZZY, "holdups on the port and on a shortage")


def test_reanchor_quote_whose_last_word_grew_into_a_longer_word_is_offered_on_the_whole_words():
    # "hold a" ends on a word's edge; the new text reads "hold another" (the diff keeps the "a"):
    # the claim's words were edited, so it is offered on the whole words, not moved onto "hold a"
    old = "The council will hold a vote on the plan next week, its chair said on Friday."
    a = _anchor(old, "will hold a")
    new = old.replace("hold a vote", "hold another vote")
    [b] = reanchor(old, new, [a])
    assert (b.state, b.quote) == (FUZZY, "will hold another")


def test_reanchor_number_that_grew_a_digit_is_flagged_not_kept():
    # "rose 5" still reads inside "rose 50", but the figure the claim quotes changed: offered, on the
    # whole number, for a checker to confirm
    old = "Unemployment rose 5 points in the first quarter, the ministry said on Tuesday."
    a = _anchor(old, "Unemployment rose 5")
    new = old.replace("rose 5 points", "rose 50 points")
    [b] = reanchor(old, new, [a])
    assert (b.state, b.quote) == (FUZZY, "Unemployment rose 50")


def test_reanchor_short_quote_whose_last_word_was_deleted_at_its_paragraphs_end_is_offered():
    # the claim ended its paragraph; its last word was deleted and the space before it stayed: the
    # paragraph still ends right after the claim's words (whitespace aside)
    old = _article([0, 1, 2]) + "\n\nTalks at the ministry ended late."  # "at the" is no rare pair
    a = _anchor(old, "at the docks.")
    new = old.replace("at the docks.", "at the ")
    [b] = reanchor(old, new, [a])
    assert (b.state, b.quote) == (FUZZY, "at the")


def test_reanchor_quote_opening_a_moved_paragraph_with_its_first_word_deleted_is_found_there():
    # the claim opens the text; its first word was deleted and its paragraph moved, and the new text
    # opens with that word by chance, so the diff cannot follow it: where the claim's paragraph now
    # is (its context found), the text before it is another paragraph's, not an edit of the claim
    more = "\n\nAnalysts said the figures came late."  # "said the" is no rare pair
    old = _article([2, 0, 1, 3]) + more
    a = _anchor(old, "Unions said the")
    new = "Unions marched on Friday.\n\n" + \
        _article([0, 1, 2, 3], lambda k, p: p.replace("Unions said", "said") if k == 2 else p) + more
    [b] = reanchor(old, new, [a])
    assert (b.state, b.quote) == (FUZZY, "said the")


def test_reanchor_claim_left_alone_between_two_rewrites_is_cut_back_to_its_words():
    # the words before the claim and its last word with the words after it were rewritten: what is
    # left of it matches only as an island between changes (as chance would), and it is the span
    # the diff maps; it is cut back to the claim's words, not stretched onto the rewrite's
    old = "South Dakota Gov. Kristi Noem defended the slogan on Monday.\n\nThe campaign cost a lot."
    a = _anchor(old, "Dakota Gov. Kristi")
    new = ("His critics kept asking about Dakota Gov. His seeming concern for the young stands in "
           "contrast to his silence on Monday.\n\nThe campaign cost a lot.")
    [b] = reanchor(old, new, [a])
    assert (b.state, b.quote) == (FUZZY, "Dakota Gov.")


def test_reanchor_quote_left_only_in_a_near_copy_of_its_sentence_is_flagged_not_moved():
    # the claim's last word was rewritten away where it stood; the word still stands once, in a copy
    # of its sentence pasted with another word changed: that copy may be all that is left of the
    # claim, or another sentence, and only a checker can say
    old = _article([0, 1, 2, 3])
    a = _anchor(old, "loading.")
    new = _article([0, 1, 2, 3], lambda k, p: p.replace(
        "slowed loading.", "slowed work on the new terminal and angered the shipping lines.") if k == 2 else p)
    new += "\n\nUnions said the port had cut day shifts twice since the spring, which slowed loading."
    [b] = reanchor(old, new, [a])
    assert b.state in (FUZZY, ORPHANED)


def _needles(text: str, rng: random.Random, count: int):
    for _ in range(count):
        s = rng.randrange(len(text))
        yield text[s:s + rng.randint(1, 80)]
    yield from ("is short.\nLine", " said ", "\u00a0x y ", "the  the", "", " ", "zzz not there at all")


@pytest.mark.parametrize("text", [
    DPRK,
    "\n".join(f"Line {i % 40} is short." for i in range(400)),
    "  the the  the\u00a0the\tthe\n\nthe the the " * 30,
    "x\x1cy\x85z \u2003a b\u3000c " * 20,
], ids=["article", "repeated lines", "one word", "unicode spaces"])
def test_word_index_finds_what_a_search_of_the_whole_text_finds(text):
    # re-anchoring searches a long text through its word index once it has searched it whole often:
    # every needle's copies, in order, up to the limit, exactly as str.find finds them (overlapping
    # copies too), or no answer (the caller searches the text)
    from factdesk.articles.anchoring import _occurrences, _Words
    words, rng = _Words(text), random.Random(len(text))
    answered = 0
    for needle in _needles(text, rng, 400):
        for limit in (1, 2, 17, 1000):
            found = words.occurrences(text, needle, limit)
            if found is not None:
                answered += 1
                assert found == _occurrences(text, needle, limit), (needle, limit)
    assert answered > 100


def test_reanchor_searches_a_long_text_whole_a_bounded_number_of_times(monkeypatch):
    # each claim's checks search for its quote, sentence and context: on a long text with many
    # claims that was a search of the whole text per check (most of re-anchoring 300 claims on
    # 500,000 characters); past INDEX_AFTER_SCANS searches of a text its word index answers
    from factdesk.articles import anchoring
    from factdesk.bench.worstcase import claim_spans, swapped_lines
    old, new = swapped_lines(6000)
    anchors = [anchor_at(old, s, e) for s, e in claim_spans(old, every=300)[:300]]
    assert len(anchors) == 300
    whole, search = [], anchoring._occurrences

    def counted(text, quote, limit=anchoring.MAX_OCCURRENCES):
        whole.append(text is old or text is new)
        return search(text, quote, limit)

    indexed = reanchor(old, new, anchors)
    monkeypatch.setattr(anchoring, "_occurrences", counted)
    monkeypatch.setattr(anchoring, "INDEX_AFTER_SCANS", 10 ** 9)
    assert reanchor(old, new, anchors) == indexed  # the same answers without the index
    unindexed = sum(whole)
    whole.clear()
    monkeypatch.setattr(anchoring, "INDEX_AFTER_SCANS", 32)
    assert reanchor(old, new, anchors) == indexed
    assert unindexed > 800 and sum(whole) <= 2 * 32, (unindexed, sum(whole))


def _edited(text: str, rng: random.Random) -> str:
    """A revision of ``text``: words replaced, figures changed, lines swapped, a paragraph moved."""
    words = re.split(r"(\s+)", text)
    for _ in range(40):
        k = rng.randrange(0, len(words), 2)
        words[k] = rng.choice([words[k][::-1], words[k].upper(), str(rng.randint(1, 9999)), "the", ""])
    paragraphs = "".join(words).split("\n\n")
    if len(paragraphs) > 3:
        paragraphs.insert(rng.randrange(len(paragraphs)), paragraphs.pop(rng.randrange(len(paragraphs))))
    return "\n\n".join(paragraphs)


@pytest.mark.parametrize("seed", range(4))
def test_the_diff_of_a_change_is_the_same_whether_its_shape_was_diffed_before(seed, monkeypatch):
    # a short change is diffed once per shape (which tokens equal which, words' lengths and
    # spaces): the runs, the runs that may be chance, and the budget spent are what diffing each
    # change afresh gives
    from factdesk.articles import anchoring
    from factdesk.articles.diff import Budget
    from factdesk.bench.worstcase import swapped_lines
    rng = random.Random(seed)
    pairs = [(t, _edited(t, rng)) for t in TEXTS] + [swapped_lines(3000)]

    def mapped():
        out = []
        for old, new in pairs:
            m = anchoring._Mapping(old, new, Budget())
            out.append((m.segments, sorted(m._weak), m.budget.spent, len(m._shapes)))
        return out

    remembered = mapped()
    monkeypatch.setattr(anchoring, "MEMO_TOKENS", 0)
    afresh = mapped()
    assert [r[:3] for r in remembered] == [r[:3] for r in afresh]
    assert sum(r[3] for r in remembered) > 0 and sum(r[3] for r in afresh) == 0
    assert remembered[-1][3] < 200  # 1,500 swapped pairs of lines, a hundred-odd shapes
