"""Throttles on guesses (passwords, second-factor codes), on top of Flask-Limiter.

Every attempt is counted the moment it arrives, by one atomic increment in the rate-limit storage, and
refused once the count is past the limit: forty guesses sent at once cannot all pass a check before the
first of them is counted (Flask-Limiter's `deduct_when` checks first and counts after the response,
which let all forty through). An attempt that succeeds is then given back, so a good password or code
never locks anyone out.

The counts live in the storage of `RATELIMIT_STORAGE_URI`: Redis when `REDIS_URL` is set, shared by every
worker and host; otherwise the memory of one process, which is why production refuses several workers
without `REDIS_URL` (config.py). Per-address counts use `request.remote_addr`, which is the client's
address behind `TRUSTED_PROXIES` (ProxyFix, factdesk/web.py) and the connecting address otherwise.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import Response, make_response, request
from flask_limiter.util import get_qualified_name

from ..extensions import limiter

# Giving an attempt back is a negative increment of its window: a fixed window's counter.
STRATEGY = "fixed-window"


def give_back_unless(refused: Callable[[Response], bool]) -> Callable:
    """Under `@limiter.limit(...)`: hand this request's counts back when `refused(response)` is false."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def counted(*args, **kwargs):
            response = make_response(view(*args, **kwargs))
            if not refused(response):
                for current in limiter.current_limits:
                    limiter.limiter.hit(current.limit, *current.request_args, cost=-1)
            return response

        return counted

    return decorate


READERS_PAGES = "public"  # the readers' blueprint: no throttle applies to it


@limiter.request_filter
def _a_readers_page() -> bool:
    """Readers' pages are never throttled (every limit of the desk guards a form someone posts), so the
    limiter skips them instead of resolving a blueprint's limits on each request (Flask-Limiter's
    exemption flags: about a tenth of a 304's time beside a route outside any blueprint)."""
    return request.blueprint == READERS_PAGES


def refuse_limits_on_readers_pages(app) -> None:
    """A limit declared on a readers' page would never apply (`_a_readers_page`): refuse to start."""
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith(f"{READERS_PAGES}.") and \
                limiter.limit_manager.decorated_limits(get_qualified_name(view)):
            raise RuntimeError(f"{endpoint} declares a rate limit, but readers' pages are not throttled "
                               "(factdesk/accounts/throttle.py)")
