"""Writers on the bench desk (DESIGN.md §9), through the API as clients would write.

- `BackgroundWrites`: the busy desk. During the whole run a thread edits claims' wording and adds
  comments at `--writes-per-second` (default 5), each edit sending the version it just read, so every
  page measured is a first view just after somebody else changed something.
- `run_writers`: the `concurrent_writers` row. 50 clients (threads, each its own keep-alive connection
  and API token; checkers and a few editors) work for 30 s on one pool of claims, each on at most ten
  of them, so they collide for real: mixed reads (the claim, the queue) and edits. An edit is a PATCH
  carrying the version the client just read; a 409 (someone edited first) is the right answer, after
  which the client reads again. `verify_writers` then reads the database: every accepted edit is in
  the claim's history, no two accepted edits answered the same version, each claim's wording is its
  last accepted edit (by version), every accepted comment is a row and the comment counters agree.
  Failures: any 5xx, any answer mentioning "database is locked", a broken connection, an accepted
  write not found. At least 30 % of attempted edits must be accepted (a desk that refuses most edits
  is not "concurrent").
"""
from __future__ import annotations

import json
import random
import secrets
import threading
import time
from http.client import HTTPConnection

from sqlalchemy import func, select

from ..extensions import db
from ..models import Claim, ClaimHistory, Comment, Role, Status
from .client import HOST

CLAIMS_PER_WRITER = 10
POOL = 100
BACKGROUND_POOL = 200


def _pool(size: int, *, skip: int = 0) -> list[int]:
    """Unassigned new claims (any checker may edit them), the lowest ids after `skip`."""
    return list(db.session.execute(
        select(Claim.id).where(Claim.status == Status.new, Claim.assignee_id.is_(None))
        .order_by(Claim.id).offset(skip).limit(size)).scalars())


def _tokens(count: int, label: str) -> list[dict]:
    from ..accounts.tokens import issue_token
    from ..accounts.users import create_user, find_by_email

    people = []
    for n in range(min(count, 20)):
        role = Role.editor if n % 5 == 4 else Role.checker
        email = f"bench-writer-{n}@factdesk.test"
        people.append(find_by_email(email) or create_user(email, f"Bench Writer {n}", role, secrets.token_urlsafe(16)))
    db.session.flush()
    specs = []
    for n in range(count):
        user = people[n % len(people)]
        _, raw = issue_token(user, f"bench {label} {n}")
        specs.append({"token": raw, "user_id": user.id})
    return specs


def prepare_writers(writers: int) -> dict:
    """Tokens for the concurrent writers and the background writer, and their (separate) pools."""
    claims = _pool(POOL)
    before = {claim_id: db.session.execute(select(func.count(Comment.id)).where(Comment.claim_id == claim_id))
              .scalar_one() for claim_id in claims}
    return {"writers": _tokens(writers, "writer"), "claims": claims, "before": before,
            "background": {"token": _tokens(1, "background")[0]["token"], "claims": _pool(BACKGROUND_POOL, skip=POOL)}}


class _Client:
    """One API client on its own keep-alive connection; counts what the server answered."""

    def __init__(self, port: int, token: str, out: dict, lock: threading.Lock) -> None:
        self.port, self.token, self.out, self.lock = port, token, out, lock
        self.conn: HTTPConnection | None = None

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict | None]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                   "User-Agent": "factdesk-bench-writer"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = HTTPConnection(HOST, self.port, timeout=120)
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                break
            except (OSError, ConnectionError) as exc:
                self.close()
                if attempt == 1:
                    with self.lock:
                        self.out["transport_errors"] += 1
                        self.out["details"].append(f"{method} {path}: {type(exc).__name__}")
                    return 0, None
        status, text = response.status, raw.decode("utf-8", "replace")
        with self.lock:
            self.out["requests"] += 1
            self.out["statuses"][str(status)] = self.out["statuses"].get(str(status), 0) + 1
            if status >= 500:
                self.out["server_errors"] += 1
                self.out["details"].append(f"{status} on {method} {path}: {text[:200]}")
            if "database is locked" in text:
                self.out["locked"] += 1
        try:
            return status, (json.loads(text) if text else None)
        except ValueError:
            return status, None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def _tally() -> dict:
    return {"requests": 0, "statuses": {}, "server_errors": 0, "locked": 0, "transport_errors": 0,
            "attempted_edits": 0, "conflicts": 0, "edits": [], "comments": [], "details": []}


