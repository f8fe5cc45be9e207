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
