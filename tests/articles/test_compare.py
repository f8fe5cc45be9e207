"""Comparing two revisions of an article: paragraphs matched, words marked, on the desk's page and on
the page that refuses a stale edit."""
from __future__ import annotations

import re

import pytest

from factdesk.articles.compare import ADDED, CHANGED, REMOVED, SAME, compare_texts
from factdesk.articles.revise import revise_article
from factdesk.extensions import db
from factdesk.models import Article

from tests.conftest import login, post_form

OLD = ("The port handled 1.2 million containers in 2023.\n\n"
       "Officials said the figure was a record.\n\n"
       "The minister repeated the claim on Tuesday.\n\n"
       "Unchanged closing line one.\n\nUnchanged closing line two.\n\nUnchanged closing line three.")
NEW = ("The port handled 1.4 million containers in 2023.\n\n"
       "The minister repeated the claim on Tuesday.\n\n"
       "Unchanged closing line one.\n\nUnchanged closing line two.\n\nUnchanged closing line three.\n\n"
       "A correction was appended later.")


def _kinds(comparison):
    return [(p.kind, p.old_number, p.new_number) for p in comparison.paragraphs]


def test_paragraphs_are_matched_and_words_marked_inside_an_edited_one():
    c = compare_texts(OLD, NEW)
    assert _kinds(c) == [(CHANGED, 1, 1), (REMOVED, 2, None), (SAME, 3, 2), (SAME, 4, 3), (SAME, 5, 4),
                         (SAME, 6, 5), (ADDED, None, 6)]
    edited = c.paragraphs[0].pieces
    assert [(p.kind, p.text) for p in edited] == [
        (SAME, "The port handled "), (REMOVED, "1.2"), (ADDED, "1.4"), (SAME, " million containers in 2023.")]
    assert c.summary() == "1 paragraph changed, 1 paragraph added, 1 paragraph removed."
    # each side is given back whole by its own pieces
    old = "\n\n".join("".join(x.text for x in p.pieces if x.kind != ADDED) for p in c.paragraphs if p.kind != ADDED)
    new = "\n\n".join("".join(x.text for x in p.pieces if x.kind != REMOVED) for p in c.paragraphs if p.kind != REMOVED)
    assert (old, new) == (OLD, NEW)


def test_words_replaced_in_a_row_read_as_one_change_not_as_changes_around_kept_spaces():
    compared = compare_texts("rose by three per cent last year", "rose by nearly five points last year")
    pieces = compared.paragraphs[0].pieces
    assert [(p.kind, p.text) for p in pieces] == [
        (SAME, "rose by "), (REMOVED, "three per cent"), (ADDED, "nearly five points"), (SAME, " last year")]


def test_an_edited_paragraph_is_paired_with_itself_past_a_removed_one():
    c = compare_texts("Gone entirely, nothing shared.\n\nThe council spent 4 million on roads.",
                      "The council spent 5 million on roads.")
    assert _kinds(c) == [(REMOVED, 1, None), (CHANGED, 2, 1)]


def test_unchanged_paragraphs_far_from_a_change_fold_away():
    c = compare_texts(OLD, NEW)
    assert [(folded, [p.new_number for p in run]) for folded, run in c.runs()] == [
        (False, [1, None, 2]), (True, [3, 4]), (False, [5, 6])]
    one_apart = compare_texts("a\n\nb\n\nc\n\nd", "A\n\nb\n\nc\n\nD")  # one paragraph is not folded alone
    assert [(folded, len(run)) for folded, run in one_apart.runs()] == [(False, 4)]
    assert compare_texts(OLD, OLD).identical and compare_texts(OLD, OLD).summary() == "The two texts are the same."


@pytest.fixture
def revised(checker):
    article = Article(title="Port figures", text=OLD, revision=1, created_by=checker)
    from factdesk.models import ArticleRevision

    article.revisions.append(ArticleRevision(number=1, text=OLD, created_by=checker))
    db.session.add(article)
    db.session.flush()
    revise_article(article, NEW, checker, "publisher corrected the figure")
    revise_article(article, NEW + "\n\nA third revision.", checker)
    db.session.commit()
    return article


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_the_compare_page_shows_the_latest_change_by_default_and_any_two_revisions(client, checker, revised):
    login(client, checker)
    page = client.get(f"/desk/articles/{revised.id}/compare")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Revision 2 → revision 3" in html and "1 paragraph added." in html
    assert "<ins><span class=\"visually-hidden\">[added: </span>A third revision." in html

    html = client.get(f"/desk/articles/{revised.id}/compare?from=1&to=2").get_data(as_text=True)
    assert "publisher corrected the figure" in html
    assert "<del><span class=\"visually-hidden\">[removed: </span>1.2<" in html
    assert "<ins><span class=\"visually-hidden\">[added: </span>1.4<" in html
    assert "Removed: paragraph 2 of revision 1" in _text(html)
    assert "2 unchanged paragraphs (3–4)" in _text(html)
    revisions = client.get(f"/desk/articles/{revised.id}/revisions").get_data(as_text=True)
    assert f'href="/desk/articles/{revised.id}/compare?from=1&amp;to=2"' in revisions
    assert f'href="/desk/articles/{revised.id}/compare?from=1&amp;to=3"' in revisions


@pytest.mark.parametrize("query, status, message", [
    ("from=3&to=1", 422, "Compare an earlier revision with a later one"),
    ("from=1&to=9", 404, "This article has no revision 9; its revisions are 1 to 3."),
    ("from=one&to=2", 422, "from must be a whole number, not &#39;one&#39;."),
    ("from=1&to=99999999999999", 422, "to must be between 1 and 2,147,483,647."),
])
def test_a_wrong_pair_of_revisions_comes_back_with_the_form_as_typed(client, checker, revised, query, status, message):
    login(client, checker)
    response = client.get(f"/desk/articles/{revised.id}/compare?{query}")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert message in html
    for value in re.findall(r"=([^&]+)", query):
        assert f'value="{value}"' in html


def test_a_stale_edit_shows_what_changed_meanwhile_with_its_paragraphs(client, checker, revised):
    login(client, checker)
    mine = OLD.replace("a record", "the highest ever")
    response = post_form(client, f"/desk/articles/{revised.id}/revise", {"text": mine, "base_revision": "1"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "What changed meanwhile: revision 1 → 3" in html
    assert "<del><span class=\"visually-hidden\">[removed: </span>1.2<" in html
    assert "Your text compared with the current one (revision 3)" in html
    assert f">\n{mine}</textarea>" in html.replace("\r\n", "\n")  # WTForms opens a textarea with a line break
    # the current text keeps its paragraphs (a pre-wrap block of the canonical text, blank lines and all)
    current = re.search(r'<div class="article-text current-text">(.*?)</div>', html, re.S).group(1)
    assert current == NEW + "\n\nA third revision."
    assert db.session.get(Article, revised.id).revision == 3