class _Writer(threading.Thread):
    def __init__(self, port: int, index: int, spec: dict, claims: list[int], until: float, out: dict, lock) -> None:
        super().__init__(daemon=True)
        self.index, self.claims, self.until, self.out, self.lock = index, claims, until, out, lock
        self.client = _Client(port, spec["token"], out, lock)
        self.rng = random.Random(1000 + index)

    def run(self) -> None:
        step = 0
        while time.monotonic() < self.until:
            step += 1
            claim_id = self.rng.choice(self.claims)
            roll = self.rng.random()
            if roll < 0.2:
                self.client.request("GET", f"/api/v1/claims?status=new&per_page=20&page={self.rng.randint(1, 20)}")
            elif roll < 0.35:
                body_text = f"Writer {self.index} note {step} {secrets.token_hex(4)}"
                status, body = self.client.request("POST", f"/api/v1/claims/{claim_id}/comments", {"body": body_text})
                if 200 <= status < 300:
                    with self.lock:
                        self.out["comments"].append({"claim": claim_id, "body": body_text})
            else:
                status, body = self.client.request("GET", f"/api/v1/claims/{claim_id}")
                if status != 200 or not isinstance(body, dict):
                    continue
                summary = f"Edited by writer {self.index}, step {step}, {secrets.token_hex(4)}"
                status, body = self.client.request("PATCH", f"/api/v1/claims/{claim_id}",
                                                   {"version": body["version"], "summary": summary})
                with self.lock:
                    self.out["attempted_edits"] += 1
                    if 200 <= status < 300 and isinstance(body, dict):
                        self.out["edits"].append({"claim": claim_id, "version": body.get("version"),
                                                  "summary": summary})
                    elif status == 409:
                        self.out["conflicts"] += 1
        self.client.close()


