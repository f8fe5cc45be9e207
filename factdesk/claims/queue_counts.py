"""How many claims share a status, an assignee and a priority (and a tag), kept by the database itself.

The queue's tabs, its total and "My work" are sums over `queue_counts` (a few hundred rows on any
desk) instead of counts over 100,000 claim rows per view; `queue_tag_counts` holds the same per tag,
for a queue filtered by a tag (a tag can carry a tenth of the desk). Triggers on `claims` and
`claim_tags` keep both in the same transaction as every insert, delete and change of status,
assignee, priority or tag, whatever code (the ORM, a bulk UPDATE, a migration) makes it.
`assignee_id` 0 stands for "unassigned".

SQLite's batch migrations rebuild a table to alter it, which drops its triggers: a migration that
rebuilds `claims` calls `create_triggers()` and `create_tag_triggers()` again afterwards (as it does
for the full-text triggers).
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


_COUNT_CLAIMS = ("INSERT INTO queue_counts (status, assignee_id, priority, claims) "
                 "SELECT status, coalesce(assignee_id, 0), priority, count(*) FROM claims "
                 "GROUP BY status, coalesce(assignee_id, 0), priority")
_COUNT_TAGS = ("INSERT INTO queue_tag_counts (tag, status, assignee_id, priority, claims) "
               "SELECT t.tag, c.status, coalesce(c.assignee_id, 0), c.priority, count(*) "
               "FROM claim_tags t JOIN claims c ON c.id = t.claim_id "
               "GROUP BY t.tag, c.status, coalesce(c.assignee_id, 0), c.priority")


def recount(bind) -> None:
    """Fill queue_counts from the claims as they are (the migration's carry-over of existing data)."""
    bind.execute(text("DELETE FROM queue_counts"))
    bind.execute(text(_COUNT_CLAIMS))


def rewrite_after_bulk_load(bind) -> None:
    """PostgreSQL, after claims were inserted in bulk: both count tables written afresh.

    Each inserted claim bumped a count row by trigger, leaving a dead version per claim (at 100,000
    claims the few hundred live rows one to a page, and every tab count reading them all). VACUUM
    FULL would copy every version some open snapshot could still see, and a snapshot's horizon is the
    oldest transaction running anywhere on the server (another database's bulk load holds it back),
    so it left the tables as spread as it found them whenever anything else was running. TRUNCATE
    gives each table a new file holding only the recounted rows, whatever else runs. The SHARE locks
    keep claims and their tags from changing between the truncation and the count; like any
    TRUNCATE, a snapshot taken before it sees the tables empty afterwards (a bulk load, not a desk's
    day)."""
    bind.execute(text("LOCK TABLE claims, claim_tags IN SHARE MODE"))
    bind.execute(text("TRUNCATE queue_counts, queue_tag_counts"))
    bind.execute(text(_COUNT_CLAIMS))
    bind.execute(text(_COUNT_TAGS))


TAG_TRIGGERS = ("claim_tags_counted_insert", "claim_tags_counted_delete", "claim_tags_counted_update",
                "claims_tags_counted_update", "claims_tags_counted_delete")
_TAG_KEY = "ON CONFLICT (tag, status, assignee_id, priority) DO UPDATE SET claims = queue_tag_counts.claims + 1"
# One tag of one claim, counted under the claim's status, assignee and priority as they are now.
_ADD_TAG = ("INSERT INTO queue_tag_counts (tag, status, assignee_id, priority, claims) "
            "SELECT {row}.tag, status, coalesce(assignee_id, 0), priority, 1 FROM claims WHERE id = {row}.claim_id "
            + _TAG_KEY)
_REMOVE_TAG = ("UPDATE queue_tag_counts SET claims = claims - 1 WHERE tag = {row}.tag AND "
               "(status, assignee_id, priority) = "
               "(SELECT status, coalesce(assignee_id, 0), priority FROM claims WHERE id = {row}.claim_id)")
# Every tag of one claim, counted under its old or new status, assignee and priority.
_ADD_TAGS = ("INSERT INTO queue_tag_counts (tag, status, assignee_id, priority, claims) "
             "SELECT tag, {row}.status, coalesce({row}.assignee_id, 0), {row}.priority, 1 FROM claim_tags "
             "WHERE claim_id = {row}.id " + _TAG_KEY)
_REMOVE_TAGS = ("UPDATE queue_tag_counts SET claims = claims - 1 WHERE status = {row}.status "
                "AND assignee_id = coalesce({row}.assignee_id, 0) AND priority = {row}.priority "
                "AND tag IN (SELECT tag FROM claim_tags WHERE claim_id = {row}.id)")


def create_tag_triggers(bind) -> None:
    """The triggers that keep queue_tag_counts, for the connection's dialect.

    A tag's row counts again only when its claim or its tag changes (not when the claim's queue keys
    are copied onto it: `create_key_triggers`).

    A claim's tags are uncounted BEFORE the claim is deleted, while they are still there; the tags'
    own delete trigger then finds no claim and counts nothing, whichever the cascade deletes first."""
    if bind.dialect.name == "sqlite":
        changed = _CHANGED.replace("IS DISTINCT FROM", "IS NOT")
        for statement in (
            f"CREATE TRIGGER claim_tags_counted_insert AFTER INSERT ON claim_tags "
            f"BEGIN {_ADD_TAG.format(row='NEW')}; END",
            f"CREATE TRIGGER claim_tags_counted_delete AFTER DELETE ON claim_tags "
            f"BEGIN {_REMOVE_TAG.format(row='OLD')}; END",
            f"CREATE TRIGGER claim_tags_counted_update AFTER UPDATE OF claim_id, tag ON claim_tags "
            f"BEGIN {_REMOVE_TAG.format(row='OLD')}; {_ADD_TAG.format(row='NEW')}; END",
            f"CREATE TRIGGER claims_tags_counted_update AFTER UPDATE OF status, assignee_id, priority ON claims "
            f"WHEN {changed} BEGIN {_REMOVE_TAGS.format(row='OLD')}; {_ADD_TAGS.format(row='NEW')}; END",
            f"CREATE TRIGGER claims_tags_counted_delete BEFORE DELETE ON claims "
            f"BEGIN {_REMOVE_TAGS.format(row='OLD')}; END",
        ):
            bind.execute(text(statement))
        return
    bind.execute(text(
        "CREATE FUNCTION factdesk_count_tags() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP IN ('DELETE', 'UPDATE') THEN {_REMOVE_TAG.format(row='OLD')}; END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_ADD_TAG.format(row='NEW')}; END IF; "
        "RETURN NULL; END $$"))
    bind.execute(text(
        "CREATE FUNCTION factdesk_count_claims_tags() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{_REMOVE_TAGS.format(row='OLD')}; "
        f"IF TG_OP = 'UPDATE' THEN {_ADD_TAGS.format(row='NEW')}; RETURN NULL; END IF; "
        "RETURN OLD; END $$"))
    for name, event in (("claim_tags_counted_insert", "INSERT"), ("claim_tags_counted_delete", "DELETE"),
                        ("claim_tags_counted_update", "UPDATE OF claim_id, tag")):
        bind.execute(text(f"CREATE TRIGGER {name} AFTER {event} ON claim_tags "
                          "FOR EACH ROW EXECUTE FUNCTION factdesk_count_tags()"))
    bind.execute(text(f"CREATE TRIGGER claims_tags_counted_update AFTER UPDATE OF status, assignee_id, priority "
                      f"ON claims FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION factdesk_count_claims_tags()"))
    bind.execute(text("CREATE TRIGGER claims_tags_counted_delete BEFORE DELETE ON claims "
                      "FOR EACH ROW EXECUTE FUNCTION factdesk_count_claims_tags()"))


def drop_tag_triggers(bind) -> None:
    _drop(bind, TAG_TRIGGERS, ("factdesk_count_tags", "factdesk_count_claims_tags"))


def _drop(bind, triggers: tuple[str, ...], functions: tuple[str, ...]) -> None:
    """Triggers on claims or claim_tags (by their names' start) and, on PostgreSQL, their functions."""
    for name in triggers:
        table = "claim_tags" if name.startswith("claim_tags") else "claims"
        bind.execute(text(f"DROP TRIGGER IF EXISTS {name}" + ("" if bind.dialect.name == "sqlite" else f" ON {table}")))
    if bind.dialect.name != "sqlite":
        for function in functions:
            bind.execute(text(f"DROP FUNCTION IF EXISTS {function}()"))


def recount_tags(bind) -> None:
    """Fill queue_tag_counts from the claims' tags as they are (the migration's carry-over)."""
    bind.execute(text("DELETE FROM queue_tag_counts"))
    bind.execute(text(_COUNT_TAGS))


# ---------------------------------------------------------------- a tag's claims in the queue's orders
#
# Each claim_tags row carries its claim's queue keys (status, assignee, priority, due, created and
# updated times), so a queue filtered by a tag walks one index range of claim_tags in the sort's own
# order (migration 0033: `ix_claim_tags_queue_*`) and stops at the page's end, as an untagged queue
# walks claims' indexes. Probing the tag per claim walked read thousands of claims for a common tag
# (PostgreSQL read every claim_tags entry of the tag once per walk: 20-28 ms a page at 100,000 claims).
# The keys are the claim's, copied by triggers in the same transaction as whatever writes the claim or
# the tag; nothing else writes them.

KEY_COLUMNS = ("status", "assignee_id", "priority", "due", "created_at", "updated_at")
KEY_TRIGGERS = ("claim_tags_keys_insert", "claims_tag_keys_update")
_KEYS = ", ".join(KEY_COLUMNS)
_KEYS_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in KEY_COLUMNS)
_COPY_KEYS = (f"UPDATE claim_tags SET ({_KEYS}) = (SELECT {_KEYS} FROM claims WHERE claims.id = claim_tags.claim_id)")


