"""Settings: the development desk keeps its own secret key across restarts; tests get a fresh one."""
from __future__ import annotations

import stat

import config


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
