"""'Worth checking?' (DESIGN.md §12): an article's sentences ranked by how checkable they are.

Rules, not a model: each sentence earns points for signals a fact-checker looks for — figures,
percentages, money, quantities that change over time, comparisons, superlatives, attributions to named
people or bodies, dates — and loses them for opinion, questions and boilerplate (short lines,
navigation, notes about the text itself, subscribe/follow lines). Each signal that fired becomes a
short reason a checker can read. The weights were set by hand from what fact-checkers look for
(ClaimBuster-style check-worthiness), before the labelled set in data/labelled was consulted; a figure
repeated by a higher-ranked sentence counts for less, so the top of the list covers distinct
figures rather than one figure three times.
"""
from __future__ import annotations

import bisect
import heapq
import itertools
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..articles.sentences import Sentence, iter_sentences

NUMBER_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
                r"hundred|hundreds|thousand|thousands|million|millions|billion|billions|trillion|dozen|dozens|"
                r"half|third|quarter|twice|double|triple")
_FIGURE = re.compile(r"(?<![\w.])[$€£¥]?\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent|per "
                     r"cent|million|billion|trillion|bn|m\b|k\b))?"
                     r"|\b(?:" + NUMBER_WORDS + r")\b", re.I)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_PERCENT = re.compile(r"\d\s?%|\b(?:percent|per cent|percentage points?)\b", re.I)
_MONEY = re.compile(r"[$€£¥]\s?\d|\b(?<!\d)(?<!\d[,.])\d[\d,.]*+\s?(?:dollars|euros|pounds|yen|yuan|rupees)\b|"
                    r"\b(?:million|billion|trillion)\s+(?:dollars|euros|pounds)\b", re.I)
_CHANGE = re.compile(r"\b(?:rose|rise[sn]?|rising|fell|fall(?:s|en|ing)?|increas(?:e|ed|es|ing)|decreas(?:e|ed|es|ing)|"
                     r"grew|grow(?:s|n|ing)?|growth|declin(?:e|ed|es|ing)|dropp?(?:ed|s|ing)?|doubled|tripled|halved|"
                     r"surg(?:e|ed|es|ing)|jump(?:ed|s)?|climb(?:ed|s)?|slump(?:ed|s)?|plung(?:e|ed|es)|soar(?:ed|s)?|"
                     r"cut|gain(?:ed|s)?|loss(?:es)?|up from|down from|compared to|compared with)\b"
                     # a token holding a digit, split one way only (its first digit; possessive)
                     r"|\bfrom\s++[^\s\d]*+\d\S*+\s++(?:\w+\s+){0,3}?to\s+\S*\d", re.I)
_COMPARISON = re.compile(r"\b(?:more|less|fewer|higher|lower|greater|larger|smaller|bigger|faster|slower|"
                         r"cheaper|older|younger|better|worse)\s+than\b|\bat (?:least|most)\b|\ba minimum of\b|"
                         r"\ba maximum of\b|\b(?:over|under|nearly|almost|roughly|about|around|approximately|"
                         r"some|up to)\s+(?=\$?\d)|\bas (?:many|much|few|high|low) as\b|\btimes (?:more|as)\b", re.I)
_SUPERLATIVE = re.compile(r"\b(?:largest|biggest|smallest|highest|lowest|greatest|fastest|slowest|oldest|youngest|"
                          r"longest|shortest|worst|best|most|least|first|last|only|record|unprecedented|"
                          r"number one|top|deadliest|richest|poorest|cheapest|strongest|weakest)\b", re.I)
_ATTRIBUTION = re.compile(r"\b(?:said|says|say|told|tells|stated|states|according to|reported|reports|announced|"
                          r"announces|claimed|claims|estimated|estimates|confirmed|revealed|informed|testified|"
                          r"declared|wrote|tweeted|noted|added|citing|cited|found|showed|shows)\b", re.I)
