"""The benchmark's report (DESIGN.md §9): one row per target, each with its raw figures and ratio.

Shape: `{"size": {"claims": n, "articles": n}, "rows": [{"name", "measured", "baseline", "ratio",
"target", "met", …raw figures…}, …]}`. Every row also says how its ratio is compared with its target
(`compare`: ">=", "<=" or "==") and what `measured` and `baseline` are (`unit`, `explains`).

- Rates (queue_page, public_pages): measured and baseline in requests/s; ratio = measured / baseline.
- Costs (article_highlights, search): measured and baseline in milliseconds per request at full
  load (1000 / requests/s); ratio = measured / baseline, so "≤ 2 ×" reads as ratio ≤ 2.
- sql_per_page: statements per request summed over the counted pages, at the full size (measured)
  and at a tenth of it (baseline); met when every page's count is the same at both sizes.
- assets_kb: kilobytes of JavaScript and CSS the article page loads (measured) against the 60 KB
  budget (baseline); ratio = measured / budget.
- ingest: sentences scored and matched per second (measured) against the 100/s target (baseline),
  in-process on the full desk (factdesk/bench/ingest.py).
- worst_case_text: seconds of the slowest text function on its worst-case input at 500,000 characters
  (50,000 with --quick) against the 2 s budget (factdesk/bench/worstcase.py; each function's figure in
  `functions`).
- concurrent_writers: failed answers (5xx, "database is locked", lost writes) (measured) out of all
  requests sent (baseline); ratio = failures / requests, met when there are none.
"""
from __future__ import annotations

import json
from pathlib import Path

ROW_NAMES = ("queue_page", "public_pages", "article_highlights", "search", "sql_per_page", "assets_kb",
             "concurrent_writers", "ingest", "worst_case_text")
TARGETS = {
    "queue_page": (0.5, ">="),
    "public_pages": (0.8, ">="),
    "article_highlights": (2.0, "<="),
    "search": (3.0, "<="),
    "sql_per_page": (1.0, "=="),
    "assets_kb": (1.0, "<="),
    "concurrent_writers": (0.0, "=="),
    "ingest": (1.0, ">="),
    "worst_case_text": (1.0, "<="),  # factdesk/bench/worstcase.py: slowest text function / 2 s
}


def _met(ratio: float | None, target: float, compare: str) -> bool:
    if ratio is None:
        return False
    if compare == ">=":
        return ratio >= target
    if compare == "<=":
        return ratio <= target
    return abs(ratio - target) < 1e-9


def row(name: str, measured: float | None, baseline: float | None, *, unit: str, explains: str,
        met: bool | None = None, ratio: float | None = None, **raw) -> dict:
    """One report row; `met` defaults to comparing the ratio with the row's target."""
    target, compare = TARGETS[name]
    if ratio is None and measured is not None and baseline:
        ratio = measured / baseline
    ratio = None if ratio is None else round(ratio, 3)
    return {"name": name, "measured": None if measured is None else round(measured, 3),
            "baseline": None if baseline is None else round(baseline, 3), "ratio": ratio, "target": target,
            "met": bool(_met(ratio, target, compare) if met is None else met and _met(ratio, target, compare)),
            "compare": compare, "unit": unit, "explains": explains, **raw}


def ms_per_request(rps: float) -> float | None:
    return 1000.0 / rps if rps else None


def build(size: dict, rows: list[dict], **extra) -> dict:
    by_name = {r["name"]: r for r in rows}
    ordered = [by_name[name] for name in ROW_NAMES if name in by_name]
    return {"size": size, "rows": ordered, **extra}


def write(report: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def table(report: dict) -> str:
    """The report as a Markdown table (what the README shows and the command prints)."""
    size = report["size"]
    lines = [f"Desk: {size['claims']:,} claims, {size['articles']:,} articles",
             "",
             "| row | measured | baseline | ratio | target | met |",
             "|---|---:|---:|---:|---:|:-:|"]
    for r in report["rows"]:
        unit = r.get("unit", "")
        measured = "—" if r["measured"] is None else f"{r['measured']:,.1f} {unit}".strip()
        baseline = "—" if r["baseline"] is None else f"{r['baseline']:,.1f} {unit}".strip()
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
        target = f"{r['compare'].replace('>=', '≥').replace('<=', '≤').replace('==', '=')} {r['target']:g}"
        lines.append(f"| {r['name']} | {measured} | {baseline} | {ratio} | {target} | {'yes' if r['met'] else 'NO'} |")
    lines += ["", "Rates and costs: all requests of a page over its rounds; ratio: the median of the rounds' ratios "
                  "(each round runs the page and its baseline back to back)."]
    return "\n".join(lines)
