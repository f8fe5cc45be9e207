"""Export of the filtered queue as CSV and JSON."""
from __future__ import annotations

import csv
import io

import pytest

from factdesk.demo.generate import fill_desk
from factdesk.claims.highlight import add_claim, locate
from factdesk.extensions import db

from tests.conftest import login


@pytest.fixture
def desk(app, checker):
    fill_desk(claims=120, articles=6)


def test_csv_export_holds_the_filtered_queue_in_its_order(client, desk, checker):
    login(client, checker)
    api = client.get("/desk/export.json?status=published&sort=age").get_json()
    response = client.get("/desk/export.csv?status=published&sort=age")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows and {r["status"] for r in rows} == {"published"}
    assert [int(r["id"]) for r in rows] == [i["id"] for i in api["items"]]
    assert response.headers["X-Export-Total"] == str(len(rows)) and response.headers["X-Export-Truncated"] == "false"


def test_json_export_has_every_claim_in_the_api_shape(client, desk, checker):
    login(client, checker)
    body = client.get("/desk/export.json?per_page=5").get_json()
    assert body["total"] == 120 and len(body["items"]) == 120 and body["truncated"] is False
    assert {"id", "status", "anchor", "assignee", "rating", "priority", "tags"} <= set(body["items"][0])


def test_export_stops_at_the_limit_and_says_so(app, client, desk, checker):
    app.config["QUEUE_EXPORT_LIMIT"] = 50
    login(client, checker)
    response = client.get("/desk/export.json")
    body = response.get_json()
    assert len(body["items"]) == 50 and body["truncated"] is True and body["total"] == 120
    assert response.headers["X-Export-Truncated"] == "true"


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, seed_article, checker):
    claim = add_claim(seed_article, checker, locate(seed_article,
                                                    quote="In 2022 alone, they have conducted 69 launches"),
                      summary="=HYPERLINK(\"http://evil.test\")", claimant="@boss")
    db.session.commit()
    login(client, checker)
    rows = list(csv.DictReader(io.StringIO(client.get("/desk/export.csv").get_data(as_text=True))))
    row = next(r for r in rows if int(r["id"]) == claim.id)
    assert row["summary"].startswith("'=") and row["claimant"] == "'@boss"


def test_export_refuses_bad_parameters_and_readers(client, checker):
    assert client.get("/desk/export.csv").status_code == 302  # to the login page
    login(client, checker)
    response = client.get("/desk/export.csv?sort=colour")
    assert response.status_code == 422


def test_csv_cells_starting_with_full_width_formula_signs_are_neutralised(client, seed_article, checker):
    """Spreadsheets read ＝ ＋ － ＠ (and the small forms) as = + - @ at the start of a cell."""
    claim = add_claim(seed_article, checker, locate(seed_article,
                                                    quote="In 2022 alone, they have conducted 69 launches"),
                      summary="＝HYPERLINK(\"http://evil.test\")", claimant="＠boss")
    db.session.commit()
    login(client, checker)
    rows = list(csv.DictReader(io.StringIO(client.get("/desk/export.csv").get_data(as_text=True))))
    row = next(r for r in rows if int(r["id"]) == claim.id)
    assert row["summary"] == "'＝HYPERLINK(\"http://evil.test\")" and row["claimant"] == "'＠boss"
