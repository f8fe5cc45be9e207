"""Measures the two rankers of DESIGN.md §12 on the team's labelled data in data/labelled.

`python -m factdesk.assist.evaluate` (or `flask --app wsgi rankers evaluate`, or `make rankers-eval`) prints:

- "worth checking?": precision at 5 and at 10 — of the top 5 (10) suggestions on each labelled
  article, the share that a person labelled checkable — averaged over the articles;
- "checked before?": recall at 5 — the share of labelled pairs whose earlier claim is among the five
  similar claims listed for the other one. It runs the real pipeline (full-text retrieval in a
  throwaway SQLite desk built by the migrations, then the re-ranking), never the desk's own database.
"""
from __future__ import annotations

import json
import re
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "labelled"


def default_fixtures() -> Path:
    import os

    return Path(os.environ.get("FACTDESK_FIXTURES") or ROOT.parent / "shared" / "fixtures")


@dataclass
class Report:
    precision_at_5: float
    precision_at_10: float
    recall_at_5: float
    documents: list[dict]
    pairs: list[dict]
    lead_precision_at_5: float = 0.0
    lead_precision_at_10: float = 0.0
    pool: int = 0  # earlier claims on the evaluation desk: labelled ones plus fixture sentences
    labelled_claims: int = 0
    small_recall_at_5: float = 0.0  # among the labelled claims alone
    small_pairs: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"precision_at_5": self.precision_at_5, "precision_at_10": self.precision_at_10,
                "recall_at_5": self.recall_at_5,
                "baseline_lead_precision_at_5": self.lead_precision_at_5,
                "baseline_lead_precision_at_10": self.lead_precision_at_10,
                "mean_reciprocal_rank": mean_reciprocal_rank(self.pairs), "earlier_claims": self.pool,
                "labelled_claims_only": {"recall_at_5": self.small_recall_at_5,
                                         "mean_reciprocal_rank": mean_reciprocal_rank(self.small_pairs)},
                "documents": self.documents, "pairs": self.pairs}


def _document_text(source: dict, fixtures: Path) -> str:
    from ..text import canonicalize

    if source["kind"] == "article":
        return canonicalize((fixtures / source["file"]).read_text(encoding="utf-8"))
    truth = json.loads((fixtures / "web-articles" / "ground-truth.json").read_text(encoding="utf-8"))
    return canonicalize(truth[source["id"]]["articleBody"])


def _spans(text: str, sentences: list[str]) -> list[tuple[int, int]]:
    spans = []
    for sentence in sentences:
        at = text.find(sentence)
        if at < 0:
            raise ValueError(f"labelled sentence not in its text: {sentence[:60]!r}")
        while at >= 0:
            spans.append((at, at + len(sentence)))
            at = text.find(sentence, at + 1)
    return spans


