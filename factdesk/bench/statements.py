"""The SQL statement counter the benchmark and the tests share: what one request costs in statements."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import event

# A token's last-used time is written at most once a minute: whether a run crosses a minute is luck.
TOKEN_TOUCH = "UPDATE api_tokens SET last_used_at"


@contextmanager
def counting_statements(engine, *, ignore: tuple[str, ...] = ()) -> Iterator[list[str]]:
    """Every SQL statement the engine runs inside the block (transaction control excluded), but those
    starting with one of `ignore`."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith(ignore or ("\x00",)):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
