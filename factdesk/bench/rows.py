"""The report's rows (DESIGN.md §9), from the figures one bench run measured."""
from __future__ import annotations

from . import report

HTML_LIMIT_KB = 150
ASSETS_LIMIT_KB = 60.0


def merge(runs: list[dict]) -> dict:
    """Rounds of one page as one figure: all requests over all measured seconds, median latencies."""
    requests = sum(r["requests"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    statuses: dict[str, int] = {}
    for r in runs:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    latency = {p: median([r["latency_ms"][p] for r in runs if r["latency_ms"].get(p) is not None])
               for p in ("p50", "p95")}
    return {"requests": requests, "seconds": round(seconds, 3), "rps": round(requests / seconds, 1) if seconds else 0.0,
            "ok": sum(r["ok"] for r in runs), "statuses": statuses, "latency_ms": latency, "rounds": len(runs),
            # Each phase goes on along the same list, so the last phase's count is the run's: requests sent
            # after every distinct address had been asked once (no longer first views).
            "addresses_repeated": any(r.get("repeats") for r in runs),
            "repeated_requests": max((r.get("repeats") or 0 for r in runs), default=0),
            "errors": {k: v for r in runs for k, v in r["errors"].items()}}


def median(values: list[float]) -> float | None:
    values = sorted(values)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def _all(figure: dict, status: str | None = None) -> bool:
    """Every answer measured was a success (a page answering 500s fast must not pass)."""
    if not figure or figure["requests"] == 0:
        return False
    if status is not None:
        return figure["statuses"] == {status: figure["requests"]}
    return figure["ok"] == figure["requests"]


def cost_ratio(pair: dict) -> float | None:
    """Median over rounds of page ms ÷ unit ms (= unit req/s ÷ page req/s)."""
    return median([r["baseline_rps"] / r["target_rps"] for r in pair["rounds"] if r["target_rps"]])


def rate_ratio(pair: dict) -> float | None:
    return median([r["target_rps"] / r["baseline_rps"] for r in pair["rounds"] if r["baseline_rps"]])


def render_row(name: str, pair: dict | None, explains: str, **extra) -> dict:
    """A page against its unit: ms per request of each, their ratio, their p50/p95."""
    if pair is None:
        return report.row(name, None, None, unit="ms", explains=explains, met=False, reason="page missing", **extra)
    target, unit = pair["target"], pair["baseline"]
    return report.row(
        name, report.ms_per_request(target["rps"]), report.ms_per_request(unit["rps"]), unit="ms",
        ratio=cost_ratio(pair), met=_all(target) and _all(unit), explains=explains,
        latency_ms=target["latency_ms"], unit_latency_ms=unit["latency_ms"],
        repeated={"page": target.get("repeated_requests", 0)}, raw=pair, **extra)


def worst_render_row(name: str, pairs: dict[str, dict | None], explains: str) -> dict:
    """The worse of several pages measured against the same unit (each one's figures kept)."""
    present = {k: p for k, p in pairs.items() if p}
    if len(present) < len(pairs):
        return render_row(name, None, explains, pages={k: bool(p) for k, p in pairs.items()})
    worst = max(present, key=lambda k: cost_ratio(present[k]) or 0)
    row = render_row(name, present[worst], explains, worst=worst)
    row["met"] = row["met"] and all(_all(p["target"]) for p in present.values())
    row["pages"] = {k: {"ratio": round(cost_ratio(p) or 0, 3), "ms": report.ms_per_request(p["target"]["rps"]),
                        "latency_ms": p["target"]["latency_ms"],
                        "repeated_requests": p["target"].get("repeated_requests", 0)} for k, p in present.items()}
    row["repeated"] = {k: p["target"].get("repeated_requests", 0) for k, p in present.items()}
    row.pop("raw")
    row["raw"] = present
    return row


def article_row(pair: dict | None, html_bytes: int | None) -> dict:
    row = render_row("article_highlights", pair, "ms per request of the desk article page with 300 highlights "
                     "vs the same text with none", html_kb=None if html_bytes is None else round(html_bytes / 1024, 1),
                     html_limit_kb=HTML_LIMIT_KB)
    row.pop("repeated", None)  # one article by design: each view of it comes after the writers' latest commits
    if html_bytes is None or html_bytes > HTML_LIMIT_KB * 1024:
        row["met"] = False
        row["reason"] = f"HTML {row['html_kb']} KB > {HTML_LIMIT_KB} KB" if html_bytes else "page missing"
    return row


def revalidation_row(pair: dict | None) -> dict:
    explains = "requests/s of public check pages asked with If-None-Match (304s) vs the trivial route's"
    if pair is None:
        return report.row("revalidation", None, None, unit="req/s", explains=explains, met=False, reason="page missing")
    return report.row("revalidation", pair["target"]["rps"], pair["baseline"]["rps"], unit="req/s",
                      ratio=rate_ratio(pair), met=_all(pair["target"], "304") and _all(pair["baseline"]),
                      explains=explains, latency_ms=pair["target"]["latency_ms"],
                      unit_latency_ms=pair["baseline"]["latency_ms"], raw=pair)


def sql_rows(small: dict, full: dict, sizes: dict) -> list[dict]:
    rows = []
    for name in full:
        served = small[name]["status"] < 400 and full[name]["status"] < 400
        rows.append(report.row(
            f"sql_per_page.{name}", full[name]["statements"], small[name]["statements"], unit="statements",
            met=served, explains=f"SQL statements of one request at {sizes['full']['claims']:,} claims vs at "
                                 f"{sizes['small']['claims']:,}", path=full[name]["path"],
            status=[small[name]["status"], full[name]["status"]]))
    return rows


def assets_row(assets: dict | None) -> dict:
    explains = "JS + CSS of the desk article page in KB (uncompressed) vs the 60 KB budget"
    if not assets or assets["status"] != 200:
        return report.row("assets_kb", None, ASSETS_LIMIT_KB, unit="KB", met=False, explains=explains,
                          reason="page missing", raw=assets)
    return report.row("assets_kb", assets["bytes"] / 1024, ASSETS_LIMIT_KB, unit="KB", explains=explains,
                      files=assets["files"])


def writers_row(result: dict, check: dict, server_log: str) -> dict:
    locked_in_log = server_log.count("database is locked")
    failures = result["server_errors"] + result["locked"] + locked_in_log + check["lost"] + result["transport_errors"]
    accepted = len(result["edits"])
    row = report.row(
        "concurrent_writers", float(accepted), float(result["attempted_edits"]), unit="edits",
        met=failures == 0 and accepted > 0,
        explains=f"accepted vs attempted edits of {result.get('writers', 0)} clients for "
                 f"{result.get('seconds', 0):g} s, each on at most ten shared claims sending the version it "
                 f"just read; met with no 5xx, no 'database is locked', no lost update",
        failures=failures, locked_in_server_log=locked_in_log,
        run={k: v for k, v in result.items() if k not in ("edits", "comments")}, verified=check)
    if failures:
        row["reason"] = f"{failures} failures"
    return row
