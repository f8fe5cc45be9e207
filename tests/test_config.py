"""Settings: the development desk keeps its own secret key across restarts; tests get a fresh one;
production refuses what cannot work."""
from __future__ import annotations

import os
import stat
import subprocess

import pytest

import config
from factdesk.extensions import db

from tests.support.live import BIN, ROOT, free_port


def test_development_key_is_made_once_in_instance_and_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "INSTANCE", tmp_path / "instance")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.load({"FACTDESK_ENV": "development"})["SECRET_KEY"]
    again = config.load({"FACTDESK_ENV": "development"})["SECRET_KEY"]
    path = tmp_path / "instance" / "secret_key"
    assert first == again == path.read_text() and len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_testing_gets_a_key_per_process_and_an_explicit_key_wins(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "INSTANCE", tmp_path / "instance")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    testing = {"FACTDESK_ENV": "testing"}
    assert config.load(testing)["SECRET_KEY"] != config.load(testing)["SECRET_KEY"]
    assert not (tmp_path / "instance" / "secret_key").exists()
    monkeypatch.setenv("SECRET_KEY", "given-by-the-operator")
    assert config.load({"FACTDESK_ENV": "development"})["SECRET_KEY"] == "given-by-the-operator"


PRODUCTION = {"FACTDESK_ENV": "production", "SECRET_KEY": "s" * 40, "PUBLIC_URL": "https://checks.example.org",
              "DATABASE_URL": "postgresql+psycopg://desk@127.0.0.1:1/desk", "MAIL_URL": "smtp://mail.desk.test:25"}


def _production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "WEB_CONCURRENCY")}
    return {**env, **PRODUCTION, **extra}


def test_production_refuses_several_workers_without_redis(monkeypatch):
    """Throttle counts without Redis live in one process's memory: several workers would each count alone."""
    for key, value in _production_env(WEB_CONCURRENCY="3").items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(config.ConfigError, match="REDIS_URL"):
        config.load()
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert config.load()["WEB_CONCURRENCY"] == 3
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    monkeypatch.delenv("REDIS_URL")
    assert config.load()["REDIS_URL"] is None  # one worker counts for everyone


def test_gunicorn_with_several_workers_and_no_redis_stops_before_serving():
    """However the workers are given (here `--workers 2`, WEB_CONCURRENCY unset), gunicorn.conf.py hands
    the real number to the start-up check, which stops gunicorn with one clear line."""
    result = subprocess.run([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{free_port()}", "wsgi:app"],
                            cwd=ROOT, env=_production_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "factdesk: WEB_CONCURRENCY=2 without REDIS_URL" in result.stderr, result.stderr[-2000:]
    assert "Booting worker" not in result.stderr


def test_connections_to_a_database_server_are_checked_before_use_a_sqlite_files_are_not(app):
    server = config.load({"FACTDESK_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://h/db"})
    assert server["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
    sqlite = config.load({"FACTDESK_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"})
    assert sqlite["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": False}
    with app.app_context():
        assert db.engine.pool._pre_ping == (db.engine.dialect.name != "sqlite")


def test_a_desk_keeps_passwords_with_full_strength_scrypt_and_the_cheap_suite_hash_still_logs_in(
        tmp_path, monkeypatch, app, client, editor):
    """Only the test suite hashes cheaply; what a desk stores is Werkzeug's full-strength scrypt, and
    no environment variable can lower it."""
    monkeypatch.setenv("PASSWORD_HASH_METHOD", "plain")
    monkeypatch.setattr(config, "INSTANCE", tmp_path / "instance")
    for env in ("development", "production"):
        with monkeypatch.context() as patch:
            for name, value in PRODUCTION.items():
                patch.setenv(name, value)
            patch.setenv("FACTDESK_ENV", env)
            assert config.load({"FACTDESK_ENV": env})["PASSWORD_HASH_METHOD"] == "scrypt:32768:8:1"
    assert editor.password_hash.startswith("scrypt:1024:8:1$")
    from tests.conftest import login

    assert login(client, editor).get("/desk").status_code == 200


def test_a_gunicorn_worker_freezes_what_start_up_made_out_of_the_collectors_sight():
    """gunicorn.conf.py's post_worker_init: objects alive once the app is loaded are never walked again
    by a full collection."""
    import gc
    import runpy

    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        hooks["post_worker_init"](None)
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
