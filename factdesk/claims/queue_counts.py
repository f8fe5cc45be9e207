"""How many claims share a status, an assignee and a priority, kept by the database itself.

The queue's tabs, its total and "My work" are sums over this small table (a few hundred rows on any
desk) instead of counts over 100,000 claim rows per view. Triggers on `claims` keep it in the same
transaction as every insert, delete and change of status, assignee or priority, whatever code (the
ORM, a bulk UPDATE, a migration) makes it. `assignee_id` 0 stands for "unassigned".

SQLite's batch migrations rebuild a table to alter it, which drops its triggers: a migration that
rebuilds `claims` calls `create_triggers()` again afterwards (as it does for the full-text triggers).
"""
from __future__ import annotations

from sqlalchemy import text

TRIGGERS = ("claims_counted_insert", "claims_counted_delete", "claims_counted_update")

_ADD = ("INSERT INTO queue_counts (status, assignee_id, priority, claims) "
        "VALUES ({row}.status, coalesce({row}.assignee_id, 0), {row}.priority, 1) "
        "ON CONFLICT (status, assignee_id, priority) DO UPDATE SET claims = queue_counts.claims + 1")
_REMOVE = ("UPDATE queue_counts SET claims = claims - 1 WHERE status = {row}.status "
           "AND assignee_id = coalesce({row}.assignee_id, 0) AND priority = {row}.priority")
_CHANGED = ("OLD.status IS DISTINCT FROM NEW.status OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id "
            "OR OLD.priority IS DISTINCT FROM NEW.priority")


def create_triggers(bind) -> None:
    """The triggers that keep queue_counts, for the connection's dialect."""
    if bind.dialect.name == "sqlite":
        changed = _CHANGED.replace("IS DISTINCT FROM", "IS NOT")
        for statement in (
            f"CREATE TRIGGER claims_counted_insert AFTER INSERT ON claims BEGIN {_ADD.format(row='NEW')}; END",
            f"CREATE TRIGGER claims_counted_delete AFTER DELETE ON claims BEGIN {_REMOVE.format(row='OLD')}; END",
            f"CREATE TRIGGER claims_counted_update AFTER UPDATE OF status, assignee_id, priority ON claims "
            f"WHEN {changed} BEGIN {_REMOVE.format(row='OLD')}; {_ADD.format(row='NEW')}; END",
        ):
            bind.execute(text(statement))
        return
    bind.execute(text(
        "CREATE FUNCTION factdesk_count_claims() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP IN ('DELETE', 'UPDATE') THEN {_REMOVE.format(row='OLD')}; END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_ADD.format(row='NEW')}; END IF; "
        "RETURN NULL; END $$"))
    bind.execute(text("CREATE TRIGGER claims_counted_insert AFTER INSERT ON claims "
                      "FOR EACH ROW EXECUTE FUNCTION factdesk_count_claims()"))
    bind.execute(text("CREATE TRIGGER claims_counted_delete AFTER DELETE ON claims "
                      "FOR EACH ROW EXECUTE FUNCTION factdesk_count_claims()"))
    bind.execute(text(f"CREATE TRIGGER claims_counted_update AFTER UPDATE OF status, assignee_id, priority ON claims "
                      f"FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION factdesk_count_claims()"))


def drop_triggers(bind) -> None:
    if bind.dialect.name == "sqlite":
        for name in TRIGGERS:
            bind.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        return
    for name in TRIGGERS:
        bind.execute(text(f"DROP TRIGGER IF EXISTS {name} ON claims"))
    bind.execute(text("DROP FUNCTION IF EXISTS factdesk_count_claims()"))


def recount(bind) -> None:
    """Fill queue_counts from the claims as they are (the migration's carry-over of existing data)."""
    bind.execute(text("DELETE FROM queue_counts"))
    bind.execute(text("INSERT INTO queue_counts (status, assignee_id, priority, claims) "
                      "SELECT status, coalesce(assignee_id, 0), priority, count(*) FROM claims "
                      "GROUP BY status, coalesce(assignee_id, 0), priority"))
