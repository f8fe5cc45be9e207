"""Worst-case inputs for every function that walks article text (DESIGN §10): the work stays proportional.

Each case builds an input family at two sizes, four times apart, and counts the work done at each
(``tests/support/workcount.py``: lines of Python; ``tests/support/regex_steps.py``: a backtracking regex engine's
steps). Linear work grows four times; the bound allows n log n, and a quadratic loop (sixteen
times) fails. Wall-clock times at 500,000 characters are the bench's (factdesk/bench/worstcase.py).
"""
from __future__ import annotations

import re

import pytest

from factdesk import search, text
from factdesk.articles import anchoring, extract, sentences
from factdesk.articles.anchoring import ANCHORED, FUZZY, MOVED, ORPHANED, anchor_at, find_quote, reanchor
from factdesk.articles.diff import Budget
from factdesk.articles.marks import render_marked_text
from factdesk.articles.watch import short_diff
from factdesk.bench.worstcase import SENTENCE, chain_highlights, claim_spans, page, revised, swapped_lines, worst_texts
from factdesk.assist import similar, suggestions
from factdesk.articles.extract import ExtractionError
from factdesk.errors import ConflictError, ValidationError
from tests.support.regex_steps import finditer_steps
from tests.support.workcount import python_steps

GROWTH = 4
# Work may grow up to this much when the input grows GROWTH times (n log n and noise, not n²).
BOUND = GROWTH * 1.5


def _anchors(text: str, quotes: list[str]):
    return [anchor_at(text, text.index(q), text.index(q) + len(q)) for q in quotes]


# Work that does not grow with the input at all (the diff's budget, a fixed number of copies looked
# at) may show up only in the larger run.
SLACK = 5000


def _grows_linearly(steps_small: int, steps_large: int) -> bool:
    return steps_large <= BOUND * max(steps_small, 1) + SLACK


