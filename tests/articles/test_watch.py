"""Source watch: articles behind published checks are re-fetched; a changed source becomes a revision."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from factdesk.articles.importing import import_url
from factdesk.articles.service import create_article
from factdesk.articles.watch import short_diff
from factdesk.claims.highlight import add_claim, locate
from factdesk.extensions import db
from factdesk.models import AnchorState, Article, ArticleRevision, Claim, Notification

from tests.conftest import login
from tests.support.factories import to_state
from tests.support.pages_server import news_page, pages  # noqa: F401  (a fixture)

PARAGRAPHS = [
    "The port authority said on Monday that 4,200 ships docked at the harbour in 2023, a record for the city.",
    "Officials added that cargo volumes rose 12 percent compared with the previous year.",
    "The mayor is expected to present the figures to the council next week.",
]


def page(paragraphs: list[str], ad: str = "Subscribe today") -> str:
    return news_page("Harbour traffic hits a record", paragraphs, publisher="The Harbour Times", aside=ad)


@pytest.fixture
def app_settings():
    return {"FACTDESK_ALLOW_PRIVATE_FETCH": True, "FACTDESK_FETCH_TIMEOUT": 20}


@pytest.fixture
def published(app, pages, checker, editor):
    """An article imported from the local server, with one published check on its first sentence."""
    url = pages.page("/harbour", page(PARAGRAPHS))
    article = import_url(url, checker)
    db.session.commit()
    claim = add_claim(article, checker, locate(article, quote="4,200 ships docked at the harbour in 2023"),
                      summary="4,200 ships docked in 2023.", claimant="Port authority")
    db.session.commit()
    to_state(claim, "published", checker, editor)
    return article, claim


def _notes():
    return list(db.session.execute(select(Notification).order_by(Notification.id)).scalars())


def test_changed_source_becomes_a_revision_re_anchors_and_tells_checker_and_editor(client, runner, pages, published,
                                                                                 checker, editor):
    article, claim = published
    before = len(_notes())
    changed = [PARAGRAPHS[0].replace("4,200 ships docked", "4,100 ships docked"), PARAGRAPHS[1],
               "Correction: an earlier version of this story gave the wrong number of ships."]
    pages.page("/harbour", page(changed))
    result = runner.invoke(args=["articles", "watch"])
    assert result.exit_code == 0, result.output
    assert f"article {article.id}: revised (revision 2)" in result.output
    db.session.rollback()
    article = db.session.get(Article, article.id)
    assert article.revision == 2 and "4,100 ships docked" in article.text
    revision = db.session.execute(select(ArticleRevision).where(ArticleRevision.article_id == article.id,
                                                                ArticleRevision.number == 2)).scalar_one()
    assert "source watch" in revision.note
    claim = db.session.get(Claim, claim.id)
    assert claim.anchor_state in (AnchorState.fuzzy, AnchorState.orphaned)  # never silently moved
    notes = _notes()[before:]
    assert {n.user_id for n in notes} == {checker.id, editor.id}
    assert all(n.kind == "source_changed" and n.claim_id == claim.id for n in notes)
    message = notes[0].message
    assert "− The port authority said on Monday that 4,200 ships" in message
    assert "+ The port authority said on Monday that 4,100 ships" in message
    assert "+ Correction: an earlier version" in message

    login(client, editor)
    inbox = client.get("/desk/notifications").get_data(as_text=True)
    assert "The source of “Harbour traffic hits a record” changed" in inbox
    assert "4,100 ships docked" in inbox

    # Nothing new at the source: no revision, nobody told again.
    again = runner.invoke(args=["articles", "watch"])
    assert f"article {article.id}: unchanged" in again.output
    db.session.rollback()
    assert db.session.get(Article, article.id).revision == 2 and len(_notes()) == before + 2


def test_page_furniture_changes_are_not_a_new_revision(runner, pages, published):
    article, _ = published
    pages.page("/harbour", page(PARAGRAPHS, ad="Win a cruise! Offer ends soon"))
    result = runner.invoke(args=["articles", "watch"])
    assert f"article {article.id}: unchanged" in result.output
    db.session.rollback()
    assert db.session.get(Article, article.id).revision == 1


def test_only_articles_with_a_published_check_are_fetched(runner, pages, checker):
    url = pages.page("/draft", page(PARAGRAPHS))
    article = create_article(text="\n\n".join(PARAGRAPHS), by=checker, source_url=url, title="Draft")
    add_claim(article, checker, locate(article, quote="cargo volumes rose 12 percent"))
    db.session.commit()
    result = runner.invoke(args=["articles", "watch"])
    assert result.exit_code == 0
    assert pages.hits == [] and "0 article(s) watched" in result.output


def test_unreachable_source_is_reported_and_changes_nothing(runner, pages, published):
    article, _ = published
    del pages.routes["/harbour"]  # now answers 404
    result = runner.invoke(args=["articles", "watch"])
    assert result.exit_code == 0
    assert f"article {article.id}: failed" in result.output and "404" in result.output
    db.session.rollback()
    assert db.session.get(Article, article.id).revision == 1


def test_short_diff_names_removed_and_added_paragraphs_and_stays_short():
    diff = short_diff("A\n\nB\n\nC", "A\n\nB2\n\nC\n\nD")
    assert diff.splitlines() == ["− B", "+ B2", "+ D"]
    assert len(short_diff("x", "y" * 5000)) <= 900
