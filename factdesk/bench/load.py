"""A small HTTP/1.1 load generator: keep-alive connections driven by one selector loop.

Why our own: no load generator from the package registries runs without a download step of its own
or a compiler (wrk, oha, hey are binaries; locust brings gevent and a web UI), and a Python client
built on http.client spends more CPU per request than the server it measures. This one sends
pre-built request bytes over `concurrency` persistent connections and reads each answer with just
enough parsing (status line, Content-Length or chunked body) to know where it ends, so on the
two-core benchmark machine one client core keeps one server core busy.

It runs in its own process (`python -m factdesk.bench.load`, a JSON job on stdin, a JSON result on
stdout) so it never shares a GIL with the app or the benchmark command.

Only 127.0.0.1 is accepted as a target: this is for measuring our own server on this machine.
"""
from __future__ import annotations

import json
import selectors
import socket
import sys
import time
from dataclasses import dataclass, field

ALLOWED_HOSTS = {"127.0.0.1", "localhost"}


def build_request(method: str, path: str, host: str, port: int, headers: dict | None = None,
                  body: bytes = b"") -> bytes:
    """The bytes of one keep-alive HTTP/1.1 request."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive",
             "Accept-Encoding: identity", "User-Agent: factdesk-bench"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class _Conn:
    sock: socket.socket | None = None
    out: bytes = b""
    buf: bytearray = field(default_factory=bytearray)
    started: float = 0.0
    index: int = 0


def _parse(buf: bytearray) -> tuple[int, int, bool] | None:
    """(status, bytes used, server closes) when `buf` holds one whole response, else None."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = bytes(buf[:head_end]).decode("latin-1")
    lines = head.split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = None
    chunked = False
    closes = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection" and value.strip().lower() == "close":
            closes = True
    body_start = head_end + 4
    if chunked:
        pos = body_start
        while True:
            line_end = buf.find(b"\r\n", pos)
            if line_end < 0:
                return None
            size = int(bytes(buf[pos:line_end]).split(b";")[0], 16)
            pos = line_end + 2
            if size == 0:
                trailer_end = buf.find(b"\r\n", pos)
                if trailer_end < 0:
                    return None
                # Trailers (rare) end with an empty line.
                while trailer_end != pos:
                    pos = trailer_end + 2
                    trailer_end = buf.find(b"\r\n", pos)
                    if trailer_end < 0:
                        return None
                return status, trailer_end + 2, closes
            if len(buf) < pos + size + 2:
                return None
            pos += size + 2
    if length is None:
        if status in (204, 304) or 100 <= status < 200:
            return status, body_start, closes
        return None  # read until close: not used by our server
    if len(buf) < body_start + length:
        return None
    return status, body_start + length, closes


