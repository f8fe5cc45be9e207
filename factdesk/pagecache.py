"""A whole-page cache for the pages crowds and desks reload most (DESIGN.md §9).

A cached page is served again only while the desk's data is exactly as it was when the page was
rendered, so nobody ever sees a page older than the last change:
- On SQLite a dedicated, read-only connection asks `PRAGMA data_version`, which changes whenever any
  other connection — this process's pool, another gunicorn thread, a CLI command — commits. It costs
  microseconds and no disk read.
- With REDIS_URL set, every commit in any worker increments a shared counter that the cache reads.
- Otherwise (PostgreSQL without Redis, possibly several workers) only this process's own commits
  can be seen: readers' pages are then kept until this process commits or PAGE_CACHE_PUBLIC_TTL
  seconds pass (they say "public, max-age=60" to proxies anyway), and a person's desk pages are not
  cached at all.

Every entry also expires after a few seconds (PAGE_CACHE_TTL), so a page's relative dates ("3 min
ago", overdue markers) stay true. Keys: the endpoint and full URL, plus, for a logged-in person, their
id and session CSRF secret (the page embeds their name and form tokens). The least-role check runs
before the view as always, so a cached page is only ever served to someone allowed to see it. Not
cached: anything but a 200 to GET/HEAD, a request with flash messages pending, a render that changed
the session (it will set a cookie). PAGE_CACHE=False turns it off (the benchmark's cold figures).
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import OrderedDict
from functools import wraps
from typing import Callable

from flask import current_app, has_request_context, make_response, request, session
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

MAX_ENTRIES = 512
MAX_BODY = 2 * 1024 * 1024
DEFAULT_TTL = 30.0
DEFAULT_PUBLIC_TTL = 10.0
REDIS_KEY = "factdesk:desk-generation"

_lock = threading.Lock()
_local_commits = 0  # commits made by this process (covers what data_version cannot: same connection)


@event.listens_for(Session, "after_commit")
def _count_commit(session) -> None:
    global _local_commits
    _local_commits += 1
    try:
        redis = _redis() if current_app else None
    except RuntimeError:  # no app context: a script's own session
        redis = None
    if redis is not None:
        try:
            redis.incr(REDIS_KEY)
        except Exception:  # the cache must never break a commit; a missed bump only expires by TTL
            current_app.logger.warning("page cache: could not bump the shared generation")


class _Store:
    """Entries of one app (per process), least recently used dropped first."""

    def __init__(self) -> None:
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()
        self.sqlite: sqlite3.Connection | None = None
        self.sqlite_lock = threading.Lock()
        self.pid = None
        self.sqlite_path: str | None = None
        self.people: dict = {}
        self.wal_index = None

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key, entry) -> None:
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > MAX_ENTRIES:
                self.entries.popitem(last=False)


def _store() -> _Store:
    store = current_app.extensions.get("factdesk_pagecache")
    if store is None:
        with _lock:
            store = current_app.extensions.setdefault("factdesk_pagecache", _Store())
    return store


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("factdesk_pagecache_redis")
    if client is None:
        import redis

        client = current_app.extensions.setdefault("factdesk_pagecache_redis", redis.Redis.from_url(url))
    return client


def generation() -> tuple | None:
    """What identifies the desk's data right now, or None when changes elsewhere cannot be seen.

    Asked once per request (the person's row and the page both use it) unless this process has
    committed since: a request that writes sees its own change."""
    environ = request.environ if has_request_context() else {}
    memo = environ.get("factdesk.generation")
    if memo is not None and memo[0] == _local_commits:
        return memo[1]
    current = _generation()
    environ["factdesk.generation"] = (_local_commits, current)
    return current


def _generation() -> tuple | None:
    redis = _redis()
    if redis is not None:
        try:
            return ("redis", redis.get(REDIS_KEY), _local_commits)
        except Exception:
            return None
    store = _store()
    if store.sqlite_path is None:
        engine = db.engine
        exact = engine.dialect.name == "sqlite" and engine.url.database and engine.url.database != ":memory:"
        store.sqlite_path = engine.url.database if exact else ""
    if not store.sqlite_path:
        return None
    pid = os.getpid()
    if store.pid == pid and store.wal_index is not None:
        # The WAL index header changes with every commit (its change counter, last frame, salts and
        # checksums); reading it is a memory read, while a PRAGMA releases the GIL and, with several
        # threads busy, waits its turn to get it back.
        return ("sqlite-wal", store.wal_index[8:48], _local_commits)
    with store.sqlite_lock:
        if store.sqlite is None or store.pid != pid:  # a forked worker opens its own
            store.sqlite = sqlite3.connect(f"file:{store.sqlite_path}?mode=ro", uri=True, check_same_thread=False)
            store.pid = pid
            store.wal_index = None
        version = store.sqlite.execute("PRAGMA data_version").fetchone()[0]
        if store.wal_index is None:
            store.wal_index = _map_wal_index(store.sqlite, store.sqlite_path)
    return ("sqlite", version, _local_commits)


def _map_wal_index(connection: sqlite3.Connection, path: str):
    """The first bytes of the database's `-shm` file (SQLite's WAL index, documented in its file
    format), mapped read-only; None unless the database is in WAL mode. This connection stays open,
    so SQLite never deletes the file while it is mapped."""
    import mmap

    try:
        if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            return None
        with open(f"{path}-shm", "rb") as shm:
            return mmap.mmap(shm.fileno(), 48, access=mmap.ACCESS_READ)
    except (OSError, ValueError, sqlite3.Error):
        return None


def _enabled() -> bool:
    return current_app.config.get("PAGE_CACHE", True) and request.method in ("GET", "HEAD") \
        and not session.get("_flashes")


def cached_page(*, person: bool = False) -> Callable:
    """Serve the view's 200 answer again while the desk is unchanged (see the module docstring).

    `person=True` marks a desk page that shows the logged-in person's own view; readers' pages
    (person=False) are shared by every anonymous reader."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not _enabled():
                return view(*args, **kwargs)
            from .access import current_actor

            actor = current_actor()
            current = generation()
            exact = current is not None
            if person and not exact:
                return view(*args, **kwargs)
            if current is None:  # this process's own commits still count; others' wait out the TTL
                current = ("local", _local_commits)
            who = None if actor is None else (actor.id, session.get("csrf_token"))
            environ = request.environ
            key = (request.endpoint, environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), who)
            store = _store()
            now = time.monotonic()
            entry = store.get(key)
            if entry is not None and entry[0] == current and now < entry[1]:
                status, headers, body = entry[2:]
                return current_app.response_class(body, status=status, headers=headers.copy())
            was_modified = session.modified
            response = make_response(view(*args, **kwargs))
            if (response.status_code == 200 and not response.direct_passthrough and response.is_sequence
                    and (session.modified == was_modified) and "Set-Cookie" not in response.headers):
                body = response.get_data()
                if len(body) <= MAX_BODY:
                    config = current_app.config
                    ttl = config.get("PAGE_CACHE_TTL", DEFAULT_TTL) if exact else \
                        config.get("PAGE_CACHE_PUBLIC_TTL", DEFAULT_PUBLIC_TTL)
                    store.put(key, (current, now + ttl, response.status_code, response.headers.copy(), body))
            return response

        return wrapper

    return decorate


def load_person(user_id: int):
    """The User with this id for the session's login, without a query while the desk is unchanged.

    Every desk request starts by loading its person; with an exact generation (see above) the row
    read last time is still the row, so it is rebuilt from the values kept then and attached to this
    request's session without SQL: a deactivation, a role change or a logout
    elsewhere is a commit, which changes the generation, so it is seen at once."""
    from sqlalchemy.orm import make_transient_to_detached
    from sqlalchemy.orm.util import identity_key

    from .models import User

    if not current_app.config.get("PAGE_CACHE", True):
        return db.session.get(User, user_id)
    current = generation()
    store = _store()
    entry = store.people.get(user_id) if current is not None else None
    if entry is not None and entry[0] == current:
        present = db.session.identity_map.get(identity_key(User, user_id))
        if present is not None:
            return present
        user = User(**entry[1])
        make_transient_to_detached(user)
        db.session.add(user)  # as if loaded by this session: persistent, unmodified, no SQL
        return user
    user = db.session.get(User, user_id)
    if user is not None and current is not None:
        store.people[user_id] = (current, {attr.key: getattr(user, attr.key) for attr in User.__mapper__.column_attrs})
    return user