def _relevant(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """A suggestion counts when most of it lies in a labelled sentence (tolerates other splitting)."""
    length = max(1, end - start)
    return any(min(end, e) - max(start, s) >= 0.5 * min(length, e - s) for s, e in spans)


def evaluate_suggestions(fixtures: Path, labels: Path = DATA / "checkworthy.json") -> list[dict]:
    """Per labelled article: precision at 5 and 10 of the suggestions, and of the lead baseline."""
    from ..articles.sentences import split_sentences
    from .suggestions import suggest

    data = json.loads(labels.read_text(encoding="utf-8"))
    rows = []
    for doc in data["documents"]:
        text = _document_text(doc["source"], fixtures)
        spans = _spans(text, doc["checkable"])
        hits = [_relevant(s.start, s.end, spans) for s in suggest(text, limit=10)]
        # The baseline a ranker must beat: the article's first sentences, in order.
        lead = [_relevant(s.start, s.end, spans) for s in split_sentences(text)[:10]]
        rows.append({"title": doc["title"], "labelled": len(doc["checkable"]), "sentences": doc["sentences"],
                     "p@5": _precision(hits, 5), "p@10": _precision(hits, 10),
                     "lead_p@5": _precision(lead, 5), "lead_p@10": _precision(lead, 10)})
    return rows


def _precision(hits: list[bool], k: int) -> float:
    """Share of relevant items among the first k (fewer when the article has fewer sentences)."""
    top = hits[:k]
    return sum(top) / len(top) if top else 0.0


def _mean(rows: list[dict], key: str) -> float:
    return round(sum(r[key] for r in rows) / (len(rows) or 1), 3)


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def fixture_distractors(fixtures: Path, avoid: list[str], limit: int = 3000) -> dict[str, list[str]]:
    """Sentences of the web fixtures (eight words or more) to add to the desk as unrelated earlier claims.

    Sentences that contain, or are contained in, a labelled claim or query are left out, so a query
    never meets itself; other sentences about the same stories stay in, and may outrank a target.
    """
    from ..articles.sentences import split_sentences
    from ..text import canonicalize

    truth = json.loads((fixtures / "web-articles" / "ground-truth.json").read_text(encoding="utf-8"))
    avoid_norm = [_norm(a) for a in avoid]
    out: dict[str, list[str]] = {}
    total = 0
    for key in sorted(truth):
        for sentence in split_sentences(canonicalize(truth[key]["articleBody"])):
            text = sentence.text
            if len(text.split()) < 8 or len(text) > 600 or total >= limit:
                continue
            n = _norm(text)
            if any(n in a or a in n for a in avoid_norm):
                continue
            out.setdefault(key, []).append(text)
            total += 1
    return out


@contextmanager
def throwaway_desk():
    """A desk built by the migrations in a temporary SQLite file, its app context pushed: evaluations
    run the desk's own code, never on the desk's own database."""
    from flask_migrate import upgrade

    from .. import create_app
    from ..extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"FACTDESK_ENV": "testing", "TESTING": True, "SECRET_KEY": "rankers-eval",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/eval.db", "SERVER_NAME": None})
        with app.app_context():
            upgrade()
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


def evaluate_similar(pairs_file: Path = DATA / "similar_claims.json", *,
                     distractors: dict[str, list[str]] | None = None) -> tuple[float, list[dict]]:
    """Recall at 5 of `similar_claims` over the labelled pairs, in a throwaway desk.

    `distractors` (source → sentences) are added as further earlier claims that no pair points at.
    """
    return evaluate_similar_pools(pairs_file, distractors=distractors)[-1]


def evaluate_similar_pools(pairs_file: Path = DATA / "similar_claims.json", *,
                           distractors: dict[str, list[str]] | None = None) -> list[tuple[float, list[dict]]]:
    """Recall at 5 and the rows among the labelled claims alone, then (with `distractors`) again once
    the distractors have joined them: one throwaway desk for the run, as a desk grows."""
    from ..accounts.users import create_user
    from ..extensions import db
    from ..models import Role

    data = json.loads(pairs_file.read_text(encoding="utf-8"))
    labelled: dict[str, list[tuple[str | None, str]]] = {}
    for claim in data["claims"]:
        labelled.setdefault(claim["source"], []).append((claim["id"], claim["text"]))
    pools = [labelled]
    if distractors:
        pools.append({f"distractor {source[:12]}": [(None, t) for t in dict.fromkeys(sentences)]
                      for source, sentences in distractors.items()})
    results = []
    with throwaway_desk():
        person = create_user("eval@factdesk.test", "Evaluation", Role.checker, "evaluation-only-pass")
        label_of: dict[int, str | None] = {}
        for pool in pools:
            label_of |= _add_claims(person, pool)
            db.session.commit()
            results.append(_recall_at_5(data["pairs"], label_of))
    return results


def _add_claims(person, by_source: dict[str, list[tuple[str | None, str]]]) -> dict[int, str | None]:
    """Each source as an article of its claims' texts, each text highlighted as a claim (and its
    vector stored, as the `claims.vectors` job would with the `semantic` extra); claim id → label."""
    from ..articles.anchoring import anchor_at
    from ..articles.service import create_article
    from ..claims.highlight import add_claim
    from .meaning import store_vectors

    label_of: dict[int, str | None] = {}
    for source, claims in by_source.items():
        text = "\n\n".join(t for _, t in claims)
        article = create_article(text=text, by=person, title=f"Evaluation source {source}")
        at = 0
        for label, claim_text in claims:
            made = add_claim(article, person, anchor_at(article.text, at, at + len(claim_text)))
            label_of[made.id] = label
            at += len(claim_text) + 2
    store_vectors()
    return label_of


def _recall_at_5(pairs: list[dict], label_of: dict[int, str | None]) -> tuple[float, list[dict]]:
    from .similar import similar_claims

    rows = []
    for pair in pairs:
        found = [label_of[c.id] or "(distractor)" for c, _ in similar_claims(pair["query"], limit=5)]
        rank = found.index(pair["match"]) + 1 if pair["match"] in found else None
        rows.append({"query": pair["query"], "match": pair["match"], "kind": pair["kind"], "rank": rank,
                     "top": found[:3]})
    return round(sum(1 for r in rows if r["rank"]) / (len(rows) or 1), 3), rows


def mean_reciprocal_rank(rows: list[dict]) -> float:
    return round(sum(1 / r["rank"] for r in rows if r["rank"]) / (len(rows) or 1), 3)


def evaluate(fixtures: Path | None = None) -> Report:
    fixtures = fixtures or default_fixtures()
    docs = evaluate_suggestions(fixtures)
    data = json.loads((DATA / "similar_claims.json").read_text(encoding="utf-8"))
    avoid = [c["text"] for c in data["claims"]] + [p["query"] for p in data["pairs"]]
    distractors = fixture_distractors(fixtures, avoid)
    (small_r5, small_pairs), (r5, pairs) = evaluate_similar_pools(distractors=distractors)
    return Report(_mean(docs, "p@5"), _mean(docs, "p@10"), r5, docs, pairs,
                  _mean(docs, "lead_p@5"), _mean(docs, "lead_p@10"),
                  pool=len(data["claims"]) + sum(len(v) for v in distractors.values()),
                  labelled_claims=len(data["claims"]), small_recall_at_5=small_r5, small_pairs=small_pairs)


def _semantic() -> bool:
    from .meaning import embedder

    return embedder() is not None


def render(report: Report, verbose: bool = False) -> str:
    lines = [f"worth checking?  precision@5  = {report.precision_at_5:.3f}",
             f"worth checking?  precision@10 = {report.precision_at_10:.3f}   "
             f"({len(report.documents)} labelled articles)",
             f"  (baseline, the first sentences in order: precision@5 = {report.lead_precision_at_5:.3f}, "
             f"precision@10 = {report.lead_precision_at_10:.3f})",
             f"checked before?  recall@5     = {report.recall_at_5:.3f}   ({len(report.pairs)} labelled pairs; "
             f"{report.pool:,} earlier claims: {report.labelled_claims} labelled + "
             f"{report.pool - report.labelled_claims:,} fixture sentences as distractors)",
             f"  (mean reciprocal rank = {mean_reciprocal_rank(report.pairs):.3f}; among the {report.labelled_claims} "
             f"labelled claims alone: recall@5 = {report.small_recall_at_5:.3f}, mean reciprocal rank = "
             f"{mean_reciprocal_rank(report.small_pairs):.3f}; embedding model: "
             f"{'used' if _semantic() else 'not installed, full-text and figures only'})"]
    if verbose:
        for d in report.documents:
            lines.append(f"  p@5 {d['p@5']:.1f}  p@10 {d['p@10']:.1f}  {d['labelled']:>2}/{d['sentences']:<3} "
                         f"{d['title'][:70]}")
        for p in report.pairs:
            lines.append(f"  rank {p['rank'] or '-':>2}  {p['kind']:<14} {p['match']:<26} {p['query'][:60]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    report = evaluate()
    if "--json" in argv:
        print(json.dumps(report.as_dict(), indent=1, ensure_ascii=False))
    else:
        print(render(report, verbose="-v" in argv or "--verbose" in argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def register(app) -> None:
    """`flask rankers evaluate`: the same report as `python -m factdesk.assist.evaluate`."""
    import click
    from flask.cli import AppGroup

    rankers = AppGroup("rankers", help="Measure the 'worth checking?' and 'checked before?' rankers.")

    @rankers.command("evaluate")
    @click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
    @click.option("-v", "--verbose", is_flag=True, help="One line per labelled article and pair.")
    def evaluate_command(as_json: bool, verbose: bool) -> None:
        """Print precision@5, precision@10 (worth checking?) and recall@5 (checked before?)."""
        from flask import current_app

        report = evaluate(Path(current_app.config.get("FACTDESK_FIXTURES") or default_fixtures()))
        click.echo(json.dumps(report.as_dict(), indent=1, ensure_ascii=False) if as_json
                   else render(report, verbose=verbose))

    app.cli.add_command(rankers)
