"""Getting articles in (DESIGN.md §5) with real inputs: the fixture article as pasted text and as a
.txt/.md upload, fixture web pages un-gzipped into an .html upload, and URL imports from a real HTTP
server on 127.0.0.1 — plus every refusal, each with a clear message and no Article stored."""
from __future__ import annotations

import gzip
import io
import ipaddress
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from factdesk.articles import importing
from factdesk.articles.fetch import FetchError, public_only
from factdesk.articles.extract import extract
from factdesk.articles.score import page_figures
from factdesk.extensions import db
from factdesk.models import Article

from tests.conftest import FIXTURES, login, post_form
from tests.support.factories import token_for
from tests.support.pages_server import QuietHandler, serve

SEED = FIXTURES / "articles" / "dprk-munitions-interview.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
WEB = FIXTURES / "web-articles"
TRUTH = json.loads((WEB / "ground-truth.json").read_text(encoding="utf-8"))
PAGES = sorted((WEB / "html").glob("*.html.gz"))[:3]


def _name(path) -> str:
    return path.name[: -len(".html.gz")]


@pytest.fixture
def app_settings():
    # The test server lives on 127.0.0.1: URL imports here need private fetches allowed.
    return {"FACTDESK_ALLOW_PRIVATE_FETCH": True}


def _articles() -> int:
    return db.session.execute(select(func.count(Article.id))).scalar_one()


def _close_to_truth(text: str, name: str) -> None:
    precision, recall = page_figures(text, TRUTH[name]["articleBody"])
    assert precision > 0.85 and recall > 0.85, (name, precision, recall)


# --- a real local web server serving the fixture pages ------------------------------------------