_NAMED_DATE = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|"
                   r"june|july|august|september|october|november|december|jan|feb|apr|jun|jul|aug|sept?|oct|nov|dec|"
                   r"yesterday|today|last (?:year|month|week)|this (?:year|month|week)|since|"
                   r"previous year|earlier this year)\b", re.I)
_OPINION = re.compile(r"\b(?:I|we)\s+(?:think|believe|feel|hope|guess|suppose|want|wish|love|hate)\b|"
                      r"\bin my (?:view|opinion)\b|\b(?:should|ought to|must|need to|needs to)\b|"
                      r"\b(?:probably|perhaps|maybe|possibly|arguably|hopefully|unfortunately|sadly|"
                      r"obviously|clearly|surely)\b|"
                      r"\b(?:concerned|concerning|worried|worry|troubling|troubles|troubled|alarming|"
                      r"disturbing|excellent|terrible|wonderful|awful|shameful|disgraceful|irony)\b|"
                      r"\blet[’']s\b|\bwill (?:continue|not|never|always)\b", re.I)
_INTERROGATIVE = re.compile(r"^(?:[\w’']+:\s*)?(?:do|does|did|is|are|was|were|can|could|would|will|should|have|has|"
                            r"what|why|how|when|where|who|which|whom)\b", re.I)
_META = re.compile(r"\b(?:this|the)\s+(?:text|article|story|piece|transcript|interview)\s+(?:has been|was|is)\s+"
                   r"(?:revised|edited|updated|condensed|shortened|translated|corrected|amended|reworded)\b|"
                   r"\b(?:edited|condensed|revised)\s+for\s+(?:length|clarity|brevity|conciseness)\b|"
                   r"\b(?:subscribe|sign up|newsletter|follow us|click here|read more|all rights reserved|"
                   r"cookie|share this|advertisement|related articles?|copyright|©)\b|^(?:source|photo|image|"
                   r"credit|via)\s*:", re.I)
# Runs of capitalised words: names of people and bodies (with short joiners such as "of the").
# Spaces, then an optional joiner and its spaces: one way to split any run of whitespace (``\s+``
# beside ``\s*`` tried every split of a 40,000-space run: quadratic).
_NAME_RUN = re.compile(r"(?:\b[A-Z][\w’'.-]*[A-Za-z.]|\b[A-Z]{2,}\b)(?:\s+(?:(?:of|the|for|and|de|van|von|al)\s*)?"
                       r"(?:[A-Z][\w’'.-]*[A-Za-z.]|[A-Z]{2,}))*")
_WORD = re.compile(r"[\w’'-]+")
_STOP_CAPS = frozenset("I A An The This That These Those It He She We They You Our Their His Her Its But And Or "
                       "So Yet If In On At By For As Of To With From Then There Here When While After Before "
                       "Despite However Therefore Nevertheless Additionally Meanwhile Instead Also Do Does Did Is Are "
                       "Was Were Can "
                       "Could Would Will Should Has Have What Why How Where Who Which It’s It's".split())

WEIGHTS = {
    "figure": 1.6,
    "word_figure": 0.8,   # figures written only in words
    "percent": 0.8,
    "money": 0.8,
    "change": 0.8,
    "comparison": 0.9,
    "superlative": 0.6,
    "attribution": 0.7,
    "named": 0.45,        # per distinct name, at most three
    "date": 0.35,
    "year_only": 0.3,
    "opinion": -0.9,      # per marker, at most two
    "question": -3.0,
    "meta": -3.0,
    "short": -1.5,
    "repeat": 0.5,        # factor on a sentence whose figures a higher-ranked sentence already carries
}


@dataclass(frozen=True)
class Suggestion:
    start: int
    end: int
    sentence: str
    score: float
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "sentence": self.sentence, "score": self.score,
                "reasons": list(self.reasons)}


@dataclass
class _Scored:
    sentence: Sentence
    raw: float
    reasons: list[str]
    figures: frozenset[str]


def _quote(items: list[str], limit: int = 3) -> str:
    shown = [f"“{i}”" for i in items[:limit]]
    return ", ".join(shown)