def create_key_triggers(bind) -> None:
    """The triggers that copy a claim's queue keys onto its tags' rows, for the connection's dialect:
    a new tag takes its claim's keys, a change of the claim's keys reaches each of its tags."""
    if bind.dialect.name == "sqlite":
        changed = _KEYS_CHANGED.replace("IS DISTINCT FROM", "IS NOT")
        new_keys = ", ".join(f"{c} = NEW.{c}" for c in KEY_COLUMNS)
        bind.execute(text(f"CREATE TRIGGER claim_tags_keys_insert AFTER INSERT ON claim_tags BEGIN {_COPY_KEYS} "
                          "WHERE claim_id = NEW.claim_id AND tag = NEW.tag; END"))
        bind.execute(text(f"CREATE TRIGGER claims_tag_keys_update AFTER UPDATE OF {_KEYS} ON claims WHEN {changed} "
                          f"BEGIN UPDATE claim_tags SET {new_keys} WHERE claim_id = NEW.id; END"))
        return
    into = ", ".join(f"NEW.{c}" for c in KEY_COLUMNS)
    new_keys = ", ".join(f"{c} = NEW.{c}" for c in KEY_COLUMNS)
    bind.execute(text(
        "CREATE FUNCTION factdesk_tag_keys() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"SELECT {_KEYS} INTO {into} FROM claims WHERE id = NEW.claim_id; RETURN NEW; END $$"))
    bind.execute(text(
        "CREATE FUNCTION factdesk_claim_tag_keys() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"UPDATE claim_tags SET {new_keys} WHERE claim_id = NEW.id; RETURN NULL; END $$"))
    bind.execute(text("CREATE TRIGGER claim_tags_keys_insert BEFORE INSERT OR UPDATE OF claim_id ON claim_tags "
                      "FOR EACH ROW EXECUTE FUNCTION factdesk_tag_keys()"))
    bind.execute(text(f"CREATE TRIGGER claims_tag_keys_update AFTER UPDATE OF {_KEYS} ON claims "
                      f"FOR EACH ROW WHEN ({_KEYS_CHANGED}) EXECUTE FUNCTION factdesk_claim_tag_keys()"))


def drop_key_triggers(bind) -> None:
    _drop(bind, KEY_TRIGGERS, ("factdesk_tag_keys", "factdesk_claim_tag_keys"))


def copy_keys(bind) -> None:
    """Every tag's row given its claim's keys as they are (the migration's carry-over)."""
    bind.execute(text(_COPY_KEYS))
