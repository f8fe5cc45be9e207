"""Factdesk: the workflow app of a fact-checking desk."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

from flask import Flask, abort, current_app, has_request_context, jsonify, render_template, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as SessionBase
from werkzeug.exceptions import HTTPException

import config as settings

from . import mail
from .accounts import single_sign_on, throttle
from .access import current_actor, enforce_least_role, is_api_request, public as declare_public
from .errors import DomainError, ValidationError
from .extensions import csrf, db, limiter, login_manager, migrate
from .params import MAX_ID
from .urls import is_web_url
from .web import DeskApp, init_web, security_headers

ROOT = Path(__file__).resolve().parent.parent

def create_app(overrides: dict | None = None) -> Flask:
    app = DeskApp(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    app.config.from_mapping(settings.load(overrides))
    Path(app.instance_path).mkdir(exist_ok=True)

    db.init_app(app)
    app.teardown_request(_end_read_only_transaction)  # before Flask-SQLAlchemy's own teardown closes it
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    # Role checks come before CSRF checks: a reader is sent to log in, not told a token is missing.
    app.before_request(enforce_least_role)
    app.before_request(_ids_in_range)
    app.before_request(_no_nul_in_input)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to open the desk."
    login_manager.session_protection = "strong"
    app.config.setdefault("RATELIMIT_STORAGE_URI", _limiter_storage(app.config["REDIS_URL"]))
    app.config.setdefault("RATELIMIT_STRATEGY", throttle.STRATEGY)
    limiter.init_app(app)
    single_sign_on.init_app(app)
    mail.init_app(app)
    from .public.caching import AnswerRevalidations

    app.wsgi_app = AnswerRevalidations(app, app.wsgi_app)  # inside ProxyFix: it matches the path Flask does
    init_web(app)

    from .accounts.account_views import bp as account_bp
    from .accounts.views import bp as auth_bp
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .desk import bp as desk_bp
    from .public import bp as public_bp

    for blueprint in (public_bp, auth_bp, account_bp, desk_bp, admin_bp, api_bp):
        app.register_blueprint(blueprint)
    declare_public(app.view_functions["static"])
    throttle.refuse_limits_on_readers_pages(app)

    app.after_request(_security_headers)
    _register_error_handlers(app)
    _register_template_helpers(app)

    from .cli import register_commands

    register_commands(app)
    return app


def _ids_in_range():
    """Ids are 32-bit integers in the database: a larger number in a URL names nothing (404), never a
    database overflow (500). Checked after the role check, so a reader still meets 401 or the login."""
    if request.view_args and any(type(v) is int and v > MAX_ID for v in request.view_args.values()):
        abort(404)


def _no_nul_in_input():
    """No text may hold a NUL character (PostgreSQL refuses them in text; nobody types one). In a query
    string it means nothing and is dropped (a search box stays a search box); a form field carrying one
    is refused with 422 naming it, before any view or query runs."""
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        from werkzeug.datastructures import ImmutableMultiDict

        request.args = ImmutableMultiDict([(key.replace("\x00", ""), value.replace("\x00", ""))
                                           for key, value in request.args.items(multi=True)])
    if request.method == "POST" and request.form:
        for name, value in request.form.items(multi=True):
            if "\x00" in value or "\x00" in name:
                field = name.replace("\x00", "")
                raise ValidationError(f"The field {field!r} contains a NUL character; remove it and send it again.",
                                      fields={field: "invalid"})


def _limiter_storage(redis_url: str | None) -> str:
    return redis_url if redis_url else "memory://"


@login_manager.user_loader
def _load_user(user_id: str):
    """The session's person, only while the session's epoch is current (a logout moves it on)."""
    from .notify import person_with_unread

    person, _, epoch = (user_id or "").partition(".")
    try:
        user = person_with_unread(int(person))
        epoch_number = int(epoch)
    except (ValueError, OverflowError):
        return None
    if user is None or (user.session_epoch or 0) != epoch_number:
        return None
    return user


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL lets readers run beside a writer; busy_timeout waits instead of failing with "locked"."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_writes_begin_immediate(connection) -> None:
    """A request that may write (POST, PUT, PATCH, DELETE) takes SQLite's write lock when its
    transaction begins, so what it reads is what it updates: no other writer slips in between (which
    made a version check fail with StaleDataError, a 500) and no read lock has to be upgraded (which
    SQLite refuses with "database is locked" at once, without waiting). Writers queue on busy_timeout
    instead; readers are untouched (WAL). Measured with `flask bench` (50 writers: zero 5xx)."""
    if connection.dialect.name == "sqlite" and has_request_context() \
            and request.method not in ("GET", "HEAD", "OPTIONS"):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@event.listens_for(Engine, "begin")
def _transaction_reads_only(connection) -> None:
    connection.info["factdesk_reads_only"] = True


# A statement that only reads: a SELECT, or a WITH whose text names no writing command (a CTE may
# INSERT, UPDATE, DELETE or MERGE). Erring towards "writes" costs a rollback, never a commit.
_WRITING_WORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def reads_only(statement: str) -> bool:
    head = statement.lstrip()[:6].upper()
    return head == "SELECT" or (head[:4] == "WITH" and not _WRITING_WORD.search(statement))


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(connection, cursor, statement, parameters, context, executemany) -> None:
    if connection is not None and not reads_only(statement):
        connection.info["factdesk_reads_only"] = False


@event.listens_for(SessionBase, "after_begin")
def _remember_connection(session, transaction, connection) -> None:
    session.info.setdefault("factdesk_connections", []).append(connection)


@event.listens_for(SessionBase, "after_transaction_end")
def _forget_connections(session, transaction) -> None:
    if transaction.parent is None:  # the session's transaction ended (a commit inside the request, say)
        session.info.pop("factdesk_connections", None)


def _end_read_only_transaction(exc) -> None:
    """A request that ran only SELECTs ends its transaction with COMMIT, not the session's ROLLBACK.

    Both end a read alike, but psycopg answers a ROLLBACK by deallocating every statement it had
    prepared on the connection: on PostgreSQL no statement stayed prepared from one request to the
    next, and each was planned again on every request (a check's validator: ~1 ms in all, of which
    0.09 ms executing). A request that wrote anything, or failed, still rolls back as before."""
    session = db.session()  # this request's Session (the scoped proxy lacks in_transaction)
    connections = session.info.pop("factdesk_connections", None)
    if exc is None and connections and session.in_transaction() and not (session.new or session.dirty
                                                                          or session.deleted) \
            and all(not c.closed and c.info.get("factdesk_reads_only") for c in connections):
        expire, session.expire_on_commit = session.expire_on_commit, False  # a streamed page still reads them
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire


def _security_headers(response):
    headers = response.headers
    for name, value in security_headers(current_app.config):
        headers.setdefault(name, value)
    if request.endpoint and request.endpoint.startswith(("desk.", "admin.", "auth.", "account.")):
        headers.setdefault("Cache-Control", "no-store")
    return response


def _register_error_handlers(app: Flask) -> None:
    from .api import error_body

    def answer(status: int, code: str, message: str, fields: dict | None = None, headers=None):
        if is_api_request():
            response = jsonify(error_body(code, message, fields))
        else:
            response = app.response_class(
                render_template("errors/error.html", status=status, message=message), mimetype="text/html")
        response.status_code = status
        for key, value in (headers or {}).items():
            response.headers[key] = value
        return response

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return answer(exc.status, exc.code, exc.message, exc.fields)

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return answer(400, "csrf",
                      "The form expired or did not come from this site. Reload the page and send it again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        code, message = HTTP_MESSAGES.get(status, ("error", exc.description or "Something went wrong."))
        headers = {}
        if status == 429:
            message = _throttle_message()
        if status == 413:
            limit = app.config["MAX_UPLOAD_BYTES"]
            message = f"The request is too large: the limit for a file is {limit:,} bytes ({limit / 1048576:g} MB)."
        if status == 405 and getattr(exc, "valid_methods", None):
            headers["Allow"] = ", ".join(exc.valid_methods)
        response = answer(status, code, message, headers=headers)
        if status == 429:
            response.headers.update(_retry_headers())
        return response

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return answer(500, "server_error", "Something went wrong on our side; nothing was saved.")


HTTP_MESSAGES = {
    400: ("bad_request", "The request could not be read."),
    401: ("unauthorized", "Authentication required: send Authorization: Bearer <token>."),
    403: ("forbidden", "Your role does not allow this."),
    404: ("not_found", "Nothing here."),
    405: ("method_not_allowed", "That method is not allowed here."),
    409: ("conflict", "Conflict."),
    413: ("too_large", "The request is too large."),
    422: ("invalid", "A field is invalid."),
    429: ("throttled", "Too many attempts."),
}


def _throttle_message() -> str:
    seconds = _retry_seconds()
    if seconds:
        return f"Too many attempts. Try again in {seconds} seconds."
    return "Too many attempts. Try again in a minute."


def _retry_seconds() -> int | None:
    import math
    import time

    current = limiter.current_limit
    if current is None:
        return None
    return max(1, math.ceil(current.reset_at - time.time()))


def _retry_headers() -> dict:
    seconds = _retry_seconds()
    return {"Retry-After": str(seconds)} if seconds else {}


def _register_template_helpers(app: Flask) -> None:
    from .models import Role
    from .pieces import public_head, rating_badge, stored_link

    # Navigation by role: each entry shows to its role and above.
    nav = [("desk.articles", "Articles", Role.checker), ("desk.monitor", "Monitor", Role.checker),
           ("desk.dashboard", "Dashboard", Role.editor),
           ("desk.notifications", "Notifications", Role.checker), ("admin.ratings", "Ratings", Role.admin),
           ("admin.jobs", "Jobs", Role.admin)]

    @app.context_processor
    def desk_context():
        actor = current_actor() if not is_api_request() else None
        return {"actor": actor, "Role": Role, "desk_name": app.config["DESK_NAME"], "desk_nav": nav}

    app.add_template_filter(html_datetime, "html_datetime")
    app.add_template_test(is_web_url, "web_url")
    for piece in (stored_link, rating_badge, public_head):  # markup every page may show: factdesk/pieces.py
        app.add_template_global(piece)


def html_datetime(value: datetime | date) -> str:
    """A value for `<time datetime>`: HTML allows at most three digits of a second, so whole seconds, in UTC."""
    if not isinstance(value, datetime):
        return value.isoformat()
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)  # the desk stores UTC
    return value.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
