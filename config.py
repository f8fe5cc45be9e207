"""Settings, read from the environment (DESIGN.md §11); a `.env` file is read in development."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"


class ConfigError(RuntimeError):
    """A setting that makes the desk unsafe or unable to run; the message says what to set."""


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from exc


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {value!r}") from exc


def _development_key() -> str:
    """The development desk's own secret key, made once (readable by its owner only)."""
    path = INSTANCE / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    INSTANCE.mkdir(parents=True, exist_ok=True)
    key = os.urandom(32).hex()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key)
    return key


def load(overrides: dict | None = None) -> dict:
    """Build the settings mapping for one app; `overrides` (tests) win over the environment."""
    env = (overrides or {}).get("FACTDESK_ENV") or os.environ.get("FACTDESK_ENV", "development")
    if env not in {"development", "testing", "production"}:
        raise ConfigError(f"FACTDESK_ENV must be development, testing or production, got {env!r}")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'factdesk.db'}"
    settings = {
        "FACTDESK_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "FACTDESK_ALLOW_PRIVATE_FETCH": _flag("FACTDESK_ALLOW_PRIVATE_FETCH"),
        # Total seconds a URL fetch (article import, evidence archive, watch) may take.
        "FACTDESK_FETCH_TIMEOUT": _int("FACTDESK_FETCH_TIMEOUT", 10),
        "ALLOW_SELF_APPROVAL": _flag("ALLOW_SELF_APPROVAL"),
        # Monitoring (DESIGN.md §15): seconds between two requests to one host (robots.txt may ask more).
        "MONITOR_HOST_DELAY": _float("MONITOR_HOST_DELAY", 2.0),
        # Limits of DESIGN.md §10.
        "MAX_ARTICLE_CHARS": _int("MAX_ARTICLE_CHARS", 500_000),
        "MAX_UPLOAD_BYTES": _int("MAX_UPLOAD_BYTES", 5 * 1024 * 1024),
        "MAX_QUOTE_CHARS": _int("MAX_QUOTE_CHARS", 2_000),
        "LOGIN_LIMIT": os.environ.get("LOGIN_LIMIT", "10 per minute"),
        "WEB_CONCURRENCY": _int("WEB_CONCURRENCY", 1),
        "FACTDESK_FIXTURES": os.environ.get("FACTDESK_FIXTURES") or str(ROOT.parent / "shared" / "fixtures"),
        "DESK_NAME": os.environ.get("DESK_NAME", "Factdesk"),
        # Two-factor sign-in (DESIGN.md §14): none, editors (editors and admins) or all.
        "REQUIRE_2FA": os.environ.get("REQUIRE_2FA", "none").strip().lower(),
        # Single sign-on over OpenID Connect (DESIGN.md §14); off while OIDC_ISSUER is unset.
        "OIDC_ISSUER": os.environ.get("OIDC_ISSUER") or None,
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID") or None,
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET") or None,
        # Where readers reach the desk: every absolute URL (canonical, og:url, ClaimReview, feed,
        # sitemap, mail) is built from it, never from the request's Host header.
        "PUBLIC_URL": (os.environ.get("PUBLIC_URL") or "").strip() or None,
        # Mail (DESIGN.md §14): smtp://host:25, smtp+starttls://user:pass@host:587, smtps://user:pass@host:465.
        "MAIL_URL": os.environ.get("MAIL_URL") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM") or "Factdesk <factdesk@localhost>",
        # The desk's day for "today" (/desk/monitor), digests and overdue (DESIGN.md §16).
        "DESK_TIMEZONE": os.environ.get("DESK_TIMEZONE", "UTC"),
        # Password-reset requests allowed per address and per account.
        "PASSWORD_RESET_LIMIT": os.environ.get("PASSWORD_RESET_LIMIT", "5 per hour"),
        # Wrong second-factor codes allowed per account before a pause.
        "TWO_FACTOR_LIMIT": os.environ.get("TWO_FACTOR_LIMIT", "5 per minute"),
        # Proxies in front of the desk whose X-Forwarded-For/-Proto/-Host/-Port/-Prefix are believed.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # Readers' pages: seconds a browser (max-age) and a shared cache (s-maxage) may keep them.
        "PUBLIC_MAX_AGE": _int("PUBLIC_MAX_AGE", 60),
        "PUBLIC_S_MAXAGE": _int("PUBLIC_S_MAXAGE", 10),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "JSON_SORT_KEYS": False,
    }
    settings.update(overrides or {})
    # A database server's connection can drop between requests: check it before use. A SQLite file's
    # cannot, and the check was one more statement on every request.
    settings.setdefault("SQLALCHEMY_ENGINE_OPTIONS",
                        {"pool_pre_ping": not settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")})
    env = settings["FACTDESK_ENV"]
    # Uploads are checked against MAX_UPLOAD_BYTES; the whole request may hold a little form data too.
    settings.setdefault("MAX_CONTENT_LENGTH", settings["MAX_UPLOAD_BYTES"] + 64 * 1024)
    secure = env == "production"
    settings.setdefault("SESSION_COOKIE_SECURE", secure)
    settings.setdefault("REMEMBER_COOKIE_SECURE", secure)
    # Werkzeug's scrypt (n=2**15, r=8, p=1) everywhere a person's password is kept. The test suite
    # alone hashes with n=2**10: it makes thousands of accounts and logins, each a full-strength hash
    # costing ~0.13 s of CPU, half of a test's own time. A stored hash names its parameters, so
    # checking one made either way works; not read from the environment, so no desk can lower it.
    settings["PASSWORD_HASH_METHOD"] = "scrypt:1024:8:1" if env == "testing" else "scrypt:32768:8:1"
    if env == "testing":
        settings.setdefault("WTF_CSRF_ENABLED", True)
    if not settings.get("PUBLIC_URL") and env != "production":
        settings["PUBLIC_URL"] = "http://localhost" if env == "testing" else "http://127.0.0.1:5000"
    settings["MAIL_SMTP"] = mail_settings(settings["MAIL_URL"]) if settings.get("MAIL_URL") else {}
    _check(settings)
    return settings


def mail_settings(url: str) -> dict:
    """Flask-Mailman's settings from MAIL_URL; a URL it cannot use stops the desk at start."""
    parts = urlsplit(url)
    schemes = {"smtp": (25, False, False), "smtp+starttls": (587, True, False), "smtps": (465, False, True)}
    if parts.scheme not in schemes or not parts.hostname:
        raise ConfigError(f"MAIL_URL must look like smtp://host:25, smtp+starttls://user:pass@host:587 or "
                          f"smtps://user:pass@host:465, got {parts.scheme or 'no'} scheme")
    port, starttls, ssl = schemes[parts.scheme]
    try:
        port = parts.port or port
    except ValueError as exc:
        raise ConfigError("MAIL_URL has a port that is not a number") from exc
    return {"MAIL_SERVER": parts.hostname, "MAIL_PORT": port, "MAIL_USE_TLS": starttls, "MAIL_USE_SSL": ssl,
            "MAIL_USERNAME": unquote(parts.username) if parts.username else None,
            "MAIL_PASSWORD": unquote(parts.password) if parts.password else None, "MAIL_TIMEOUT": 10}


def _check(settings: dict) -> None:
    if settings["REQUIRE_2FA"] not in {"none", "editors", "all"}:
        raise ConfigError(f"REQUIRE_2FA must be none, editors or all, got {settings['REQUIRE_2FA']!r}")
    try:
        ZoneInfo(settings["DESK_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"DESK_TIMEZONE must be a time zone name such as Europe/Berlin, got "
                          f"{settings['DESK_TIMEZONE']!r}") from exc
    if settings.get("OIDC_ISSUER") and not (settings.get("OIDC_CLIENT_ID") and settings.get("OIDC_CLIENT_SECRET")):
        raise ConfigError("OIDC_ISSUER is set: single sign-on also needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET "
                          "(from the desk's registration at the identity provider)")
    if settings["FACTDESK_ENV"] == "production":
        if not settings.get("SECRET_KEY"):
            raise ConfigError("SECRET_KEY is not set: production needs a long random SECRET_KEY in the environment")
        if not settings.get("PUBLIC_URL"):
            raise ConfigError("PUBLIC_URL is not set: production needs the address readers use, "
                              "e.g. PUBLIC_URL=https://checks.example.org")
        if settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and settings["WEB_CONCURRENCY"] > 1:
            raise ConfigError(
                f"WEB_CONCURRENCY={settings['WEB_CONCURRENCY']} with SQLite: several workers need "
                "DATABASE_URL=postgresql+psycopg://… (or set WEB_CONCURRENCY=1)"
            )
        if settings["WEB_CONCURRENCY"] > 1 and not settings.get("REDIS_URL"):
            # Login and code throttles count in the rate-limit storage: without Redis, each worker's memory.
            raise ConfigError(
                f"WEB_CONCURRENCY={settings['WEB_CONCURRENCY']} without REDIS_URL: several workers need "
                "REDIS_URL=redis://… to share the login throttle (each would count alone), or WEB_CONCURRENCY=1"
            )
        if not settings.get("MAIL_URL"):
            # Invitations, password resets, e-mail changes and notification mail reach people only by mail.
            raise ConfigError("MAIL_URL is not set: production sends invitations, password resets and notifications "
                              "by mail; set MAIL_URL=smtp://host:25 (or smtps://user:pass@host:465)")
    if settings.get("PUBLIC_URL"):
        _check_public_url(settings["PUBLIC_URL"])
    if settings["TRUSTED_PROXIES"] < 0:
        raise ConfigError("TRUSTED_PROXIES is a number of proxy hops (0 or more)")
    if settings["FACTDESK_ENV"] != "production" and not settings.get("SECRET_KEY"):
        # Nobody ships a known secret: tests get a key per process; development one of its own, kept
        # in instance/ so a restart of `make run` keeps everyone logged in.
        development = settings["FACTDESK_ENV"] == "development"
        settings["SECRET_KEY"] = _development_key() if development else os.urandom(32).hex()


def _check_public_url(url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"PUBLIC_URL must be an http(s) address such as https://checks.example.org, got {url!r}")
