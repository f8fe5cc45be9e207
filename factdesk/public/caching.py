"""Web caching for readers' pages (DESIGN.md §9): validators, 304s without rendering, Cache-Control.

A reader's page is cached the way the web caches: it carries an `ETag` (and `Last-Modified`) drawn
from what the page shows, a client or proxy asking again with `If-None-Match` gets a `304` before any
rendering, and `Cache-Control: public, max-age, s-maxage` lets a reverse proxy absorb a crowd.

Each validator is ONE SQL statement over exactly what its page shows, so any change a reader could
see changes the ETag. Readers see publications, frozen copies written once (claims/publishing.py), so
a publication's id stands for all it shows (its rating version and the scale's ends included): a check
page keys on its publications, its withdrawal, the "under review" notice, its public appearances ("also
said by", ClaimReview `appearance`: their count and ids) and its article; the pages that list checks
on the newest publication and withdrawal and the rating scale in force. Weak ETags (`W/"…"`): the same
page compressed or not is the same resource, and Flask-Compress leaves weak ones as they are.

A page is sent `public` only when it is the same for everyone: no logged-in person (their name and
log-out form are in the header), no flash message waiting, no cookie set by the render. Otherwise it
is `private, no-cache`. If-Modified-Since alone is not honoured: a check leaving the public record
changes the validator without making any date newer.

A revalidation a reader's client or a proxy sends (If-None-Match, no cookie, no token) is answered in
front of Flask by `AnswerRevalidations`, a WSGI layer: the validator's statement and a header list.
Through Flask the same 304 also paid for a request context, a session opened and saved, every page's
hooks and a response object, which together cost more than the validator (docs/speed.md).
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from enum import Enum
from datetime import datetime, timezone
from functools import cache, wraps
from pathlib import Path
from typing import Callable

from flask import current_app, make_response, request, session
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_etags, quote_etag
from sqlalchemy import Integer, String, bindparam, cast, create_engine, event, exists, func, select
from sqlalchemy.engine import Engine

from ..access import current_actor
from ..errors import NotFound
from ..extensions import db
from ..models import Appearance, AppearanceState, Article, Claim, Publication, Rating, Withdrawal
from ..params import MAX_ID
from ..web import security_headers
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class Validator:
    etag: str
    moments: tuple[str | None, ...] = ()  # the page's timestamps as its statement read them (text)

    @property
    def last_modified(self) -> datetime | None:
        """The newest of the page's timestamps (naive UTC text, as the desk stores them); a 304
        carries only the ETag (RFC 9110 §15.4.5), so only a page that is sent reads this."""
        present = [datetime.fromisoformat(m).replace(tzinfo=timezone.utc) for m in self.moments if m]
        return max(present) if present else None


def _build() -> str:
    """What identifies this release's pages: the templates' bytes (a new release is a new page)."""
    cached = current_app.extensions.get("factdesk_build")
    if cached is None:
        digest = hashlib.sha1()
        for path in sorted(TEMPLATES.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(TEMPLATES).as_posix().encode())
                digest.update(path.read_bytes())
        cached = current_app.extensions.setdefault("factdesk_build", digest.hexdigest()[:12])
    return cached


def _validator(values, moments: tuple[str | None, ...]) -> Validator:
    text = "\x1f".join("" if v is None else str(v) for v in (_build(), *values))
    return Validator(hashlib.sha1(text.encode()).hexdigest()[:24], moments)


def _text(column):
    """A typed column as the database's own text of it: the validator's values are then the same
    plain strings and integers whichever way its statement runs (raw driver or SQLAlchemy Core)."""
    return cast(column, String)


def _ratings_fingerprint():
    """The rating scale as readers see it, in a few sums: how many ratings and the newest; every edit
    of what a rating shows (its label, name, definition, colour or ordinal makes it a new version,
    ratings.record_version, so the versions' sum grows with each); their order (moving a rating swaps
    two positions, which changes the sums of id × position and id × position²); which are in force.
    A sum of the fields' lengths stood for their contents before, so an edit keeping the length — any
    new colour, a one-letter fix — and every move left the ETag as it was."""
    position = cast(Rating.position, Integer)
    return (select(func.count(Rating.id)).scalar_subquery(), select(func.max(Rating.id)).scalar_subquery(),
            select(func.sum(Rating.version)).scalar_subquery(),
            select(func.sum(Rating.id * position)).scalar_subquery(),
            select(func.sum(Rating.id * position * position)).scalar_subquery(),
            select(func.sum(Rating.id * cast(Rating.active, Integer))).scalar_subquery())


# Each validator's statement is built once: a 304 costs one execution of an already compiled
# statement on the connection, where building and compiling it again took most of the answer's time.

@cache
def check_statement():
    """The check page's validator: its values first in the page's own statement too (reading.py)."""
    claim_id = bindparam("claim_id", type_=Integer)
    mine = Publication.claim_id == Claim.id
    publications = (select(func.count(Publication.id)).where(mine).scalar_subquery(),
                    select(func.max(Publication.id)).where(mine).scalar_subquery())
    withdrawal = select(func.max(Withdrawal.id)).where(Withdrawal.claim_id == Claim.id).scalar_subquery()
    said_again = (Appearance.claim_id == Claim.id, Appearance.state == AppearanceState.public)
    appearances = (select(func.count(Appearance.id)).where(*said_again).scalar_subquery(),
                   select(func.sum(Appearance.id)).where(*said_again).scalar_subquery())
    return (select(publications[0].label("publications"), _text(Claim.status), _text(Claim.under_review_since),
                   _text(Claim.published_at), Article.revision, _text(Article.updated_at), Article.title,
                   Article.source_url, publications[1], withdrawal, appearances[0].label("appearances"), appearances[1])
            .join(Article, Article.id == Claim.article_id).where(Claim.id == claim_id))


@cache
def _article_statement():
    article_id = bindparam("article_id", type_=Integer)
    checked = (Claim.article_id == article_id, exists().where(Publication.claim_id == Claim.id))
    return select(Article.revision, _text(Article.updated_at), Article.title,
                  select(func.count(Claim.id)).where(*checked).scalar_subquery(),
                  select(func.sum(Claim.version)).where(*checked).scalar_subquery(),
                  _text(select(func.max(Claim.updated_at)).where(*checked).scalar_subquery()),
                  select(func.max(Publication.id)).join(Claim, Claim.id == Publication.claim_id)
                  .where(Claim.article_id == article_id).scalar_subquery(),
                  select(func.max(Withdrawal.id)).join(Claim, Claim.id == Withdrawal.claim_id)
                  .where(Claim.article_id == article_id).scalar_subquery()).where(Article.id == article_id)


def _public_record():
    # Publications and withdrawals are append-only, and only they change which checks readers see
    # and what those show: the newest of each names the public record (each a walk to one index end).
    return (select(func.max(Publication.id)).scalar_subquery(),
            _text(select(func.max(Publication.published_at)).scalar_subquery()),
            select(func.max(Withdrawal.id)).scalar_subquery(),
            _text(select(func.max(Withdrawal.withdrawn_at)).scalar_subquery()))


@cache
def _desk_statement():
    return select(*_public_record(), *_ratings_fingerprint())


@cache
def _home_statement():
    # The desk validator's values first, then the scale's names for the home's rating filter.
    from ..ratings import scale_names_column

    return _desk_statement().add_columns(scale_names_column())


@cache
def _claimreviews_statement():
    # The listing's checks, and where else they were said (ClaimReview itemReviewed.appearance): an
    # appearance made public or taken back changes the count or the sum of ids (ix_appearances_state).
    said_again = Appearance.state == AppearanceState.public
    return select(*_public_record(), *_ratings_fingerprint(),
                  select(func.count(Appearance.id)).where(said_again).scalar_subquery(),
                  select(func.sum(Appearance.id)).where(said_again).scalar_subquery())


def _compiled(statement) -> tuple[str, dict, tuple[str, ...] | None, dict]:
    """A validator statement as the driver's SQL text, compiled once per app: the text, its fixed
    parameters (an enum as the value it is stored as), when the driver takes parameters by
    position (SQLite's `?`) their order, and the parameters given by the caller, each with the
    conversion its type makes for this driver (None when it makes none: a timestamp is the text
    SQLite stores, an aware one made naive UTC as models.UTCDateTime stores it)."""
    compiled = current_app.extensions.setdefault("factdesk_validator_sql", {})
    if id(statement) not in compiled:
        sql = statement.compile(dialect=db.engine.dialect)
        text, rendered = sql.string, set()
        for bind in sql.literal_execute_params:  # a fixed value the dialect writes into the SQL (a separator)
            name = sql.bind_names[bind]
            text = text.replace(f"__[POSTCOMPILE_{name}]", sql.render_literal_value(bind.value, bind.type))
            rendered.add(name)
        fixed = {name: bind.value.value if isinstance(bind.value, Enum) else bind.value
                 for name, bind in sql.binds.items() if not bind.required and name not in rendered}
        order = tuple(name for name in sql.positiontup if name not in rendered) if sql.positional else None
        given = {name: bind.type.dialect_impl(sql.dialect).bind_processor(sql.dialect)
                 for name, bind in sql.binds.items() if bind.required and name not in rendered}
        compiled[id(statement)] = (text, fixed, order, given)
    return compiled[id(statement)]


_VALIDATOR_ENGINE = "factdesk_validator_engine"
_validator_engine_made = threading.Lock()


def _validator_engine() -> Engine:
    """The engine validators run on: the app's own on SQLite; on a database server, a second pool
    of autocommit connections to the same database that are not pinged before use.

    The app's pool checks every connection it hands out with a round trip (`pool_pre_ping`: a
    server's connection can drop between requests); for a 304, whose whole work is one statement,
    that ping was a second round trip. A validator's statement only reads, so instead of pinging
    first it is sent again once on a fresh connection when the one it ran on turns out to be dead
    (`_one_row`). Autocommit, as the pre-ping itself runs: no BEGIN or COMMIT round trips, and no
    ROLLBACK, on which psycopg would deallocate the statements it prepared (each validator stays
    prepared on its connection). Disposed with the app's engine."""
    engine = db.engine
    if engine.dialect.name == "sqlite":  # a file: nothing to ping (config.py), no round trip to save
        return engine
    made = current_app.extensions.get(_VALIDATOR_ENGINE)
    if made is not None and made[0] is engine:
        return made[1]
    with _validator_engine_made:
        made = current_app.extensions.get(_VALIDATOR_ENGINE)
        if made is None or made[0] is not engine:
            options = {**current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), "pool_pre_ping": False,
                       "isolation_level": "AUTOCOMMIT"}
            validators = create_engine(engine.url, **options)
            event.listen(engine, "engine_disposed", lambda _: validators.dispose())
            made = current_app.extensions[_VALIDATOR_ENGINE] = (engine, validators)
    return made[1]