def test_reanchor_on_swapped_short_lines_is_proportional():
    # The review's PUT: ~73,000 characters of short lines swapped in pairs took 7-30 s in difflib.
    counts = []
    for n in (500, 500 * GROWTH):
        old, new = swapped_lines(n)
        anchors = _anchors(old, [f"Line {i} is short." for i in range(1, n, n // 10)])
        placed, steps = python_steps(reanchor, old, new, anchors)
        # never placed wrong without a flag
        assert all(new[b.start:b.end] == a.quote for a, b in zip(anchors, placed) if b.state in (ANCHORED, MOVED))
        counts.append(steps)
    assert _grows_linearly(*counts), counts


def test_short_diff_of_many_tiny_paragraphs_is_proportional():
    counts = []
    for n in (1000, 1000 * GROWTH):
        old = "\n\n".join(f"p{i}" for i in range(n))
        new = "\n\n".join(f"p{i ^ 1}" for i in range(n))  # neighbours swapped
        diff, steps = python_steps(short_diff, old, new)
        assert "+ p1\n" in diff and "− p1\n" in diff and len(diff) <= 900
        counts.append(steps)
    assert _grows_linearly(*counts), counts


def test_spent_budget_flags_claims_in_changed_words_and_keeps_the_rest():
    old = "The minister said 10,000 containers were sent. The army disagreed with every figure given."
    new = "The minister said 11,000 containers were sent. The army disagreed with every figure given."
    changed, kept = _anchors(old, ["said 10,000 containers were", "disagreed with every figure"])
    generous = reanchor(old, new, [changed, kept])
    assert [a.state for a in generous] == ["fuzzy", ANCHORED]
    spent = reanchor(old, new, [changed, kept], budget=Budget(0))
    # Without the budget to compare words, the edited quote is at most flagged, never silently placed.
    assert spent[0].state in (FUZZY, ORPHANED) and spent[1] == generous[1]
    assert spent[0].quote in (changed.quote, generous[0].quote)


# --- regular expressions: every pattern of the modules that walk article text --------------------

TEXT_MODULES = (text, anchoring, sentences, suggestions, extract, search, similar)
PATTERNS = sorted(((m.__name__, name, value) for m in TEXT_MODULES for name, value in vars(m).items()
                   if isinstance(value, re.Pattern)), key=lambda t: (t[0], t[1]))
RUN_CHARS = [" ", "a", "A", "1", ".", ",", "\n", "-", "'", "\u201c", "$", "@", "\t", "_", ":", "\ue000"]
LEADS = ["", "from ", "Alpha ", "A", "1", "$1", "@a", "to ", "the ", "said ", "U.", "Mr."]
PAIRS = ["A ", "a ", "1.", "1,", ". ", "A.", "a.", "1 ", "U. ", "\n ", " \n", "of "]


def _families(n: int) -> list[str]:
    """Runs of one character after a telling lead, and runs of two-character pairs: the inputs that
    make a backtracking engine try every split of a run, or every start inside one."""
    out = [lead + ch * n + " x" for lead in LEADS for ch in RUN_CHARS]
    out += [ch * n + "x" for ch in RUN_CHARS]  # a run that nothing closes
    out += [pair * (n // 2) + "x" for pair in PAIRS]
    return out


@pytest.mark.parametrize("module,name,pattern", PATTERNS, ids=[f"{m}.{n}" for m, n, _ in PATTERNS])
def test_regular_expression_work_is_linear(module, name, pattern):
    small, large = _families(50), _families(50 * GROWTH)
    worst = max(((finditer_steps(pattern, b) / max(finditer_steps(pattern, a), 1), b[:12])
                 for a, b in zip(small, large)), key=lambda t: t[0])
    assert worst[0] <= BOUND, f"{module}.{name} grows {worst[0]:.1f}x on {worst[1]!r}…"


# --- every function that walks article text, on each worst case ---------------------------------

def _proportional(fn, n: int = 3000) -> None:
    small, large = worst_texts(n), worst_texts(n * GROWTH)
    for kind in small:
        _, a = python_steps(fn, small[kind])
        _, b = python_steps(fn, large[kind])
        assert _grows_linearly(a, b), f"{fn.__name__} on {kind}: {a} -> {b} steps"


def _canonical(t: str) -> str:
    return text.canonicalize(t)


def _sentences(t: str):
    return sentences.split_sentences(t)


def _suggestions(t: str):
    return suggestions.suggest(t, limit=10)


def _similar_features(t: str):
    return similar.features(t[:20_000])


def _search_snippet(t: str):
    return search.mark_hits(t.replace("a", search.HIT_OPEN, 50))


def _marks(t: str):
    return render_marked_text(t, chain_highlights(t))


def _quote_lookup(t: str):
    words = t.split()
    quote = " ".join(words[len(words) // 2:len(words) // 2 + 6]) or t[:20]
    try:
        return find_quote(t, quote.replace(" ", "\n  "))
    except (ConflictError, ValidationError) as exc:  # ambiguous or not found: the work is what counts
        return exc


def _reanchoring(t: str):
    return reanchor(t, revised(t), [anchor_at(t, s, e) for s, e in claim_spans(t)])


@pytest.mark.parametrize("fn", [_canonical, _sentences, _suggestions, _similar_features, _search_snippet,
                                _marks, _quote_lookup, _reanchoring],
                         ids=lambda f: f.__name__.strip("_"))
def test_text_function_work_is_proportional(fn):
    _proportional(fn)


def _extracted(html: bytes):
    try:
        return extract.extract(html)
    except ExtractionError as refused:  # too little text: the work up to the refusal is what counts
        return refused


def test_extraction_work_is_proportional():
    for kind, build in {"tiny paragraphs": lambda k: "".join(f"<p>Tiny paragraph {i} of many.</p>" for i in range(k)),
                        "space run": lambda k: "<p>Alpha" + " " * (k * 8) + "beta.</p>",
                        "repeated sentences": lambda k: "<p>" + SENTENCE * (k // 8) + "</p>"}.items():
        _, a = python_steps(_extracted, page(build(500)))
        _, b = python_steps(_extracted, page(build(500 * GROWTH)))
        assert _grows_linearly(a, b), f"extract on {kind}: {a} -> {b} steps"


def _tiny_paragraphs(k: int) -> bytes:
    return page("".join(f"<p>Tiny paragraph {i} of many.</p>" for i in range(k)))


def test_a_page_past_the_full_reading_is_read_by_the_baseline_in_proportion():
    """Between FULL_READING_ELEMENTS and MAX_ELEMENTS the page is read once, by trafilatura's baseline."""
    counts = []
    for k in (extract.FULL_READING_ELEMENTS, extract.FULL_READING_ELEMENTS * GROWTH):
        found, steps = python_steps(extract.extract, _tiny_paragraphs(k))
        assert found.method == "baseline (large page)" and f"Tiny paragraph {k - 1} of many." in found.text
        counts.append(steps)
    assert _grows_linearly(*counts), counts
    assert extract.extract(_tiny_paragraphs(extract.FULL_READING_ELEMENTS - 10)).method != "baseline (large page)"


def test_a_page_past_the_element_limit_is_refused_before_any_reading():
    refused, steps = python_steps(_extracted, _tiny_paragraphs(extract.MAX_ELEMENTS))
    assert isinstance(refused, ExtractionError)
    assert f"the desk reads pages of up to {extract.MAX_ELEMENTS:,}" in refused.message
    assert "Paste the article's text instead." in refused.message
    _, steps_read = python_steps(extract.extract, _tiny_paragraphs(extract.FULL_READING_ELEMENTS))
    assert steps < steps_read / 10  # counted, then refused: no reading at all


def test_bench_row_times_every_text_function():
    from factdesk.bench.worstcase import measure

    row = measure(2000)
    assert row["name"] == "worst_case_text" and row["characters"] == 2000 and row["baseline"] == 2.0
    assert set(row["functions"]) == {"canonicalize", "find_quote", "reanchor", "source watch diff", "marks",
                                     "sentences", "suggestions", "similar claims", "extraction",
                                     "search snippets"}
    assert row["measured"] == max(f["seconds"] for f in row["functions"].values())


def test_suggestions_leave_out_a_sentence_no_claim_could_quote():
    checkable = "The minister said 10,000 containers were sent in 2023."
    endless = "Officials said " + "1.1," * 1000 + " dollars went missing"
    found = suggestions.suggest(f"{checkable}\n\n{endless}", limit=None)
    assert [s.sentence for s in found] == [checkable]
    assert all(len(s.sentence) <= suggestions.MAX_SENTENCE_CHARS for s in found)
