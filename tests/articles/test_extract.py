"""Article extraction against the web-article fixtures' human-marked bodies (DESIGN.md §5)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask

from factdesk.articles.cli import articles
from factdesk.articles.extract import ExtractionError, extract
from factdesk.articles.score import (cross_validate, desk_metadata, fixtures_dir, fold_of, load_labels, load_pages,
                                     page_figures, score_metadata, score_pages, shingles, trafilatura_metadata)
from factdesk.text import canonicalize

BASE = fixtures_dir() / "web-articles"
# The shared fixtures are part of the contract: when they are missing these tests fail, never skip.


@pytest.fixture(scope="module")
def pages():
    return {name: (html, truth) for name, html, truth in load_pages()}


@pytest.fixture(scope="module")
def truth():
    return json.loads((BASE / "ground-truth.json").read_text(encoding="utf-8"))


def test_scoring_method():
    assert page_figures("a b c d e", "a b c d e") == (1.0, 1.0)
    assert page_figures("", "a b c d") == (0.0, 0.0)
    p, r = page_figures("a b c d x", "a b c d")  # one good shingle of two; the only true one found
    assert (p, r) == (0.5, 1.0)
    assert shingles("one two") == {("one", "two"): 1}


@pytest.mark.parametrize("index", [0, 17, 40, 63, 88])
def test_text_is_close_to_the_marked_body(pages, index):
    name = sorted(pages)[index]
    html, body = pages[name]
    found = extract(html)
    precision, recall = page_figures(found.text, body)
    assert precision >= 0.85 and recall >= 0.85, (name, precision, recall)
    assert found.text == canonicalize(found.text)
    assert "\n\n\n" not in found.text


def test_metadata_of_a_news_page(pages, truth):
    name = next(n for n in sorted(pages) if truth[n]["url"].startswith("https://www.wsj.com/"))
    found = extract(pages[name][0], url=truth[name]["url"])
    assert found.title and "Stadia" in found.title
    assert found.author == "Sarah E. Needleman"
    assert found.publisher
    assert found.published_at == "2019-11-19"
    assert found.url == truth[name]["url"]  # its <link rel=canonical>
    assert found.sources == {"canonical_url": "meta", "title": "json-ld", "author": "json-ld",
                             "publisher": "json-ld", "published_at": "json-ld"}


def _page(pages, truth, host: str, part: str = ""):
    name = next(n for n in sorted(pages) if f"//{host}/" in truth[n]["url"] and part in truth[n]["url"])
    return extract(pages[name][0], url="http://127.0.0.1:8000/page.html"), pages[name][1]


def test_a_fact_check_gets_the_article_date_and_its_authors_not_the_statement_date(pages, truth):
    found, _ = _page(pages, truth, "www.politifact.com", "/statements/")
    assert found.published_at == "2019-11-18"  # the statement quoted on the page was made on 2019-10-13
    assert found.sources["published_at"] == "url"  # /2019/nov/18/ in its canonical address
    assert found.author == "Matthew Digby; Minh Do" and found.sources["author"] == "byline"


def test_the_publisher_is_the_name_the_page_declares_and_embedded_posts_stay(pages, truth):
    found, body = _page(pages, truth, "www.nj.com")
    assert found.publisher != "Nj" and found.sources["publisher"] in ("json-ld", "opengraph")
    # The governor's own words are in an embedded tweet; so are the reactions the story is about.
    assert "Hey Twitter, the whole point of this ad campaign" in found.text
    assert page_figures(found.text, body)[1] >= 0.9


def test_a_declared_canonical_address_must_be_a_web_address():
    page = ("<html><head><title>Story</title><link rel='canonical' href='{}'></head><body><article><h1>Story</h1>"
            + "<p>The council approved the budget of 12 million euros on Monday after a long debate.</p>" * 4
            + "</article></body></html>")
    assert extract(page.format("javascript:alert(1)"), url="https://news.example/a").url == "https://news.example/a"
    assert extract(page.format("/stories/a"),
                   url="https://news.example/a?utm=x").url == "https://news.example/stories/a"


def test_title_drops_the_site_name_suffix(pages, truth):
    for html, _ in pages.values():
        found = extract(html)
        if found.publisher and found.title:
            assert not found.title.endswith(f" - {found.publisher}")
            assert not found.title.endswith(f" | {found.publisher}")


def test_all_pages_beat_the_target_and_plain_trafilatura_in_and_out_of_sample():
    """DESIGN §5: >= 0.97 on the fixtures, >= 0.96 on pages the rules were not chosen on (folds by site)."""
    import trafilatura

    pages = load_pages()
    truth = json.loads((BASE / "ground-truth.json").read_text(encoding="utf-8"))
    plain = score_pages(lambda html: trafilatura.extract(html), pages)
    cv = cross_validate(pages, {name: truth[name]["url"] for name, _, _ in pages})
    assert cv["in_sample"]["f1"] >= 0.97 and cv["in_sample"]["f1"] > plain["f1"] + 0.01, (cv, plain["f1"])
    assert cv["held_out"]["f1"] >= 0.96 and cv["held_out"]["f1"] > plain["f1"], (cv["held_out"], plain["f1"])
    assert all(e["mean_gain"] > 0 for e in cv["effect"].values() if e["kept"]), cv["effect"]
    assert len({fold_of(truth[n]["url"]) for n, _, _ in pages}) == 5


def test_metadata_matches_the_team_labels_better_than_trafilatura_alone():
    pages = load_pages()
    truth = json.loads((BASE / "ground-truth.json").read_text(encoding="utf-8"))
    labels = load_labels()
    assert len(labels) >= 40 and set(labels) <= {n for n, _, _ in pages}
    urls = {name: truth[name]["url"] for name, _, _ in pages}
    before = score_metadata(trafilatura_metadata, pages, labels, urls)
    after = score_metadata(desk_metadata, pages, labels, urls)
    for field in ("title", "authors", "date", "publisher", "canonical_url"):
        gained = sum(after[side][field][0] - before[side][field][0] for side in ("tuned", "held_out"))
        assert gained >= 0, (field, before, after)
    assert after["held_out"]["canonical_url"][0] == after["held_out"]["canonical_url"][1]  # every one right


def test_a_page_without_an_article_is_refused():
    with pytest.raises(ExtractionError):
        extract("<html><head><title>x</title></head><body><nav><a href='/'>Home</a></nav></body></html>")
    with pytest.raises(ExtractionError, match="empty"):
        extract(b"   ")


def test_simple_html_keeps_paragraphs():
    html = (
        "<html><head><title>Council votes – Gazette</title><meta property='og:site_name' content='Gazette'></head>"
        "<body><article><h1>Council votes</h1>"
        + "".join(f"<p>Paragraph {i} says the council voted {i} times on the budget this year, a record.</p>"
                  for i in range(6))
        + "</article></body></html>"
    )
    found = extract(html)
    assert found.title == "Council votes"
    assert found.text.split("\n\n")[0].startswith("Paragraph 0")
    assert len(found.text.split("\n\n")) == 6


# --- the CLI ------------------------------------------------------------------------------------


def _runner():
    app = Flask(__name__)
    app.config["FACTDESK_ALLOW_PRIVATE_FETCH"] = True
    app.cli.add_command(articles)
    return app.test_cli_runner()


def test_cli_extracts_files_and_reports_failures(tmp_path, pages):
    name = sorted(pages)[0]
    gz = BASE / "html" / f"{name}.html.gz"
    txt = tmp_path / "note.txt"
    txt.write_text("First para.\r\n\r\n\r\nSecond para.\n", encoding="utf-8")
    missing = tmp_path / "nope.html"
    result = _runner().invoke(args=["articles", "extract", str(gz), str(txt), str(missing)])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1
    assert [line["source"] for line in lines] == [str(gz), str(txt), str(missing)]
    assert lines[0]["title"] and lines[0]["text"] == extract(pages[name][0]).text
    assert lines[1]["text"] == "First para.\n\nSecond para."
    assert "error" in lines[2] and "text" not in lines[2]


def test_cli_fetches_a_url_from_a_local_server():
    name, page, _ = load_pages()[0]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/story"
        result = _runner().invoke(args=["articles", "extract", url])
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout.splitlines()[0])
    assert record["source"] == url and record["text"] == extract(page).text
    assert "fetching" in result.stderr