def _one_row(statement, **params) -> tuple | None:
    """One row of a prebuilt validator statement, run on a pooled driver connection.

    A 304 needs one indexed lookup; through the ORM session it also paid for a session, a
    transaction, a SQLAlchemy connection, the statement's cache key and result processing, most of
    its time beside a route that touches no database. Its values are ints and text (`_text`). The
    app engine's `before_cursor_execute` listeners still hear of it (with no SQLAlchemy connection),
    so the statement counters of the bench and the tests count it. On a database server the
    connection is not pinged first (`_validator_engine`): if it turns out to be dead, the statement
    runs again, once, on a fresh one."""
    return _on_driver(statement, params, lambda cursor: cursor.fetchone())


def driver_rows(statement, **params) -> list[tuple]:
    """Every row of a prebuilt statement that only reads, run as `_one_row` runs a validator (a
    pooled driver connection, no ORM session, the SQL compiled once per app), for a readers' page
    whose statements are all of this kind (the home): the values are the driver's own — on SQLite a
    timestamp is its stored text (`driver_time` reads it) — so only plain columns belong here."""
    return _on_driver(statement, params, lambda cursor: cursor.fetchall())


def typed_rows(statement, **params) -> list[tuple]:
    """Every row of a prebuilt statement that only reads, on a driver connection as `driver_rows`,
    each value converted by its column type's own result processor (an aware UTC time, a date, a
    state, parsed JSON: what the ORM session would hand back), for a read whose columns are typed
    (desk search's hits). No session, transaction or statement cache key: the search's own work."""
    processors = _result_processors(statement)
    return [tuple(value if convert is None else convert(value) for convert, value in zip(processors, row))
            for row in _on_driver(statement, params, lambda cursor: cursor.fetchall())]


