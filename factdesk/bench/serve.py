"""The app as gunicorn serves it in the benchmark: the real app plus the two baseline routes.

DESIGN.md §9 measures every render against a **by-key page** served by the same server in the same
run: `/bench/by-key/<id>` reads one claim by its primary key and renders it with a small template.
The revalidation row compares a 304 with a **trivial route**, `/bench/trivial`: no database, a
constant text. Both pass the same hooks as every page (least-role check, security headers,
compression), so a ratio measures what our pages add. They exist only in this benchmark entry point
(`gunicorn 'factdesk.bench.serve:make_app()'`), never in the app a desk runs.
"""
from __future__ import annotations

from flask import Response, abort, current_app
from sqlalchemy.orm import raiseload

from .. import create_app
from ..access import public
from ..extensions import db
from ..models import Claim

TRIVIAL_PATH = "/bench/trivial"
BY_KEY_PATH = "/bench/by-key/{id}"
BY_KEY_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Claim {{ claim.id }}</title></head>
<body><main><h1>Claim {{ claim.id }}</h1><p>{{ claim.quote }}</p>
<p>{{ claim.summary }}</p><p>{{ claim.status.value }}, version {{ claim.version }}</p></main></body></html>
"""


def by_key_template():
    """The by-key page's template, compiled once per app as every page's template is (Jinja's
    loader caches files; a template given as a string would be compiled again on every request)."""
    template = current_app.extensions.get("bench_by_key_template")
    if template is None:
        template = current_app.extensions.setdefault("bench_by_key_template",
                                                     current_app.jinja_env.from_string(BY_KEY_TEMPLATE))
    return template


def add_baseline_routes(app) -> None:
    @public
    def bench_trivial():
        return Response("ok\n", mimetype="text/plain")

    @public
    def bench_by_key(claim_id: int):
        # One primary-key read (§9), nothing else: a claim's tags load by "selectin" with it, which
        # made the unit two statements (and on PostgreSQL one more round trip) until session 10.
        claim = db.session.get(Claim, claim_id, options=[raiseload("*")])
        if claim is None:
            abort(404)
        return by_key_template().render(claim=claim)

    app.add_url_rule(TRIVIAL_PATH, endpoint="bench_trivial", view_func=bench_trivial)
    app.add_url_rule("/bench/by-key/<int:claim_id>", endpoint="bench_by_key", view_func=bench_by_key)


def make_app():
    app = create_app()
    add_baseline_routes(app)
    return app
