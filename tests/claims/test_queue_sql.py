"""One page of the queue costs the same number of SQL statements at 10 and at 1,000 claims (DESIGN.md §9)."""
from __future__ import annotations

import pytest

from factdesk.demo.generate import fill_desk
from factdesk.bench.statements import TOKEN_TOUCH, counting_statements
from factdesk.extensions import db

from tests.conftest import login
from tests.support.factories import token_for

QUERIES = ["", "sort=updated", "status=researching,in_review&sort=due", "assignee=anyone&sort=-age",
           "priority=normal,high,urgent&sort=priority"]


def _costs(app, client, headers, size: int) -> dict[str, tuple[int, int]]:
    fill_desk(claims=size, articles=max(1, size // 10))
    costs = {}
    for query in QUERIES:
        with counting_statements(db.engine, ignore=(TOKEN_TOUCH,)) as page_sql:
            page = client.get(f"/desk?{query}")
        assert page.status_code == 200
        assert page.get_data(as_text=True).count('<tr id="claim-') > 0, query
        with counting_statements(db.engine, ignore=(TOKEN_TOUCH,)) as api_sql:
            api = client.get(f"/api/v1/claims?{query}", headers=headers)
        assert api.status_code == 200 and api.get_json()["items"], query
        costs[query] = (len(page_sql), len(api_sql))
    return costs


@pytest.fixture
def desk_client(app, editor):
    client = app.test_client()
    login(client, editor)
    headers = token_for(editor)
    client.get("/api/v1/me", headers=headers)  # a token's first use records it (one write, once)
    return client, headers


def test_queue_page_and_api_cost_the_same_statements_at_10_and_1000_claims(app, desk_client):
    client, headers = desk_client
    small = _costs(app, client, headers, 10)
    large = _costs(app, client, headers, 990)  # 1,000 claims in all
    assert small == large
    # And the number itself is small: session user, count, ids, rows, four eager loads, tabs, my work,
    # people (sort=due: two more, its dated count and second walk).
    assert all(page <= 14 and api <= 10 for page, api in large.values()), large
