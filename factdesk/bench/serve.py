"""The app as gunicorn serves it in the benchmark: the real app plus one trivial route.

DESIGN.md §9 states every speed target as a ratio to "a trivial route served by the same server in
the same run". `/bench/trivial` is that route: public, no database, a constant text. It passes the
same hooks as every page (least-role check, security headers), so the ratio measures what our
pages add, not what Flask and gunicorn cost. It exists only in this benchmark entry point
(`gunicorn factdesk.bench.serve:app`), never in the app a desk runs.
"""
from __future__ import annotations

from flask import Response

from ..access import public
from .. import create_app

TRIVIAL_PATH = "/bench/trivial"


def add_trivial_route(app) -> None:
    @public
    def bench_trivial():
        return Response("ok\n", mimetype="text/plain")

    app.add_url_rule(TRIVIAL_PATH, endpoint="bench_trivial", view_func=bench_trivial)


def make_app():
    app = create_app()
    add_trivial_route(app)
    return app