def _names(text: str) -> list[str]:
    names: list[str] = []
    for match in _NAME_RUN.finditer(text):
        name = match.group().strip(" .")
        words = name.split()
        while words and words[0] in _STOP_CAPS:
            words.pop(0)
        if not words:
            continue
        if match.start() == 0 and len(words) == 1 and not words[0].isupper():
            continue  # a capital that only opens the sentence
        name = " ".join(words)
        if name not in names and not name.isdigit():
            names.append(name)
    return names


def _figures(text: str) -> list[str]:
    found = []
    for match in _FIGURE.finditer(text):
        value = match.group().strip().rstrip(",.")
        if not value or _YEAR.fullmatch(value):
            continue
        if not any(ch.isdigit() for ch in value) and value.lower() in {"one", "half", "third", "quarter"}:
            continue  # "one of the…", "a third party": usually not a figure
        found.append(value)
    return found


def score_sentence(sentence: Sentence) -> _Scored:
    """The checkability of one sentence, with the reasons that made it."""
    text = sentence.text
    words = _WORD.findall(text)
    reasons: list[str] = []
    raw = 0.0

    if len(words) < 5 or (len(words) < 8 and not re.search(r"[.!?]$", text)):
        raw += WEIGHTS["short"]
        reasons.append("short line (heading or navigation)")
    if _META.search(text):
        raw += WEIGHTS["meta"]
        reasons.append("about the text itself, or site furniture")
    question = text.rstrip("”\"’') ").endswith("?") or (_INTERROGATIVE.match(text) and not text.endswith("."))
    if question:
        raw += WEIGHTS["question"]
        reasons.append("a question")

    figures = _figures(text)
    if figures:
        # "69 launches" is a figure to check; "the two sides" barely is.
        weight = WEIGHTS["figure"] if any(ch.isdigit() for f in figures for ch in f) else WEIGHTS["word_figure"]
        raw += weight + 0.2 * min(len(figures) - 1, 3)
        reasons.append(f"figures: {_quote(figures)}")
    if _PERCENT.search(text):
        raw += WEIGHTS["percent"]
        reasons.append("a percentage")
    if _MONEY.search(text):
        raw += WEIGHTS["money"]
        reasons.append("an amount of money")
    change = _CHANGE.search(text)
    if change and (figures or _YEAR.search(text)):
        raw += WEIGHTS["change"]
        reasons.append(f"a change over time (“{change.group()}”)")
    comparison = _COMPARISON.search(text)
    if comparison:
        raw += WEIGHTS["comparison"]
        reasons.append(f"a comparison (“{comparison.group().strip()}”)")
    superlative = next((m for m in _SUPERLATIVE.finditer(text)
                        if not re.search(r"\bat\s+$", text[max(0, m.start() - 4):m.start()], re.I)), None)
    if superlative:
        raw += WEIGHTS["superlative"]
        reasons.append(f"a superlative (“{superlative.group()}”)")
    names = _names(text)
    # "stated" is attribution, "United States" is not: verbs are lower case unless they open the sentence.
    attribution = next((m for m in _ATTRIBUTION.finditer(text) if m.group()[0].islower() or m.start() == 0), None)
    if attribution and names:
        raw += WEIGHTS["attribution"]
        reasons.append(f"attributed (“{attribution.group()}”)")
    if names:
        raw += WEIGHTS["named"] * min(len(names), 3)
        reasons.append(f"names: {_quote(names)}")
    if _NAMED_DATE.search(text) or _YEAR.search(text):
        raw += WEIGHTS["date"] if _NAMED_DATE.search(text) else WEIGHTS["year_only"]
        reasons.append("a date or time")
    opinions = [m.group() for m in _OPINION.finditer(text)]
    if opinions:
        raw += WEIGHTS["opinion"] * min(len(opinions), 2)
        reasons.append(f"opinion or intent ({_quote(opinions, 2)})")
    return _Scored(sentence, raw, reasons, frozenset(f.lower().replace(" ", "") for f in figures
                                                      if any(ch.isdigit() for ch in f)))


