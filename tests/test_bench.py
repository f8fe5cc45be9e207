"""`flask bench --quick` runs end to end (gunicorn, load generator, writers) and writes the §9 report.

Targets are not asserted here: a shared CI machine's timings say nothing. What is asserted is that
every row is present with its figures, that the writers really wrote, and that no writer lost a write.
"""
from __future__ import annotations

import json

import pytest

from factdesk.bench.command import bench
from factdesk.bench.load import build_request, drive
from factdesk.bench.report import ROW_NAMES

pytestmark = pytest.mark.slow


def test_quick_bench_writes_a_report_with_the_seven_rows(app, tmp_path):
    out = tmp_path / "report.json"
    result = app.test_cli_runner().invoke(bench, ["--quick", "--duration", "0.5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["size"]["claims"] >= 2000 and report["size"]["articles"] >= 200
    rows = {row["name"]: row for row in report["rows"]}
    assert list(rows) == list(ROW_NAMES)
    for row in rows.values():
        assert set(row) >= {"name", "measured", "baseline", "ratio", "target", "met"}
    queue = rows["queue_page"]["raw"]
    assert queue["target"]["requests"] > 0 and len(queue["rounds"]) == 3
    assert queue["baseline"]["statuses"] == {"200": queue["baseline"]["requests"]}
    assert rows["sql_per_page"]["pages"]["queue"]["full"] > 0
    writers = rows["concurrent_writers"]
    assert writers["run"]["writers"] == 50 and writers["run"]["requests"] == 200
    assert writers["verified"]["lost"] == 0, writers["verified"]["problems"]
    assert writers["run"]["server_errors"] == 0 and writers["run"]["locked"] == 0
    assert "| queue_page |" in result.output


def test_load_generator_refuses_any_host_but_this_machine():
    with pytest.raises(ValueError, match="127.0.0.1"):
        drive("10.0.0.1", 80, [build_request("GET", "/", "10.0.0.1", 80)], duration=0.1)
