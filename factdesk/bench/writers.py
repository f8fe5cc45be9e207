"""Concurrent writers on SQLite (DESIGN.md §9): many API clients, mixed reads and writes, no lost update.

Each writer is a thread with its own keep-alive connection and its own API token (checkers and a few
editors), working on one shared pool of claims so they really collide. A writer sends a fixed number
of requests, each one of:
- GET /api/v1/claims/{id} (and remembers the version it saw),
- PATCH /api/v1/claims/{id} with that version and a new, unique summary — a 409 on a stale version
  is the right answer, not an error: the writer re-reads the claim and retries with the new version,
- POST /api/v1/claims/{id}/comments with a unique body,
- POST /api/v1/claims/{id}/transition between `new` and `researching` (a checker takes an
  unassigned claim, its assignee or an editor hands it back) — a 409/422 when someone else moved it
  first is again a right answer.

Afterwards `verify_writers` reads the database: every comment that got a 201 is there and each
claim's comment counter equals its rows; each claim's summary is the one of its last accepted edit
(by version) and every accepted edit and move is in the history. Failures counted: any 5xx, any
answer mentioning "database is locked", broken connections, and every accepted write not found.
"""
from __future__ import annotations

import json
import random
import secrets
import threading
from http.client import HTTPConnection

from sqlalchemy import func, select

from ..extensions import db
from ..models import Claim, ClaimHistory, Comment, Role, Status

HOST = "127.0.0.1"
POOL = 24


def prepare_writers(writers: int) -> dict:
    """Bench people with tokens (one per writer; a fifth are editors) and the pool of claims."""
    from ..accounts.tokens import issue_token
    from ..accounts.users import create_user, find_by_email

    people = []
    for n in range(min(writers, 20)):
        role = Role.editor if n % 5 == 4 else Role.checker
        email = f"bench-writer-{n}@factdesk.test"
        user = find_by_email(email) or create_user(email, f"Bench Writer {n}", role, secrets.token_urlsafe(16))
        people.append(user)
    db.session.flush()
    plan_writers = []
    for n in range(writers):
        user = people[n % len(people)]
        _, raw = issue_token(user, f"bench writer {n}")
        plan_writers.append({"token": raw, "user_id": user.id, "role": user.role.value})
    claims = db.session.execute(
        select(Claim).where(Claim.status == Status.new, Claim.assignee_id.is_(None)).order_by(Claim.id).limit(POOL)
    ).scalars().all()
    before = {}
    for claim in claims:
        before[claim.id] = {
            "comments": db.session.execute(select(func.count(Comment.id)).where(Comment.claim_id == claim.id)).scalar_one(),
            "transitions": db.session.execute(select(func.count(ClaimHistory.id)).where(
                ClaimHistory.claim_id == claim.id, ClaimHistory.action == "transition")).scalar_one(),
        }
    return {"writers": plan_writers, "claims": [c.id for c in claims], "before": before}


