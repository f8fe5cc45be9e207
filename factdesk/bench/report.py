"""The benchmark's report (DESIGN.md §9): one row per target, each with its raw figures and ratio.

Shape: `{"size": {"claims": n, "articles": n}, "rows": [{"name", "measured", "baseline", "ratio",
"target", "met", …raw figures…}, …]}`. Every row also says how its ratio is compared with its target
(`compare`: ">=", "<=" or "=="), what `measured` and `baseline` are (`unit`, `explains`), and, for
the render rows, the absolute p50 and p95 latencies of the page and of its unit.

- Render rows (queue_page, search, public_pages): milliseconds of server work per request of the
  page (measured) and of the by-key page (baseline), from each one's requests/s at full load in the
  same rounds; ratio = page ÷ by-key, the median over rounds.
- article_highlights: the same, against the same article with no highlights; and its HTML size.
- revalidation: requests/s of a public page asked with If-None-Match (every answer a 304) against
  the trivial route's; ratio = 304s/s ÷ trivial/s.
- sql_per_page.<page>: statements of one request at the full size (measured) and at a tenth of it
  (baseline); met when they are equal.
- assets_kb: kilobytes of JavaScript and CSS the article page loads against the 60 KB budget.
- concurrent_writers: accepted edits ÷ attempted edits (≥ 0.3), met only with no failure at all.
- ingest: sentences scored and matched per second (measured) against the 100/s target (baseline),
  in-process on the full desk (factdesk/bench/ingest.py); ratio = measured / target.
- worst_case_text: seconds of the slowest text function on its worst-case input at 500,000 characters
  (50,000 with --quick) against the 2 s budget (factdesk/bench/worstcase.py; each function's figure in
  `functions`).
"""
from __future__ import annotations

import json
from pathlib import Path

ROW_NAMES = ("queue_page", "search", "public_pages", "article_highlights", "revalidation", "sql_per_page",
             "assets_kb", "concurrent_writers", "ingest", "worst_case_text")
TARGETS = {
    "queue_page": (8.0, "<="),
    "search": (3.0, "<="),
    "public_pages": (1.5, "<="),
    "article_highlights": (2.0, "<="),
    "revalidation": (0.8, ">="),
    "sql_per_page": (1.0, "=="),
    "assets_kb": (1.0, "<="),
    "concurrent_writers": (0.3, ">="),
    "ingest": (1.0, ">="),
    "worst_case_text": (1.0, "<="),  # factdesk/bench/worstcase.py: slowest text function / 2 s
}


def _family(name: str) -> str:
    return name.split(".", 1)[0]


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
    """One report row; met = the ratio meets the row's target (and `met`, when given, holds too)."""
    target, compare = TARGETS[_family(name)]
    if ratio is None and measured is not None and baseline:
        ratio = measured / baseline
    ratio = None if ratio is None else round(ratio, 3)
    meets = _met(ratio, target, compare)
    return {"name": name, "measured": None if measured is None else round(measured, 3),
            "baseline": None if baseline is None else round(baseline, 3), "ratio": ratio, "target": target,
            "met": bool(meets if met is None else met and meets),
            "compare": compare, "unit": unit, "explains": explains, **raw}


def ms_per_request(rps: float) -> float | None:
    return 1000.0 / rps if rps else None


def build(size: dict, rows: list[dict], **extra) -> dict:
    order = {name: i for i, name in enumerate(ROW_NAMES)}
    ordered = sorted(rows, key=lambda r: (order.get(_family(r["name"]), len(order)), r["name"]))
    return {"size": size, "rows": ordered, **extra}


def write(report: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def _number(value, unit: str) -> str:
    return "—" if value is None else f"{value:,.2f} {unit}".strip()


def _latency(r: dict) -> str:
    page, unit = r.get("latency_ms"), r.get("unit_latency_ms")
    if not page:
        return ""
    text = f"{_number(page.get('p50'), '')} / {_number(page.get('p95'), '')}"
    if unit:
        text += f" (unit {_number(unit.get('p50'), '')} / {_number(unit.get('p95'), '')})"
    return text


def table(report: dict) -> str:
    """The report as a Markdown table (what docs/speed.md shows and the command prints)."""
    size = report["size"]
    lines = [f"Desk: {size['claims']:,} claims, {size['articles']:,} articles",
             "",
             "| row | measured | baseline | ratio | target | met | p50 / p95 ms |",
             "|---|---:|---:|---:|---:|:-:|---|"]
    for r in report["rows"]:
        unit = r.get("unit", "")
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
        target = f"{r['compare'].replace('>=', '≥').replace('<=', '≤').replace('==', '=')} {r['target']:g}"
        met = "yes" if r["met"] else ("NO: " + r["reason"] if r.get("reason") else "NO")
        lines.append(f"| {r['name']} | {_number(r['measured'], unit)} | {_number(r['baseline'], unit)} | {ratio} "
                     f"| {target} | {met} | {_latency(r)} |")
    lines += ["", "Render rows: ms of server work per request (from requests/s at full load), page vs its unit in "
                  "the same rounds; ratio: the median of the rounds' ratios. p50 / p95: latency of the page's "
                  "requests (and of the unit's) as the load generator saw them."]
    repeated = [f"{r['name']} ({', '.join(f'{page}: {n:,}' for page, n in r['repeated'].items() if n)})"
                for r in report["rows"] if any((r.get("repeated") or {}).values())]
    if repeated:
        lines += ["", "Not all first views — requests sent after every distinct address of the page had been asked "
                      "once: " + "; ".join(repeated) + "."]
    return "\n".join(lines)
