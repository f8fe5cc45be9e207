"""`flask articles …`: try extraction on files and URLs without touching the desk (DESIGN.md §8)."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import click
from flask import current_app, has_app_context
from flask.cli import AppGroup

from factdesk.articles.extract import ExtractionError, extract
from factdesk.articles.fetch import FetchError, fetch
from factdesk.articles.watch import watch_command
from factdesk.text import canonicalize

articles = AppGroup("articles", help="Import and inspect articles.")

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _allow_private() -> bool:
    return bool(has_app_context() and current_app.config.get("FACTDESK_ALLOW_PRIVATE_FETCH", False))


def extract_source(source: str) -> dict:
    """What an import would store from one file or URL, as the JSON line the command prints."""
    if _is_url(source):
        click.echo(f"fetching {source}…", err=True)
        page = fetch(source, allow_private=_allow_private())
        if page.content_type == "text/plain":
            return _record(source, None, canonicalize(page.text))
        found = extract(page.body, url=page.url)
        return _record(source, found, found.text)

    path = Path(source)
    if not path.is_file():
        raise click.ClickException(f"no such file: {source}")
    name = path.name.lower()
    if name.endswith(".gz"):
        data = gzip.decompress(path.read_bytes())
        name = name[:-3]
    else:
        data = path.read_bytes()
    if name.endswith(TEXT_SUFFIXES):
        return _record(source, None, canonicalize(data.decode("utf-8", errors="replace")))
    if name.endswith(HTML_SUFFIXES):
        found = extract(data)
        return _record(source, found, found.text)
    raise click.ClickException(f"{source}: expected a .html, .html.gz, .txt or .md file, or an http(s) URL")


def _record(source: str, found, text: str) -> dict:
    return {
        "source": source,
        "title": getattr(found, "title", None),
        "author": getattr(found, "author", None),
        "publisher": getattr(found, "publisher", None),
        "published_at": getattr(found, "published_at", None),
        "canonical_url": getattr(found, "url", None),
        "metadata_sources": getattr(found, "sources", {}),  # field -> json-ld, opengraph, meta, byline, url, …
        "text": text,
    }


@articles.command("extract")
@click.argument("sources", nargs=-1, required=True, metavar="FILE|URL...")
def extract_command(sources: tuple[str, ...]) -> None:
    """Print the article each FILE or URL would import as, one JSON object a line; writes nothing."""
    failed = 0
    for source in sources:
        try:
            record = extract_source(source)
        except (FetchError, ExtractionError) as exc:
            record = {"source": source, "error": exc.message}
        except click.ClickException as exc:
            record = {"source": source, "error": exc.format_message()}
        except (OSError, gzip.BadGzipFile, EOFError) as exc:
            record = {"source": source, "error": f"could not read {source}: {exc}"}
        if "error" in record:
            failed += 1
            click.echo(f"error: {source}: {record['error']}", err=True)
        click.echo(json.dumps(record, ensure_ascii=False))
    if failed:
        raise SystemExit(1)


@articles.command("import")
@click.argument("source", metavar="URL|FILE")
@click.option("--by", "by_email", metavar="EMAIL", help="The desk member the article is recorded as added by.")
@click.option("--title", help="Title (else the page's, or the text's first line).")
@click.option("--publisher", help="Publisher (else the page's).")
@click.option("--author", help="Author(s) (else the page's).")
@click.option("--published-at", "published_at", metavar="YYYY-MM-DD", help="Publication date (else the page's).")
@click.option("--source-url", "source_url", help="Where the article was published (a URL import uses the URL).")
def import_command(source: str, by_email: str | None, title: str | None, publisher: str | None,
                   author: str | None, published_at: str | None, source_url: str | None) -> None:
    """Import an article from a URL or a .txt/.md/.html(.gz) file: the same import as the desk's form.

    Progress goes to stderr; the new article's id and desk path go to stdout.
    """
    from factdesk.accounts.users import find_by_email
    from factdesk.articles import importing
    from factdesk.errors import DomainError
    from factdesk.extensions import db

    def progress(line: str) -> None:
        click.echo(line, err=True)

    by = None
    if by_email:
        by = find_by_email(by_email)
        if by is None:
            raise click.ClickException(f"no desk member with e-mail {by_email}")
    try:
        meta = importing.ArticleMeta(title=title, source_url=source_url, publisher=publisher, author=author,
                                     published_at=importing.parse_date(published_at))
        if _is_url(source):
            article = importing.import_url(source, by, meta, progress=progress)
        else:
            path = Path(source)
            if not path.is_file():
                raise click.ClickException(f"no such file: {source}")
            limit = current_app.config["MAX_UPLOAD_BYTES"]
            if path.stat().st_size > limit:
                raise click.ClickException(
                    f"{source} is {path.stat().st_size:,} bytes; the limit is {limit:,} bytes")
            article = importing.import_file(path.name, path.read_bytes(), by, meta, progress=progress)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(f"{source}: {exc.message}") from None
    except OSError as exc:
        db.session.rollback()
        raise click.ClickException(f"could not read {source}: {exc.strerror or exc}") from None
    db.session.commit()
    click.echo(f"Imported article {article.id}: {article.title} (/desk/articles/{article.id})")


articles.add_command(watch_command)  # `flask articles watch`