def run_writers(port: int, plan: dict, *, seconds: float) -> dict:
    """All writers at once for `seconds`; what the server answered and which writes it accepted."""
    out = _tally()
    if not plan["claims"]:
        out["details"].append("no unassigned new claims to work on")
        out["writers"] = 0
        return out
    lock = threading.Lock()
    rng = random.Random(7)
    until = time.monotonic() + seconds
    threads = [_Writer(port, i, spec, rng.sample(plan["claims"], min(CLAIMS_PER_WRITER, len(plan["claims"]))),
                       until, out, lock) for i, spec in enumerate(plan["writers"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 300)
    out["details"] = out["details"][:20]
    out["writers"] = len(threads)
    out["seconds"] = seconds
    return out


def verify_writers(plan: dict, result: dict) -> dict:
    """Read the database: is every accepted write there? Returns counts and the number lost."""
    lost = []
    ids = plan["claims"]
    claims = {c.id: c for c in db.session.execute(select(Claim).where(Claim.id.in_(ids))).scalars()} if ids else {}
    for comment in result["comments"]:
        if db.session.execute(select(Comment.id).where(Comment.claim_id == comment["claim"],
                                                       Comment.body == comment["body"])).first() is None:
            lost.append(f"comment on claim {comment['claim']} missing")
    for claim_id, claim in claims.items():
        rows = db.session.execute(select(func.count(Comment.id)).where(Comment.claim_id == claim_id)).scalar_one()
        accepted = sum(1 for c in result["comments"] if c["claim"] == claim_id)
        if rows != plan["before"][claim_id] + accepted:
            lost.append(f"claim {claim_id}: {rows} comments, expected {plan['before'][claim_id] + accepted}")
        if claim.comment_count != rows:
            lost.append(f"claim {claim_id}: comment counter {claim.comment_count} but {rows} comments")
    in_history: dict[int, set] = {}
    for claim_id, after in (db.session.execute(select(ClaimHistory.claim_id, ClaimHistory.after).where(
            ClaimHistory.claim_id.in_(ids), ClaimHistory.field == "summary")) if ids else []):
        in_history.setdefault(claim_id, set()).add(after if isinstance(after, str) else json.dumps(after))
    last: dict[int, dict] = {}
    versions: set[tuple[int, int]] = set()
    for edit in result["edits"]:
        if edit["summary"] not in in_history.get(edit["claim"], set()):
            lost.append(f"edit of claim {edit['claim']} to version {edit['version']} not in the history")
        if (edit["claim"], edit["version"]) in versions:  # two accepted edits made one version: one is lost
            lost.append(f"claim {edit['claim']}: two accepted edits both answered version {edit['version']}")
        versions.add((edit["claim"], edit["version"]))
        if edit["claim"] not in last or (edit["version"] or 0) > (last[edit["claim"]]["version"] or 0):
            last[edit["claim"]] = edit
    for claim_id, edit in last.items():
        if claims[claim_id].summary != edit["summary"]:
            lost.append(f"claim {claim_id}: wording is not its last accepted edit (version {edit['version']})")
    return {"lost": len(lost), "problems": lost[:20],
            "accepted": {"edits": len(result["edits"]), "comments": len(result["comments"])}}


class BackgroundWrites(threading.Thread):
    """Edits and comments at a steady rate while the pages are measured (the busy desk)."""

    def __init__(self, port: int, plan: dict, per_second: float) -> None:
        super().__init__(daemon=True)
        self.claims, self.interval = plan["background"]["claims"], 1.0 / per_second if per_second > 0 else None
        self.out, self.lock = _tally(), threading.Lock()
        self.client = _Client(port, plan["background"]["token"], self.out, self.lock)
        self.stopping = threading.Event()
        self.rng = random.Random(99)
        self.started_at = self.stopped_at = None

    def run(self) -> None:
        if not self.interval or not self.claims:
            return
        self.started_at = time.monotonic()
        next_at = self.started_at
        step = 0
        while not self.stopping.is_set():
            step += 1
            claim_id = self.rng.choice(self.claims)
            if step % 3:
                status, body = self.client.request("GET", f"/api/v1/claims/{claim_id}")
                if status == 200 and isinstance(body, dict):
                    status, _ = self.client.request("PATCH", f"/api/v1/claims/{claim_id}", {
                        "version": body["version"], "summary": f"Background edit {step} {secrets.token_hex(4)}"})
                    with self.lock:
                        self.out["attempted_edits"] += 1
                        self.out["edits"].append(status)
            else:
                status, _ = self.client.request("POST", f"/api/v1/claims/{claim_id}/comments",
                                                {"body": f"Background note {step}"})
                with self.lock:
                    self.out["comments"].append(status)
            next_at += self.interval
            self.stopping.wait(max(0.0, next_at - time.monotonic()))
        self.stopped_at = time.monotonic()
        self.client.close()

    def stop(self) -> dict:
        self.stopping.set()
        self.join(timeout=60)
        seconds = (self.stopped_at or time.monotonic()) - (self.started_at or time.monotonic())
        commits = sum(1 for s in self.out["edits"] + self.out["comments"] if 200 <= s < 300)
        return {"seconds": round(seconds, 1), "commits": commits,
                "commits_per_second": round(commits / seconds, 2) if seconds > 0 else 0.0,
                "server_errors": self.out["server_errors"], "locked": self.out["locked"],
                "statuses": self.out["statuses"], "details": self.out["details"][:10]}