# What one article's suggestions may cost (DESIGN §10): a real article has a few hundred sentences and
# a few tens of thousands of characters; a 500,000-character text of tiny lines, or one endless
# "sentence", would hold a request for seconds. Past these, the rest of the text is not scored.
MAX_SCORED_SENTENCES = 5000
MAX_SCORED_CHARS = 100_000
# A longer "sentence" cannot become a claim (a quote is at most 2,000 characters): not scored.
MAX_SENTENCE_CHARS = 2000


@lru_cache(maxsize=32)
def _score_all(text: str) -> tuple[_Scored, ...]:
    """Every distinct sentence scored, within the limits above; cached, as an article page asks again
    for the same text."""
    seen: set[str] = set()
    scored = []
    chars = 0
    for sentence in iter_sentences(text):
        if len(scored) >= MAX_SCORED_SENTENCES or chars >= MAX_SCORED_CHARS:
            break
        if len(sentence.text) > MAX_SENTENCE_CHARS:
            continue
        chars += len(sentence.text)
        key = " ".join(sentence.text.split()).lower()
        if key not in seen:
            seen.add(key)
            scored.append(score_sentence(sentence))
    return tuple(scored)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]], reach: list[int]) -> bool:
    """Whether [start, end) overlaps a span; spans sorted, reach[i] the furthest end of spans[:i + 1]."""
    i = bisect.bisect_left(spans, (end,))  # spans starting at or after `end` cannot overlap
    return i > 0 and reach[i - 1] > start


def _squash(raw: float) -> float:
    """Raw points to 0–1 (0.5 at about two signals), for display and thresholds."""
    return round(1 / (1 + math.exp(-(raw - 2.0))), 3)


def suggest(text: str, limit: int | None = 10, *, skip: list[tuple[int, int]] | None = None,
            min_score: float = 0.0) -> list[Suggestion]:
    """The sentences of `text` most worth checking, best first.

    `skip` holds spans (start, end) already highlighted as claims: a sentence overlapping one is left
    out. A sentence that repeats an earlier one word for word is left out too.
    """
    skip = sorted(skip or [])
    reach = list(itertools.accumulate((e for _, e in skip), max))  # furthest end among the first i spans
    scored = [item for item in _score_all(text)
              if not _overlaps(item.sentence.start, item.sentence.end, skip, reach)]
    # Greedy selection: a sentence whose figures are all carried by a sentence already chosen counts
    # less. Penalties only grow as more is chosen, so a lazily re-scored heap gives the exact greedy order.
    heap = [(-item.raw, item.sentence.start, False, item) for item in scored]
    heapq.heapify(heap)
    chosen: list[Suggestion] = []
    covered: set[str] = set()
    while heap and (limit is None or len(chosen) < limit):
        neg, start, repeated, item = heapq.heappop(heap)
        if not repeated and item.raw > 0 and item.figures and item.figures <= covered:
            heapq.heappush(heap, (-item.raw * WEIGHTS["repeat"], start, True, item))
            continue
        reasons = item.reasons + (["repeats a figure suggested above"] if repeated else [])
        score = _squash(-neg)
        if score < min_score:
            break
        chosen.append(Suggestion(item.sentence.start, item.sentence.end, item.sentence.text, score, reasons))
        covered |= item.figures
    return chosen


def for_article(article, limit: int | None = 10) -> list[Suggestion]:
    """Suggestions for an article on the desk, leaving out sentences already highlighted by a claim."""
    from sqlalchemy import select

    from ..extensions import db
    from ..models import AnchorState, Claim

    spans = db.session.execute(
        select(Claim.anchor_start, Claim.anchor_end)
        .where(Claim.article_id == article.id, Claim.anchor_state != AnchorState.orphaned)
    ).all()
    return suggest(article.text, limit, skip=[(s, e) for s, e in spans])