class Pages(QuietHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path.startswith("/news/"):
            # As publishers serve them: gzipped on the wire.
            self._send(200, (WEB / "html" / f"{parts.path[6:]}.html.gz").read_bytes(), Content_Encoding="gzip")
        elif parts.path == "/plain":
            self._send(200, SEED_TEXT.encode("utf-8"), "text/plain; charset=utf-8")
        elif parts.path == "/redirect":
            self._send(302, Location=query["to"][0])
        elif parts.path == "/big":
            self._send(200,
                       b"<html><body>" + b"<p>Padding paragraph of a very long page.</p>" * 5000 + b"</body></html>")
        elif parts.path == "/report.pdf":
            self._send(200, b"%PDF-1.7 not an article", "application/pdf")
        elif parts.path == "/slow":
            time.sleep(3)
            try:
                self._send(200, b"<p>too late</p>")
            except OSError:
                pass  # the desk gave up and closed the connection, as it should
        elif parts.path == "/empty":
            self._send(200, b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
        else:
            self._send(404, b"not here")


@pytest.fixture(scope="module")
def server():
    with serve(Pages) as (url, _port):
        yield url


# --- paste and upload ----------------------------------------------------------------------------

def test_pasted_fixture_article_is_stored_as_canonical_text(client, checker):
    login(client, checker)
    pasted = SEED_TEXT.replace("\n", "\r\n") + "\r\n\r\n\r\n"
    response = post_form(client, "/desk/articles/paste", {"paste-text": pasted, "paste-publisher": "InformedInsights"})
    assert response.status_code == 302
    article = db.session.execute(select(Article)).scalar_one()
    assert article.text == SEED_TEXT.strip() and "’" in article.text
    assert article.title == "InformedInsights"  # a plain text names itself by its first line
    assert article.publisher == "InformedInsights" and article.revision == 1
    assert article.revisions[0].text == article.text and article.created_by_id == checker.id


@pytest.mark.parametrize("filename", ["munitions.txt", "munitions.md"])
def test_uploaded_text_and_markdown_files_are_kept_as_their_text(client, checker, filename):
    login(client, checker)
    response = post_form(client, "/desk/articles/upload",
                         {"upload-file": (io.BytesIO(SEED.read_bytes()), filename), "upload-title": "Munitions"},
                         content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    article = db.session.execute(select(Article)).scalar_one()
    assert article.text == SEED_TEXT.strip() and article.title == "Munitions"
    assert article.source_html is None


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_uploaded_html_page_goes_through_extraction(client, checker, page):
    login(client, checker)
    html = gzip.decompress(page.read_bytes())
    response = post_form(client, "/desk/articles/upload",
                         {"upload-file": (io.BytesIO(html), "page.html"), "upload-author": "Typed Author"},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    article = db.session.execute(select(Article)).scalar_one()
    _close_to_truth(article.text, _name(page))
    assert article.source_html == html
    assert article.author == "Typed Author"  # what the person typed wins over the page
    found = extract(html)
    assert found.title and article.title == found.title  # metadata from the page fills what was left blank


def test_upload_over_the_size_limit_is_refused_with_413(client, checker, app):
    app.config["MAX_UPLOAD_BYTES"] = 4000
    login(client, checker)
    response = post_form(client, "/desk/articles/upload",
                         {"upload-file": (io.BytesIO(SEED.read_bytes()), "munitions.txt")},
                         content_type="multipart/form-data")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "the limit is 4,000 bytes" in page
    assert _articles() == 0


def test_upload_bigger_than_the_whole_request_limit_says_which_limit(client, checker, app):
    app.config["MAX_CONTENT_LENGTH"] = 3000
    login(client, checker)
    response = post_form(client, "/desk/articles/upload",
                         {"upload-file": (io.BytesIO(SEED.read_bytes()), "munitions.txt")},
                         content_type="multipart/form-data")
    assert response.status_code == 413
    assert "the limit for a file is" in response.get_data(as_text=True)
    assert _articles() == 0


@pytest.mark.parametrize("filename, data, says", [
    ("report.pdf", b"%PDF-1.7", "is not a .txt, .md or .html file"),
    ("latin1.txt", "café crème".encode("latin-1"), "is not UTF-8 text"),
    ("nav.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "No article text was found"),
])
def test_unusable_uploads_are_refused_with_a_clear_message(client, checker, filename, data, says):
    login(client, checker)
    response = post_form(client, "/desk/articles/upload", {"upload-file": (io.BytesIO(data), filename),
                                                           "upload-title": "Kept as typed"},
                         content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert says in page
    assert 'value="Kept as typed"' in page
    assert _articles() == 0


def test_paste_with_no_text_comes_back_with_the_fields_as_typed(client, checker):
    login(client, checker)
    response = post_form(client, "/desk/articles/paste", {"paste-text": "  ", "paste-title": "My title",
                                                          "paste-published_at": "2024-03-18"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Paste the article" in page and 'value="My title"' in page and 'value="2024-03-18"' in page
    assert _articles() == 0


# --- URL import through the desk page (streamed progress) ------------------------------------------

@pytest.mark.parametrize("page", PAGES[:2], ids=_name)
def test_url_import_streams_progress_and_stores_the_article_with_its_page(client, checker, server, page):
    login(client, checker)
    url = f"{server}/news/{_name(page)}"
    response = post_form(client, "/desk/articles/import", {"url-url": url})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f"Fetching {url}" in body and "Extracting the article" in body and "Saved as article" in body
    article = db.session.execute(select(Article)).scalar_one()
    assert f'href="/desk/articles/{article.id}"' in body
    # The stored source is the page's own canonical address, not the test server it was fetched from.
    assert article.source_url == TRUTH[_name(page)]["url"] and article.source_url != url
    assert article.source_html == gzip.decompress(page.read_bytes())
    assert "Metadata read from the page: canonical url from meta" in body
    _close_to_truth(article.text, _name(page))
    assert article.title  # from the page's metadata


def test_url_import_metadata_typed_in_the_form_wins(client, checker, server):
    login(client, checker)
    name = _name(PAGES[0])
    response = post_form(client, "/desk/articles/import", {
        "url-url": f"{server}/news/{name}", "url-title": "My title", "url-publisher": "Desk Publisher",
        "url-published_at": "2019-11-19"})
    assert "Imported “My title”" in response.get_data(as_text=True)  # the import runs as the page streams
    article = db.session.execute(select(Article)).scalar_one()
    assert (article.title, article.publisher, str(article.published_at)) == ("My title", "Desk Publisher", "2019-11-19")


def test_url_import_of_plain_text_keeps_it_as_is(client, checker, server):
    login(client, checker)
    assert "Saved as article" in post_form(client, "/desk/articles/import",
                                           {"url-url": f"{server}/plain"}).get_data(as_text=True)
    article = db.session.execute(select(Article)).scalar_one()
    assert article.text == SEED_TEXT.strip() and article.source_html is None


@pytest.mark.parametrize("path, says", [
    ("/big", "more than the limit of 50,000"),
    ("/report.pdf", "application/pdf, not a web page"),
    ("/slow", "took longer than 1 seconds"),
    ("/missing", "answered 404"),
    ("/empty", "No article text was found"),
])
def test_url_import_refusals_show_a_clear_message_and_store_nothing(client, checker, server, app, path, says):
    app.config["MAX_UPLOAD_BYTES"] = 50_000
    app.config["FACTDESK_FETCH_TIMEOUT"] = 1
    login(client, checker)
    response = post_form(client, "/desk/articles/import", {"url-url": f"{server}{path}", "url-title": "Typed"})
    body = response.get_data(as_text=True)
    assert "Nothing was imported" in body and says in body
    assert 'value="Typed"' in body  # the form comes back as typed
    assert _articles() == 0


def test_page_refuses_a_host_that_resolves_to_loopback_when_private_fetch_is_off(client, checker, server, app):
    app.config["FACTDESK_ALLOW_PRIVATE_FETCH"] = False
    login(client, checker)
    port = urlsplit(server).port
    body = post_form(client, "/desk/articles/import",
                     {"url-url": f"http://localhost:{port}/plain"}).get_data(as_text=True)
    assert "Nothing was imported" in body and "is a loopback address" in body
    assert _articles() == 0


def test_api_refuses_a_redirect_to_loopback_when_private_fetch_is_off(client, checker, app):
    app.config["FACTDESK_ALLOW_PRIVATE_FETCH"] = False
    response = client.post("/api/v1/articles", headers=token_for(checker), json={"url": "http://127.0.0.1:9/x"})
    assert response.status_code == 422
    assert "loopback" in response.get_json()["error"]["message"]
    assert _articles() == 0


def test_url_form_without_a_url_answers_422_before_fetching(client, checker):
    login(client, checker)
    response = post_form(client, "/desk/articles/import", {"url-url": "", "url-title": "Typed"})
    assert response.status_code == 422
    assert "Give the article" in response.get_data(as_text=True)


# --- the import service, with the fetcher's address policy injected ---------------------------------

@pytest.mark.parametrize("target, says", [
    ("http://10.1.2.3/inside", "10.1.2.3 is a private address"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://127.0.0.1:{other}/plain", "127.0.0.1 is a loopback address"),
])
def test_a_redirect_to_a_private_address_is_refused(app, checker, server, target, says):
    port = urlsplit(server).port

    def only_the_test_server(ip, p):
        # The test server is allowed (it is on loopback); every other private address is not.
        if ip == ipaddress.ip_address("127.0.0.1") and p == port:
            return None
        return public_only(ip, p)

    target = target.format(other=port + 1 if port < 65535 else port - 1)
    lines: list[str] = []
    with pytest.raises(FetchError) as refused:
        importing.import_url(f"{server}/redirect?to={target}", checker, check_address=only_the_test_server,
                             progress=lines.append)
    assert says in refused.value.message and "reached by a redirect" in refused.value.message
    assert lines == [f"Fetching {server}/redirect?to={target}…"]
    db.session.rollback()
    assert _articles() == 0


# --- the command line ----------------------------------------------------------------------------

def test_cli_imports_a_file_with_progress_on_stderr(runner, checker, tmp_path):
    page = tmp_path / "page.html.gz"
    page.write_bytes(PAGES[0].read_bytes())
    result = runner.invoke(args=["articles", "import", str(page), "--by", checker.email])
    assert result.exit_code == 0, result.output
    assert "Extracting the article" in result.stderr and "Saved as article" in result.stderr
    article = db.session.execute(select(Article)).scalar_one()
    assert result.stdout.strip() == f"Imported article {article.id}: {article.title} (/desk/articles/{article.id})"
    assert article.created_by_id == checker.id
    _close_to_truth(article.text, _name(PAGES[0]))


def test_cli_imports_a_url(runner, server):
    result = runner.invoke(args=["articles", "import", f"{server}/plain", "--title", "Munitions"])
    assert result.exit_code == 0, result.output
    assert f"Fetching {server}/plain" in result.stderr
    article = db.session.execute(select(Article)).scalar_one()
    assert article.title == "Munitions" and article.source_url == f"{server}/plain"


@pytest.mark.parametrize("args, says", [
    (["{server}/report.pdf"], "application/pdf"),
    (["/no/such/file.txt"], "no such file"),
    (["{seed}", "--by", "nobody@desk.test"], "no desk member with e-mail nobody@desk.test"),
    (["{seed}", "--published-at", "March"], "is not a date"),
])
def test_cli_errors_are_one_clear_line_and_nonzero(runner, server, args, says):
    args = [a.format(server=server, seed=SEED) for a in args]
    result = runner.invoke(args=["articles", "import", *args])
    assert result.exit_code != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(lines) == 1 and says in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert _articles() == 0