def drive(host: str, port: int, requests: list[bytes], *, concurrency: int = 8, duration: float = 5.0,
          warmup: float = 1.0, max_requests: int | None = None, min_requests: int = 20, start: int = 0,
          pool: list | None = None) -> dict:
    """Send `requests` round-robin from index `start` over `concurrency` keep-alive connections for
    `duration` seconds (after `warmup` seconds whose answers are not counted); returns counts, rate
    and latencies, and `next`: the index to start from for requests not sent yet.

    pool: open connections to use first, and where each connection that ends the run with its last
    answer read is put back (instead of closed) for the next run."""
    if host not in ALLOWED_HOSTS:
        raise ValueError(f"the load generator only targets this machine (127.0.0.1), not {host!r}")
    if not requests:
        raise ValueError("no requests to send")
    selector = selectors.DefaultSelector()
    conns: list[_Conn] = []
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    errors: dict[str, int] = {}
    reconnects = 0
    sent = 0
    t0 = time.perf_counter()
    measure_from = t0 + warmup
    stop_at = measure_from + duration
    # A slow page still gets `min_requests` answers measured (the window grows, up to ten times).
    hard_stop = measure_from + duration * 10
    last_done = measure_from
    completed = 0

    def connect(conn: _Conn) -> None:
        sock = socket.create_connection((host, port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        conn.sock = sock
        conn.buf.clear()

    def send_next(conn: _Conn) -> None:
        nonlocal sent
        conn.out = requests[conn.index % len(requests)]
        conn.index += len(conns) if conns else 1
        conn.started = time.perf_counter()
        sent += 1
        _flush(conn)

    def _flush(conn: _Conn) -> None:
        try:
            n = conn.sock.send(conn.out)
        except BlockingIOError:
            n = 0
        conn.out = conn.out[n:]
        selector.modify(conn.sock, selectors.EVENT_WRITE if conn.out else selectors.EVENT_READ, conn)

    for i in range(concurrency):
        conn = _Conn(index=start + i)
        if pool:
            conn.sock = pool.pop(0)
        else:
            connect(conn)
        conns.append(conn)
        selector.register(conn.sock, selectors.EVENT_READ, conn)
    for conn in conns:
        send_next(conn)

    active = len(conns)
    while active:
        now = time.perf_counter()
        for key, mask in selector.select(timeout=1.0):
            conn: _Conn = key.data
            if mask & selectors.EVENT_WRITE:
                _flush(conn)
                continue
            try:
                chunk = conn.sock.recv(262144)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError as exc:
                chunk = b""
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            if not chunk:
                # The server closed the connection (idle timeout or "Connection: close"): reopen it.
                selector.unregister(conn.sock)
                conn.sock.close()
                if conn.buf or conn.out:
                    errors["closed_mid_response"] = errors.get("closed_mid_response", 0) + 1
                reconnects += 1
                if time.perf_counter() >= stop_at and completed >= min_requests:
                    active -= 1
                    conn.sock = None
                    continue
                connect(conn)
                selector.register(conn.sock, selectors.EVENT_READ, conn)
                send_next(conn)
                continue
            conn.buf += chunk
            parsed = _parse(conn.buf)
            if parsed is None:
                continue
            status, used, closes = parsed
            del conn.buf[:used]
            done_at = time.perf_counter()
            if measure_from <= done_at <= stop_at or (done_at > stop_at and completed < min_requests):
                statuses[status] = statuses.get(status, 0) + 1
                last_done = max(last_done, done_at)
                latencies.append(done_at - conn.started)
                completed += 1
            finished = (done_at >= stop_at and completed >= min_requests) or done_at >= hard_stop \
                or (max_requests is not None and completed >= max_requests)
            if finished:
                selector.unregister(conn.sock)
                if pool is not None and not conn.out and not conn.buf:
                    pool.append(conn.sock)
                else:
                    conn.sock.close()
                conn.sock = None
                active -= 1
                continue
            if closes:
                selector.unregister(conn.sock)
                conn.sock.close()
                reconnects += 1
                connect(conn)
                selector.register(conn.sock, selectors.EVENT_READ, conn)
            send_next(conn)
        if time.perf_counter() - now > 60:
            errors["stalled"] = errors.get("stalled", 0) + 1
            break
    measured = max(min(time.perf_counter(), stop_at), last_done) - measure_from
    latencies.sort()

    def pct(p: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 3)

    return {
        "requests": completed, "seconds": round(measured, 3),
        "rps": round(completed / measured, 1) if measured > 0 else 0.0,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "ok": sum(v for k, v in statuses.items() if 200 <= k < 400),
        "latency_ms": {"p50": pct(0.50), "p90": pct(0.90), "p95": pct(0.95), "p99": pct(0.99),
                       "mean": round(sum(latencies) / len(latencies) * 1000, 3) if latencies else None},
        "concurrency": concurrency, "reconnects": reconnects, "errors": errors, "next": start + sent,
    }


def main() -> None:
    """One job, or `phases`: several jobs run one after the other (the benchmark alternates a page
    with its baseline in short slices, so a noisy neighbour slows both alike), on the same
    connections: each phase opening its own, a server with several workers could accept all of one
    phase's on one worker (one core; the trivial route at 1,211-1,403 requests/s against 2,700-3,650
    on the bench's PostgreSQL shape) and not the next one's, and a round's ratio measured that luck."""
    job = json.load(sys.stdin)
    results = []
    lists: dict[str, list[bytes]] = {name: [r.encode("latin-1") for r in requests]
                                     for name, requests in (job.get("lists") or {}).items()}
    position: dict[str, int] = {}
    pool: list = []
    for phase in job.get("phases") or [job]:
        # A phase names a shared list: each phase goes on where the last one on that list stopped,
        # so no address is asked twice while the list lasts (first views).
        name = phase.get("list")
        requests = lists[name] if name else [r.encode("latin-1") for r in phase["requests"]]
        result = drive(job["host"], job["port"], requests, concurrency=job.get("concurrency", 8),
                       duration=phase.get("duration", job.get("duration", 5.0)),
                       warmup=phase.get("warmup", job.get("warmup", 1.0)),
                       max_requests=job.get("max_requests"), min_requests=job.get("min_requests", 20),
                       start=position.get(name, 0), pool=pool)
        if name:
            position[name] = result["next"]
            result["repeats"] = max(0, result["next"] - len(requests))
        results.append(result)
    for sock in pool:
        sock.close()
    json.dump(results if job.get("phases") else results[0], sys.stdout)


if __name__ == "__main__":
    main()
