"""The shipped nginx configuration (deploy/nginx/factdesk.conf) in front of gunicorn (DESIGN.md §9, §10):
a crowd on a check page is served by nginx (counted in gunicorn's access log) while a new publication
becomes visible within the configured seconds; a forged Host never reaches what another reader is
served; a logged-in person passes through to their own page."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from factdesk.claims import workflow
from tests.support.addresses import path_of
from tests.support.factories import ArticleFactory, ClaimFactory, to_state
from tests.support.live import ROOT, browser_login, desk_server, free_port

from tests.support.factories import PASSWORD

pytestmark = pytest.mark.slow

SHIPPED = ROOT / "deploy" / "nginx" / "factdesk.conf"
PUBLIC = "https://checks.example.org"
S_MAXAGE = 2


@contextmanager
def nginx(upstream_port: int, workdir: Path):
    """Debian's nginx running the shipped site file, with only its three SET values filled in."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(binary):
        pytest.fail("nginx is not installed: `make test` installs Debian's (apt-get install nginx)")
    port = free_port()
    cache = workdir / "cache"
    cache.mkdir()
    site = SHIPPED.read_text()
    for marked, value in ((r"server 127\.0\.0\.1:\d+;  # SET[^\n]*", f"server 127.0.0.1:{upstream_port};"),
                          (r"listen 127\.0\.0\.1:\d+;  # SET[^\n]*", f"listen 127.0.0.1:{port};"),
                          (r"/var/cache/nginx/factdesk", str(cache))):
        site, found = re.subn(marked, value, site)
        assert found == 1, f"the shipped configuration lost its SET value {marked!r}"
    (workdir / "factdesk.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    (workdir / "nginx.conf").write_text(
        f"{user}worker_processes 1;\nerror_log {workdir}/error.log warn;\npid {workdir}/nginx.pid;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n  access_log {workdir}/access.log;\n  client_body_temp_path {workdir}/body;\n"
        f"  proxy_temp_path {workdir}/proxy;\n  fastcgi_temp_path {workdir}/fastcgi;\n"
        f"  uwsgi_temp_path {workdir}/uwsgi;\n  scgi_temp_path {workdir}/scgi;\n"
        f"  include {workdir}/factdesk.conf;\n}}\n")
    checked = subprocess.run([binary, "-t", "-p", str(workdir), "-c", str(workdir / "nginx.conf")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([binary, "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield base
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def trees(app, checker, editor):
    story = ArticleFactory(by=checker, title="Mayor boasts of greener city",
                           text="The mayor said the city planted 40,000 trees last year.")
    return to_state(ClaimFactory(article=story, by=checker, quote="the city planted 40,000 trees last year",
                                 summary="The city planted 40,000 trees."), "published", checker, editor)


@pytest.fixture
def served(app, tmp_path):
    """gunicorn (access log on) behind the shipped nginx; yields (nginx base, gunicorn base, access log)."""
    access = tmp_path / "gunicorn-access.log"
    env = {"PUBLIC_URL": PUBLIC, "TRUSTED_PROXIES": "1", "PUBLIC_S_MAXAGE": str(S_MAXAGE)}
    with desk_server(app.config["SQLALCHEMY_DATABASE_URI"], log=tmp_path / "gunicorn.log", access_log=access,
                     extra_env=env, threads=4) as (upstream, _):
        (tmp_path / "nginx").mkdir()
        with nginx(int(upstream.rsplit(":", 1)[1]), tmp_path / "nginx") as base:
            yield base, upstream, access


def _reached_gunicorn(access: Path, path: str, at_least: int = 0) -> int:
    """Requests for path in gunicorn's access log. gunicorn writes a line after the response has gone out,
    so a count read right after a response may miss it: with at_least, wait (up to 10 s) for the log to
    catch up before counting, so a shortfall is a request nginx answered itself, not a slow log write."""
    deadline = time.monotonic() + 10
    while True:
        reached = sum(1 for line in access.read_text().splitlines() if f"GET {path} " in line)
        if reached >= at_least or time.monotonic() > deadline:
            return reached
        time.sleep(0.05)


def test_a_crowd_is_served_by_nginx_while_a_correction_shows_within_s_maxage(app, served, trees, checker, editor):
    base, _, access = served
    path = path_of(app, trees)
    first = requests.get(base + path, timeout=10)
    assert first.status_code == 200 and "False" in first.text
    assert first.headers["Cache-Control"] == f"public, max-age=60, s-maxage={S_MAXAGE}"

    seen: list[tuple[float, int, bool]] = []
    stop = threading.Event()

    def reader():
        with requests.Session() as session:
            while not stop.is_set():
                response = session.get(base + path, timeout=10)
                seen.append((time.monotonic(), response.status_code, "Mostly false" in response.text))

    crowd = [threading.Thread(target=reader) for _ in range(8)]
    for t in crowd:
        t.start()
    time.sleep(1.0)
    # A correction, in one transaction: reopened and published again with another rating.
    workflow.transition(trees, "researching", editor, "The parks department sent new figures.")
    to_state(trees, "published", checker, editor, rating="mostly-false", rationale="New figures: 30,000 trees.")
    published_at = time.monotonic()
    deadline = published_at + S_MAXAGE + 3
    while time.monotonic() < deadline and not any(t > published_at and new for t, _, new in seen):
        time.sleep(0.1)
    time.sleep(1.0)
    stop.set()
    for t in crowd:
        t.join(10)

    assert len(seen) >= 200, len(seen)
    assert all(status == 200 for _, status, _ in seen)
    visible = [t for t, _, new in seen if new]
    assert visible and visible[0] - published_at <= S_MAXAGE + 2, "the correction did not show within s-maxage"
    assert all(new for t, _, new in seen if t > visible[0] + 1), "a reader got the old verdict after the new one"
    reached = _reached_gunicorn(access, path)
    print(f"crowd: {len(seen)} requests, {reached} reached gunicorn, new verdict after {visible[0] - published_at:.2f} "
          f"s")
    assert reached <= 12, f"{reached} of {len(seen)} requests reached gunicorn"


def test_a_forged_host_never_reaches_another_reader_through_nginx(app, served, trees):
    base, _, _ = served
    path = path_of(app, trees)
    for forged in ({"Host": "evil.example"}, {"X-Forwarded-Host": "evil.example"},
                   {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "gopher"}):
        poisoned = requests.get(base + path, headers=forged, timeout=10)
        assert "evil.example" not in poisoned.text and "gopher" not in poisoned.text
        for url in (path, "/", "/feed.atom", "/sitemap.xml", "/api/v1/public/claimreviews"):
            honest = requests.get(base + url, timeout=10)
            assert honest.status_code == 200, url
            assert "evil.example" not in honest.text and "gopher" not in honest.text, url
            assert PUBLIC in honest.text, url
    assert f'<link rel="canonical" href="{PUBLIC}{path}">' in requests.get(base + path, timeout=10).text


def test_a_logged_in_person_passes_through_to_their_own_page_and_never_into_the_cache(app, served, trees, checker):
    base, _, access = served
    path = path_of(app, trees)
    assert requests.get(base + path, timeout=10).headers["X-Cache-Status"] in ("MISS", "EXPIRED", "HIT")
    with requests.Session() as person:
        assert browser_login(person, base, checker.email, PASSWORD).status_code == 302
        before = _reached_gunicorn(access, path, at_least=1)
        for _ in range(3):
            mine = person.get(base + path, timeout=10)
            assert checker.name in mine.text and mine.headers["X-Cache-Status"] == "BYPASS"
            assert mine.headers["Cache-Control"] == "private, no-cache"
        assert _reached_gunicorn(access, path, at_least=before + 3) == before + 3
        desk = person.get(base + "/desk", timeout=10)
        assert desk.status_code == 200 and checker.name in desk.text
    anonymous = requests.get(base + path, timeout=10)
    assert checker.name not in anonymous.text and "Log out" not in anonymous.text
    assert requests.get(base + "/desk", timeout=10, allow_redirects=False).status_code == 302
