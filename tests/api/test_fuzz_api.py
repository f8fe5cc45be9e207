"""Fuzzing every API operation from the desk's own OpenAPI document (DESIGN.md §8, §10), as every role.

Schemathesis reads /api/v1/openapi.json from the real app, generates valid and malformed requests for each
operation (path ids, query strings, JSON bodies) and sends them in-process (WSGI) to the app on a real
SQLite desk that has an article and claims in every state, with a checker's, an editor's, an admin's or
no token. Each response must be no 5xx, a documented status code, of the documented content type, and
match the documented schema; malformed input must be refused with a 4xx.

Run by `make test-fuzz` (marked `fuzz`, deselected from `make test`). It is bounded: FUZZ_EXAMPLES
examples per operation, role and mode (default 40) and a FUZZ_BUDGET_SECONDS budget (default 480) after
which the remaining operations get a smaller share; it prints how many operations and cases it ran.
"""
from __future__ import annotations

import os
import shutil
import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from factdesk import create_app
from factdesk.extensions import db

from tests.conftest import PG_URL, DeskClient, _fresh_postgres, _settings
from tests.support.factories import build_desk, make_people

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
BUDGET = float(os.environ.get("FUZZ_BUDGET_SECONDS", "480"))
ROLES = ["anonymous", "checker", "editor", "admin"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def malformed_body_refused(ctx, response, case):
    """A malformed JSON body must be refused with a 4xx. Only bodies: the fuzzer's negative headers and
    query strings are not the API's to refuse (we send the role's token ourselves; unknown query
    parameters are ignored, as on the pages)."""
    meta = case.meta
    if meta is None:
        return None
    negative = {location for location, info in meta.components.items() if info.mode.is_negative}
    if negative == {ParameterLocation.BODY}:
        return negative_data_rejection(ctx, response, case)
    return None
STARTED = time.monotonic()
TALLY: Counter = Counter()


@pytest.fixture(scope="module")
def fuzz_desk(migrated_database, tmp_path_factory):
    """One desk for the whole run: the fuzzer's writes pile up on it, as on a desk in use."""
    extra = {"FACTDESK_ALLOW_PRIVATE_FETCH": False, "FACTDESK_FETCH_TIMEOUT": 2}
    if PG_URL:
        app = create_app(_settings(PG_URL, **extra))
    else:
        path = tmp_path_factory.mktemp("fuzz") / "desk.db"
        shutil.copy(migrated_database, path)
        app = create_app(_settings(f"sqlite:///{path}", **extra))
    app.test_client_class = DeskClient
    with app.app_context():
        if PG_URL:
            _fresh_postgres()
        users, tokens = make_people()
        desk = build_desk(users, tokens)
        db.session.remove()
    yield app, desk
    with app.app_context():
        db.engine.dispose()


def _known_ids(desk) -> dict[str, list[int]]:
    claims = sorted(desk.claims.values())
    return {"article": [desk.article_id], "claim": claims, "evidence": [desk.evidence_id or 1],
            "any": sorted({desk.article_id, *claims})}


def _real_path_parameters(operation, desk) -> list[dict]:
    """Path parameter sets naming objects that exist, so the fuzzer reaches past the 404."""
    names = [p.name for p in operation.path_parameters]
    if not names:
        return []
    ids = _known_ids(desk)
    combos = []
    for claim_id in ids["claim"]:
        values = {}
        for name in names:
            kind = ("article" if "article" in name else "evidence" if name in ("eid", "evidence_id")
                    else "claim" if "claim" in name else "any")
            values[name] = claim_id if kind in ("claim", "any") and "article" not in name else ids[kind][0]
        combos.append(values)
    return combos


def _strategy(operation, mode, desk):
    base = operation.as_strategy(generation_mode=mode)
    real = [operation.as_strategy(generation_mode=mode, path_parameters=p)
            for p in _real_path_parameters(operation, desk)]
    return st.one_of(base, *real) if real else base


def _examples(remaining_operations: int) -> int:
    spent = time.monotonic() - STARTED
    if spent < BUDGET / 2:
        return EXAMPLES
    # Past half the budget, share what is left so the whole run stays bounded.
    return max(3, min(EXAMPLES, int(EXAMPLES * (BUDGET - spent) / max(1.0, BUDGET / 2))))


def _fuzz(operation, mode, desk, headers: dict, examples: int, failures: list[str], statuses: Counter) -> None:
    checks = CHECKS + ([malformed_body_refused] if mode is GenerationMode.NEGATIVE else [])

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(case=_strategy(operation, mode, desk))
    def run(case):
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=checks, headers=headers)

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every failure is collected and reported below
        failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:1500]}")


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented_for_each_role(fuzz_desk, role, capsys):
    app, desk = fuzz_desk
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Schemathesis asks for gzip, deflate and zstd but its WSGI transport hands the checks the encoded
    # bytes (zstd, Flask-Compress's first choice, is unreadable JSON); compression is tested on its own
    # (tests/public/test_public_caching.py), so the fuzzer reads plain bodies.
    headers = {**desk.headers(None if role == "anonymous" else role), "Accept-Encoding": "identity"}
    failures: list[str] = []
    statuses: Counter = Counter()
    for index, operation in enumerate(operations):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, desk, dict(headers), _examples(len(operations) - index), failures, statuses)
    TALLY["operations"] = max(TALLY["operations"], len(operations))
    TALLY["cases"] += sum(statuses.values())
    with capsys.disabled():
        print(f"\nfuzz {role}: {len(operations)} operations, {sum(statuses.values())} requests, "
              f"statuses {dict(sorted(statuses.items()))}, {time.monotonic() - STARTED:.0f}s so far; "
              f"all roles: {TALLY['cases']} requests")
    assert operations, "the OpenAPI document lists no operation"
    if failures:
        pytest.fail(f"{len(failures)} operation(s) failed as {role}:\n\n" + "\n\n".join(failures), pytrace=False)
    assert not any(code >= 500 for code in statuses)
