"""Past 50,000 URLs (the most crawlers read in one file) /sitemap.xml is an index of sitemap files that
together list every public check and article; tried on generated rows, not 50,000 real publishings."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from sqlalchemy import func, insert, select

from tests.support.factories import ArticleFactory, ClaimFactory, to_state
from factdesk.claims.publishing import relist_public_checks
from factdesk.extensions import db
from factdesk.models import Claim, Publication
from factdesk.public import reading

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _copies_of(claim: Claim, count: int) -> None:
    """`count` more public checks: the published claim's own rows, copied with new ids, and listed."""
    claim_row = dict(db.session.execute(select(Claim.__table__).where(Claim.id == claim.id)).mappings().one())
    pub_row = dict(db.session.execute(
        select(Publication.__table__).where(Publication.claim_id == claim.id)).mappings().one())
    next_claim = db.session.execute(select(func.max(Claim.id))).scalar_one() + 1
    next_pub = db.session.execute(select(func.max(Publication.id))).scalar_one() + 1
    for chunk in range(0, count, 5000):
        ids = range(chunk, min(chunk + 5000, count))
        db.session.execute(insert(Claim.__table__), [{**claim_row, "id": next_claim + i} for i in ids])
        db.session.execute(insert(Publication.__table__),
                           [{**pub_row, "id": next_pub + i, "claim_id": next_claim + i} for i in ids])
    if db.engine.dialect.name == "postgresql":
        for table in ("claims", "publications"):
            db.session.execute(db.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                       f"(SELECT max(id) FROM {table}))"))
        # As the desk generator does before relisting (demo/generate.py): statistics an autovacuum
        # ANALYZE took mid-copy saw the uncommitted rows as absent, and relisting then planned nested
        # loops over every claim per publication (CI: this test 65 s in one run, 698 s in the next).
        db.session.execute(db.text("ANALYZE claims, publications"))
    relist_public_checks(db.session)  # rows written without publish(), as the desk generator writes them
    db.session.commit()


def _urls(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{NS}urlset"
    return [loc.text for loc in root.iter(f"{NS}loc")]


def test_more_than_50000_urls_make_a_sitemap_index_of_files_within_the_limit(app, client, checker, editor):
    article = ArticleFactory(by=checker, title="Tram ridership", text="The tram carried 12 million riders in 2024.")
    first = to_state(ClaimFactory(article=article, by=checker, quote="12 million riders"), "published", checker, editor)
    _copies_of(first, 50_010)
    assert reading.sitemap_counts() == (50_011, 1)

    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    root = ET.fromstring(index.get_data())
    assert root.tag == f"{NS}sitemapindex"
    files = [loc.text for loc in root.iter(f"{NS}loc")]
    assert files == ["http://localhost/sitemap-1.xml", "http://localhost/sitemap-2.xml"]

    listed = [url for part in files for url in _urls(client, part.removeprefix("http://localhost"))]
    assert all(len(_urls(client, f"/sitemap-{n}.xml")) <= 50_000 for n in (1, 2))
    checks = {int(url.split("/checks/")[1].split("-")[0]) for url in listed if "/checks/" in url}
    assert len(checks) == 50_011 and len(listed) == 50_011 + 1 + 3  # every check, the article, three pages
    assert len(set(listed)) == len(listed)
    assert client.get("/sitemap-3.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404


def test_a_small_desk_keeps_one_sitemap_file(app, client, checker, editor):
    article = ArticleFactory(by=checker, title="Tram ridership", text="The tram carried 12 million riders in 2024.")
    to_state(ClaimFactory(article=article, by=checker, quote="12 million riders"), "published", checker, editor)
    urls = _urls(client, "/sitemap.xml")
    assert len(urls) == 5 and "http://localhost/ratings" in urls
    assert reading.sitemap_files((49_996, 1)) == 1 and reading.sitemap_files((49_997, 1)) == 2