def _result_processors(statement) -> list:
    made = current_app.extensions.setdefault("factdesk_result_processors", {})
    if id(statement) not in made:
        dialect = db.engine.dialect
        made[id(statement)] = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                               for column in statement.selected_columns]
    return made[id(statement)]


def driver_time(value) -> datetime:
    """A timestamp column read by `driver_rows`, as models.UTCDateTime hands it back (aware, UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _on_driver(statement, params: dict, fetch):
    sql, fixed, order, given = _compiled(statement)
    values = dict(fixed)
    for name, convert in given.items():
        values[name] = params[name] if convert is None else convert(params[name])
    arguments = tuple(values[name] for name in order) if order is not None else values
    engine, dispatch = _validator_engine(), db.engine.dispatch
    for attempt in (1, 2):
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            dispatch.before_cursor_execute(None, cursor, sql, arguments, None, False)
            cursor.execute(sql, arguments)
            rows = fetch(cursor)
            cursor.close()
            return rows
        except engine.dialect.loaded_dbapi.Error as exc:
            if attempt == 2 or not engine.dialect.is_disconnect(exc, connection.dbapi_connection, None):
                raise
            # The server closed it (a restart, an idle timeout): so it may have closed its pool-mates.
            connection.invalidate(exc)
            engine.dispose()
        finally:
            connection.close()  # back to the pool (an invalidated one is discarded)
    raise AssertionError("unreachable")


def check_validator(claim_id: int, **_) -> Validator:
    """A public check's page: its publications (each frozen, so their count and newest id say what it
    shows), its withdrawal, the "under review" notice, its public appearances and its article's title
    and address. NotFound when it was never published (a withdrawn one is the view's 410)."""
    return check_validator_of(claim_id, _one_row(check_statement(), claim_id=claim_id))


def check_validator_of(claim_id: int, row) -> Validator:
    """The check page's validator from a row that starts with `check_statement()`'s values."""
    if row is None or not row[0]:
        raise NotFound("Nothing here.")
    values = tuple(row[:len(check_statement().selected_columns)])
    return _validator((claim_id, *values), (values[2], values[3], values[5]))


def article_validator(article_id: int, **_) -> Validator:
    """A public article page: the article, its checked claims (where they sit in the text now) and
    their newest publication and withdrawal."""
    row = _one_row(_article_statement(), article_id=article_id)
    if row is None or not row[3]:
        raise NotFound("Nothing here.")
    return _validator((article_id, *row), (row[1], row[5]))


def desk_validator(**_) -> Validator:
    """Pages that list checks (home, feed, sitemap, corrections, ratings): the newest
    publication and withdrawal, and the rating scale in force (/ratings, the filters)."""
    row = _one_row(_desk_statement())
    return _validator(tuple(row), (row[1], row[3]))


def home_page(**_) -> tuple[Validator, list]:
    """The public home's first view: the desk validator (the same ETag as `desk_validator`) and the
    rating scale's names, in one statement."""
    from ..ratings import read_scale_names

    row = _one_row(_home_statement())
    values = tuple(row[:len(_desk_statement().selected_columns)])
    return _validator(values, (values[1], values[3])), read_scale_names(row[-1])


def claimreviews_validator(**_) -> Validator:
    """The public ClaimReview API: what the listings key on, and the public appearances."""
    row = _one_row(_claimreviews_statement())
    return _validator(tuple(row), (row[1], row[3]))


def _shared_with_everyone() -> bool:
    return current_actor() is None and not session.get("_flashes")


def _cache_control(shared: bool) -> str:
    if not shared:
        return "private, no-cache"
    config = current_app.config
    return f"public, max-age={config['PUBLIC_MAX_AGE']}, s-maxage={config['PUBLIC_S_MAXAGE']}"


def readers_page(validator: Callable[..., Validator], page: Callable[..., tuple[Validator, object]] | None = None
                 ) -> Callable:
    """Answer a reader's page with its validator: a 304 before rendering when the client has it,
    otherwise the page with ETag, Last-Modified and Cache-Control. `validator` takes the view's
    arguments and raises NotFound for what readers cannot see.

    `page`, when given, loads what the page shows and its validator in one statement: a first view
    (no matching If-None-Match) then runs that alone, and the view gets its data as `loaded`."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if request.method not in ("GET", "HEAD") or not _shared_with_everyone():
                response = make_response(view(*args, **kwargs))
                if response.status_code == 200:
                    response.headers["Cache-Control"] = _cache_control(False)
                    response.vary.add("Cookie")
                return response
            asked = request.if_none_match
            if asked or page is None:
                current = validator(*args, **kwargs)
                if asked.contains_weak(current.etag):  # weak comparison, as RFC 9110 asks for GET
                    return current_app.response_class(status=304, headers=_not_modified(current))
            if page is not None:
                current, kwargs["loaded"] = page(*args, **kwargs)
            session_was_modified = session.modified
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200:
                return response
            if session.modified != session_was_modified:  # the render set a cookie: not for everyone
                response.headers["Cache-Control"] = _cache_control(False)
                response.vary.add("Cookie")
                return response
            response.set_etag(current.etag, weak=True)
            if current.last_modified is not None:
                response.last_modified = current.last_modified
            response.headers["Cache-Control"] = _cache_control(True)
            response.vary.add("Cookie")
            return response

        wrapper.readers_validator = validator  # what AnswerRevalidations asks before Flask runs
        return wrapper

    return decorate


def _not_modified(current: Validator) -> list[tuple[str, str]]:
    """A shared 304's own headers: only the ETag of the page's validators, and the Vary its page would
    carry (the page is compressed for clients that accept it: web.py)."""
    return [("ETag", quote_etag(current.etag, weak=True)), ("Cache-Control", _cache_control(True)),
            ("Vary", "Cookie, Accept-Encoding")]


class AnswerRevalidations:
    """WSGI layer in front of the app: a reader's revalidation that can only be a shared 304 is
    answered here, by the page's validator, before Flask's request machinery runs.

    Only a GET or HEAD with If-None-Match and no cookie (a person or a flash message may be in one),
    no Authorization header and no query string, for a readers' page, qualifies. Everything else — and
    a qualifying request whose ETag no longer matches, or for what readers cannot see — goes on to
    Flask, which answers exactly as it would without this layer. The 304 carries the headers Flask's
    would: ETag, Cache-Control, Vary and every answer's security headers."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self._validators: dict[str, Callable[..., Validator]] | None = None

    def __call__(self, environ, start_response):
        if (environ.get("HTTP_IF_NONE_MATCH") and environ["REQUEST_METHOD"] in ("GET", "HEAD")
                and "HTTP_COOKIE" not in environ and "HTTP_AUTHORIZATION" not in environ
                and not environ.get("QUERY_STRING")):
            headers = self._not_modified_headers(environ)
            if headers is not None:
                start_response("304 NOT MODIFIED", headers)
                return []
        return self.wsgi_app(environ, start_response)

    def _not_modified_headers(self, environ) -> list[tuple[str, str]] | None:
        app = self.app
        if self._validators is None:
            self._validators = {endpoint: view.readers_validator for endpoint, view in app.view_functions.items()
                                if hasattr(view, "readers_validator")}
        try:  # as Flask matches (create_url_adapter, without subdomain or host matching)
            endpoint, args = app.url_map.bind_to_environ(
                environ, server_name=app.config["SERVER_NAME"], subdomain=app.url_map.default_subdomain or ""
            ).match()
        except HTTPException:  # no such page, or a redirect to its canonical address: Flask answers
            return None
        validator = self._validators.get(endpoint)
        if validator is None or any(type(v) is int and v > MAX_ID for v in args.values()):
            return None
        with app.app_context():
            try:
                current = validator(**args)
            except NotFound:
                return None
            except Exception:  # noqa: BLE001 - logged, and Flask answers the request (its error page)
                app.logger.exception("revalidation of %s failed before Flask; Flask answers it", environ["PATH_INFO"])
                return None
            if not parse_etags(environ["HTTP_IF_NONE_MATCH"]).contains_weak(current.etag):
                return None
            return _not_modified(current) + security_headers(app.config)
