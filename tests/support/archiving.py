"""What the tests of the evidence archive job share (claims/, jobs/): a desk whose archive job may fetch from
the test's page server on 127.0.0.1, and a claim to add evidence to."""
from __future__ import annotations

import pytest

from tests.support.factories import SeedClaimFactory


def archive_settings(timeout: int) -> dict:
    """The archive on, fetching from loopback allowed, at most `timeout` seconds a fetch."""
    return {"FACTDESK_ALLOW_PRIVATE_FETCH": True, "EVIDENCE_ARCHIVE": True, "FACTDESK_FETCH_TIMEOUT": timeout}


@pytest.fixture
def claim(seed_article, checker):
    """A new claim on the seed article ("…they have conducted 69 launches"), without evidence."""
    return SeedClaimFactory(article=seed_article, by=checker, n=3)
