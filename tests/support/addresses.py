"""Readers' addresses of what the factories made, as the public pages link them."""
from __future__ import annotations

from types import SimpleNamespace

from factdesk.claims.publishing import latest_publication
from factdesk.public.slugs import article_path, check_path


def path_of(app, claim) -> str:
    """The readers' address of a check: from its latest publication (or its wording, never published)."""
    shown = latest_publication(claim.id) or SimpleNamespace(claim_id=claim.id, summary=claim.summary,
                                                             quote=claim.quote)
    with app.test_request_context():
        return check_path(shown)


def article_path_of(app, article) -> str:
    with app.test_request_context():
        return article_path(article)