class _Writer(threading.Thread):
    def __init__(self, port: int, index: int, spec: dict, claims: list[int], count: int, out: dict, lock) -> None:
        super().__init__(daemon=True)
        self.port, self.index, self.spec, self.claims, self.count = port, index, spec, claims, count
        self.out, self.lock = out, lock
        self.rng = random.Random(1000 + index)
        self.versions: dict[int, int] = {}
        self.conn: HTTPConnection | None = None

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict | None]:
        headers = {"Authorization": f"Bearer {self.spec['token']}", "Accept": "application/json",
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
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 1:
                    self.note("transport_errors", 1, detail=f"{method} {path}: {type(exc).__name__}")
                    return 0, None
        status = response.status
        text = raw.decode("utf-8", "replace")
        with self.lock:
            self.out["requests"] += 1
            self.out["statuses"][str(status)] = self.out["statuses"].get(str(status), 0) + 1
            if status >= 500:
                self.out["server_errors"] += 1
                self.out["details"].append(f"{status} on {method} {path}: {text[:200]}")
            if "database is locked" in text:
                self.out["locked"] += 1
            if status in (404, 405):
                # The pool's claims exist, so a 404 or 405 here means the route itself is missing.
                self.out["missing_endpoints"].add(f"{method} {_route(path)}")
        try:
            payload = json.loads(text) if text else None
        except ValueError:
            payload = None
        return status, payload

    def note(self, key: str, n: int, detail: str | None = None) -> None:
        with self.lock:
            self.out[key] += n
            if detail:
                self.out["details"].append(detail)

    def read(self, claim_id: int) -> dict | None:
        status, body = self.request("GET", f"/api/v1/claims/{claim_id}")
        if status == 200 and isinstance(body, dict) and "version" in body:
            self.versions[claim_id] = body["version"]
            return body
        return None

    def run(self) -> None:
        sent = 0
        while sent < self.count:
            claim_id = self.rng.choice(self.claims)
            roll = self.rng.random()
            if roll < 0.30 or (roll < 0.60 and claim_id not in self.versions):
                self.read(claim_id)
                sent += 1
            elif roll < 0.60:
                summary = f"Edited by writer {self.index}, step {sent}, {secrets.token_hex(4)}"
                status, body = self.request("PATCH", f"/api/v1/claims/{claim_id}",
                                            {"version": self.versions[claim_id], "summary": summary})
                sent += 1
                if 200 <= status < 300 and isinstance(body, dict):
                    self.versions[claim_id] = body.get("version", self.versions[claim_id])
                    with self.lock:
                        self.out["edits"].append({"claim": claim_id, "version": body.get("version"), "summary": summary})
                elif status == 409:
                    self.versions.pop(claim_id, None)  # stale: read again before the next edit
            elif roll < 0.80:
                body_text = f"Writer {self.index} note {sent} {secrets.token_hex(4)}"
                status, body = self.request("POST", f"/api/v1/claims/{claim_id}/comments", {"body": body_text})
                sent += 1
                if 200 <= status < 300:
                    with self.lock:
                        self.out["comments"].append({"claim": claim_id, "id": (body or {}).get("id"), "body": body_text})
            else:
                target = self.rng.choice(["researching", "new"])
                status, body = self.request("POST", f"/api/v1/claims/{claim_id}/transition",
                                            {"to": target, "comment": f"writer {self.index} moves it"})
                sent += 1
                if 200 <= status < 300 and isinstance(body, dict):
                    self.versions[claim_id] = body.get("version", self.versions.get(claim_id))
                    with self.lock:
                        self.out["transitions"].append({"claim": claim_id, "to": target, "version": body.get("version")})
        if self.conn is not None:
            self.conn.close()


def _route(path: str) -> str:
    parts = path.split("/")
    return "/".join("{id}" if part.isdigit() else part for part in parts)


def run_writers(port: int, plan: dict, *, per_writer: int) -> dict:
    """All writers at once; returns what the server answered and which writes it accepted."""
    out = {"requests": 0, "statuses": {}, "server_errors": 0, "locked": 0, "transport_errors": 0,
           "edits": [], "comments": [], "transitions": [], "details": [], "missing_endpoints": set()}
    if not plan["claims"]:
        out["details"].append("no unassigned new claims to work on")
        out["missing_endpoints"] = []
        out["accepted_writes"] = 0
        return out
    lock = threading.Lock()
    threads = [_Writer(port, i, spec, plan["claims"], per_writer, out, lock) for i, spec in enumerate(plan["writers"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    out["missing_endpoints"] = sorted(out["missing_endpoints"])
    out["accepted_writes"] = len(out["edits"]) + len(out["comments"]) + len(out["transitions"])
    out["details"] = out["details"][:20]
    out["writers"] = len(threads)
    return out


def verify_writers(plan: dict, result: dict) -> dict:
    """Read the database: is every accepted write there? Returns counts and the number lost."""
    lost = []
    ids = plan["claims"]
    claims = {c.id: c for c in db.session.execute(select(Claim).where(Claim.id.in_(ids))).scalars()} if ids else {}
    # Comments: each accepted one is a row, and every claim's counter equals its rows.
    for comment in result["comments"]:
        found = db.session.execute(select(Comment.id).where(
            Comment.claim_id == comment["claim"], Comment.body == comment["body"])).first()
        if found is None:
            lost.append(f"comment on claim {comment['claim']} missing")
    for claim_id, claim in claims.items():
        rows = db.session.execute(select(func.count(Comment.id)).where(Comment.claim_id == claim_id)).scalar_one()
        accepted = sum(1 for c in result["comments"] if c["claim"] == claim_id)
        if rows != plan["before"][claim_id]["comments"] + accepted:
            lost.append(f"claim {claim_id}: {rows} comments, expected {plan['before'][claim_id]['comments'] + accepted}")
        if claim.comment_count != rows:
            lost.append(f"claim {claim_id}: comment counter {claim.comment_count} but {rows} comments")
    # Edits: the last accepted one (highest version) is the claim's summary; each one is in the history.
    history_summaries: dict[int, set] = {}
    for claim_id, after in db.session.execute(select(ClaimHistory.claim_id, ClaimHistory.after).where(
            ClaimHistory.claim_id.in_(ids), ClaimHistory.field == "summary")) if ids else []:
        history_summaries.setdefault(claim_id, set()).add(after if isinstance(after, str) else json.dumps(after))
    last: dict[int, dict] = {}
    for edit in result["edits"]:
        if edit["summary"] not in history_summaries.get(edit["claim"], set()):
            lost.append(f"edit of claim {edit['claim']} to version {edit['version']} not in the history")
        if edit["claim"] not in last or (edit["version"] or 0) > (last[edit["claim"]]["version"] or 0):
            last[edit["claim"]] = edit
    for claim_id, edit in last.items():
        if claims[claim_id].summary != edit["summary"]:
            lost.append(f"claim {claim_id}: summary is not its last accepted edit (version {edit['version']})")
    # Moves: each accepted one is a history row.
    for claim_id in ids:
        moves = db.session.execute(select(func.count(ClaimHistory.id)).where(
            ClaimHistory.claim_id == claim_id, ClaimHistory.action == "transition")).scalar_one()
        accepted = sum(1 for t in result["transitions"] if t["claim"] == claim_id)
        if moves != plan["before"][claim_id]["transitions"] + accepted:
            lost.append(f"claim {claim_id}: {moves - plan['before'][claim_id]['transitions']} moves in the history, "
                        f"{accepted} accepted")
    return {"lost": len(lost), "problems": lost[:20], "accepted": {"edits": len(result["edits"]),
            "comments": len(result["comments"]), "transitions": len(result["transitions"])}}
