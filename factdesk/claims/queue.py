"""The review queue (DESIGN.md §6): query parameters in, one filtered and sorted page of claims out.

The queue page, its exports and `GET /api/v1/claims` all call `parse()` then `page()`/`rows()`, so a
filtered queue is the same link everywhere (`/desk?status=in_review&sort=due`).

Parameters (all optional; several values comma-separated or repeated where noted):
- `status`: one or more states (several).
- `assignee`: `me`, `none` (unassigned), `anyone` (assigned to somebody), or a person's id.
- `article`: an article id. `tag`: one tag. `priority`: one or more of low, normal, high, urgent (several).
- `overdue`: 1/true/yes/on — due before today and not published, discarded or withdrawn.
- `changed`: 1/true/yes/on — published checks whose words changed in their article since publishing
  ("the article changed under a published check", DESIGN.md §13).
- `q`: free text over the claim's words. The desk's full-text index (factdesk/search.py:
  claim_ids_matching — FTS5 on SQLite, GIN on PostgreSQL; words, stems, "phrases", -word, or)
  picks the best MAX_TEXT_MATCHES matching claims once per request, and the other filters and
  the sort apply to those, so `q` stays an index lookup at 100,000 claims. Text with no searchable
  word (punctuation only), or a desk without the search module, falls back to a case-insensitive
  substring (LIKE) over the quote and the checkable wording (summary).
- `sort`: `priority` (most urgent first, then oldest), `due` (soonest first, undated last), `age`
  (oldest first), `updated` (most recently changed first); `-` in front reverses it. Ties break on id.
- `page` (from 1), `per_page` (1–100, default 50).

Invalid values raise ValidationError naming the field. A page costs a constant number of statements:
one count, the page's ids, its rows, and one SELECT per eager-loaded relation (article title,
assignee, rating, tags); evidence and comment counts come from the counters on the claim. Every
sort has an index to walk in its own order (migrations 0003, 0005, 0013); several states are walked
one index range each and merged in the same statement, so a page of 50 never sorts every match.
Counts under filters of status, assignee, priority and a tag only (the tabs, "My work", most totals)
are sums over `queue_counts` or, with a tag, `queue_tag_counts` (factdesk/claims/queue_counts.py),
not counts of claim rows; with an article, overdue or text filter they count the matching rows,
which those filters keep few. The queue page reads its rows as `QueueLine`s (one joined statement
and one for the tags); the API and exports get the claims with their relations.
Plans were checked with EXPLAIN QUERY PLAN on a desk of 100,000 claims.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from datetime import date, datetime
from typing import Iterable, Iterator, Mapping

from sqlalchemy import Select, and_, exists, func, or_, select, union_all
from sqlalchemy.orm import load_only, selectinload

from ..errors import ValidationError
from ..extensions import db
from ..models import (Article, Claim, ClaimTag, Priority, QueueCount, QueueTagCount, Rating, Status, User, claim_tags,
                      split_tags, tags_beside)
from ..params import MAX_ID, MAX_PAGE, whole_number
from ..search import claim_ids_matching, has_terms

PER_PAGE = 50
MAX_TEXT_MATCHES = 5000
MAX_PER_PAGE = 100
DONE = (Status.published, Status.discarded, Status.withdrawn)
OPEN = tuple(s for s in Status if s not in DONE)
SORTS = ("priority", "due", "age", "updated")
DEFAULT_SORT = "priority"
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}
PARAMS = ("status", "assignee", "article", "tag", "priority", "overdue", "changed", "q", "sort", "page", "per_page")


@dataclass(frozen=True)
class QueueQuery:
    """A parsed queue request; `args()` turns it back into query parameters for links."""

    statuses: tuple[Status, ...] = ()
    assignee: str | int | None = None  # "me", "none", "anyone" or a user id
    article: int | None = None
    tag: str | None = None
    priorities: tuple[Priority, ...] = ()
    overdue: bool = False
    changed: bool = False
    q: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1
    per_page: int = PER_PAGE
    actor_id: int | None = field(default=None, compare=False)
    # Ids the full-text index matched for `q` (None: filter by substring instead).
    q_ids: tuple[int, ...] | None = field(default=None, compare=False, repr=False)

    def args(self, **changes) -> dict:
        """Query parameters for a link to this queue with `changes` applied (None drops a parameter)."""
        current = {
            "status": ",".join(s.value for s in self.statuses) or None,
            "assignee": None if self.assignee is None else str(self.assignee),
            "article": self.article, "tag": self.tag,
            "priority": ",".join(p.name for p in self.priorities) or None,
            "overdue": "1" if self.overdue else None, "changed": "1" if self.changed else None, "q": self.q or None,
            "sort": self.sort if self.sort != DEFAULT_SORT else None,
            "page": self.page if self.page != 1 else None,
            "per_page": self.per_page if self.per_page != PER_PAGE else None,
        }
        current.update(changes)
        return {k: v for k, v in current.items() if v is not None and v != ""}

    @property
    def is_my_work(self) -> bool:
        return self.assignee == "me" and set(self.statuses) == set(OPEN)


@dataclass(slots=True)
class QueueLine:
    """What the queue page shows of one claim, as plain values: 50 rows of ORM objects (a claim with
    its article, assignee, rating and tags) cost more than the rest of the page."""

    id: int
    quote: str
    article_id: int
    article_title: str
    status: Status
    rating_name: str | None
    rating_colour: str | None
    assignee_name: str | None
    priority: int
    due: date | None
    created_at: datetime
    evidence_count: int
    comment_count: int
    tags: list[str] = field(default_factory=list)


@dataclass
class QueuePage:
    query: QueueQuery
    items: list[Claim] | list[QueueLine]
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def _values(args: Mapping, name: str) -> list[str]:
    raw = args.getlist(name) if hasattr(args, "getlist") else ([args[name]] if name in args else [])
    out = []
    for item in raw:
        out.extend(part.strip() for part in str(item).split(",") if part.strip())
    return out


def _one(args: Mapping, name: str) -> str | None:
    values = _values(args, name)
    if len(values) > 1:
        raise ValidationError(f"{name} takes one value.", fields={name: "one value only"})
    return values[0] if values else None


def _int(args: Mapping, name: str, default: int | None, lo: int, hi: int) -> int | None:
    return whole_number(_one(args, name), name, lo=lo, hi=hi, default=default)


def parse(args: Mapping, *, actor: User | None = None) -> QueueQuery:
    """Read queue parameters (a request's args or any mapping); raise ValidationError naming a bad field."""
    statuses = []
    for value in _values(args, "status"):
        try:
            status = Status(value)
        except ValueError:
            raise ValidationError(f"status {value[:40]!r} is not a state; states are "
                                  f"{', '.join(s.value for s in Status)}.",
                                  fields={"status": "unknown state"}) from None
        if status not in statuses:
            statuses.append(status)

    assignee: str | int | None = _one(args, "assignee")
    if assignee is not None:
        if assignee in ("me", "none", "anyone"):
            if assignee == "me" and actor is None:
                raise ValidationError("assignee=me needs a logged-in person.", fields={"assignee": "no person"})
        elif assignee.lstrip("+-").isdigit():
            assignee = whole_number(assignee, "assignee")
            if db.session.get(User, assignee) is None:
                raise ValidationError(f"assignee {assignee}: nobody has that id.",
                                      fields={"assignee": "unknown person"})
        else:
            raise ValidationError("assignee must be me, none, anyone or a person's id.",
                                  fields={"assignee": "invalid"})

    priorities = []
    for value in _values(args, "priority"):
        try:
            priority = Priority[value.lower()]
        except KeyError:
            raise ValidationError(f"priority {value[:40]!r} is not one of low, normal, high, urgent.",
                                  fields={"priority": "unknown priority"}) from None
        if priority not in priorities:
            priorities.append(priority)

    overdue_raw = (_one(args, "overdue") or "").lower()
    if overdue_raw not in TRUE | FALSE:
        raise ValidationError("overdue must be 1 or 0 (true or false).", fields={"overdue": "not_boolean"})
    changed_raw = (_one(args, "changed") or "").lower()
    if changed_raw not in TRUE | FALSE:
        raise ValidationError("changed must be 1 or 0 (true or false).", fields={"changed": "not_boolean"})

    tag = _one(args, "tag")
    if tag is not None and len(tag) > 60:
        raise ValidationError("tag is at most 60 characters.", fields={"tag": "too_long"})
    q = " ".join(str(args.get("q") or "").split())
    if len(q) > 200:
        raise ValidationError("q (free text) is at most 200 characters.", fields={"q": "too_long"})

    sort = _one(args, "sort") or DEFAULT_SORT
    if sort.lstrip("-") not in SORTS:
        raise ValidationError(f"sort must be one of {', '.join(SORTS)} (a leading - reverses it).",
                              fields={"sort": "unknown sort"})

    return QueueQuery(
        q_ids=_text_matches(q),
        statuses=tuple(statuses), assignee=assignee, article=_int(args, "article", None, 1, MAX_ID),
        tag=tag.lower() if tag else None, priorities=tuple(priorities), overdue=overdue_raw in TRUE,
        changed=changed_raw in TRUE, q=q,
        sort=sort, page=_int(args, "page", 1, 1, MAX_PAGE), per_page=_int(args, "per_page", PER_PAGE, 1, MAX_PER_PAGE),
        actor_id=actor.id if actor is not None else None)


def _text_matches(q: str) -> tuple[int, ...] | None:
    if not q:
        return None
    if not has_terms(q):
        return None
    return tuple(claim_ids_matching(q, limit=MAX_TEXT_MATCHES))


def my_work(actor: User) -> QueueQuery:
    """Claims assigned to this person that are not done (not published, discarded or withdrawn)."""
    return QueueQuery(statuses=OPEN, assignee="me", actor_id=actor.id)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(query: QueueQuery, *, with_status: bool = True, walking: bool = False) -> list:
    """The WHERE of a queue query. walking: for a walk along a sort index, where a tag is a probe per
    claim walked (EXISTS, stops at the page's end) rather than a list of every tagged claim read
    first (IN, the better plan for counting them)."""
    where = []
    if with_status and query.statuses:
        where.append(Claim.status.in_(query.statuses))
    where += _assignee(query, Claim.assignee_id)
    if query.article is not None:
        where.append(Claim.article_id == query.article)
    if query.tag and walking:
        where.append(exists().where(ClaimTag.claim_id == Claim.id, ClaimTag.tag == query.tag))
    elif query.tag:
        where.append(Claim.id.in_(select(ClaimTag.claim_id).where(ClaimTag.tag == query.tag)))
    if query.priorities:
        # Walking on SQLite, the priority is checked on each entry of the sort's index, never a way
        # into the table: `+ 0` keeps the planner off an index led by it. SQLite took a priority IN (?)
        # as the key of a skip-scan over every due date (ix_claims_queue_due_all), reading 100,000
        # entries for a state with no dated claim (30 ms) where the state's own walk stops at the
        # page's end. PostgreSQL estimates an expression's matches at a guess (237 of 23,724 new
        # claims, where 7,118 are high or urgent), so it sorted the whole state instead of walking
        # (state, updated_at): 31 ms against 0.5 ms for sort=updated; its own estimate walks.
        priority = Claim.priority + 0 if walking and db.session.get_bind().dialect.name == "sqlite" else Claim.priority
        where.append(priority.in_([int(p) for p in query.priorities]))
    if query.overdue:
        # "Not done" named as the open states it leaves: each is one range (state, due before today)
        # of the due index, where NOT IN read every dated claim's entry, the done ones included.
        where.append(and_(Claim.due < date.today(), Claim.status.in_(OPEN)))
    if query.changed:
        where.append(Claim.article_changed_at.is_not(None))
    if query.q and query.q_ids is not None:
        where.append(Claim.id.in_(query.q_ids))
    elif query.q:
        pattern = f"%{_escape_like(query.q)}%"
        where.append(or_(Claim.quote.ilike(pattern, escape="\\"), Claim.summary.ilike(pattern, escape="\\")))
    return where


def _assignee(query: QueueQuery, column) -> list:
    """The assignee filter over a column holding the claim's assignee (claims', or a tag's copy)."""
    if query.assignee == "me":
        return [column == query.actor_id]
    if query.assignee == "none":
        return [column.is_(None)]
    if query.assignee == "anyone":
        return [column.is_not(None)]
    if isinstance(query.assignee, int):
        return [column == query.assignee]
    return []


def _order(sort: str, table=Claim, *, dated: bool | None = None, unindexed: bool = False) -> list:
    """The ORDER BY of a sort, over the claims table or a select with the same column names.

    dated=True/False: the order within dated or undated claims of sort=due (one walk each).
    unindexed: the same order over expressions no index holds, so the database chooses its index by
    the filters and sorts the (few) matches, instead of walking a sort index past rows that miss."""
    reverse = sort.startswith("-")
    key = sort.lstrip("-")

    def col(name: str):
        column = getattr(table, name)
        return func.coalesce(column, column) if unindexed else column

    def direction(name: str, ascending: bool):
        return col(name).asc() if ascending != reverse else col(name).desc()

    if key == "priority":
        return [direction("priority", False), direction("created_at", True), direction("id", True)]
    if key == "due":
        if dated is False:  # undated claims: most urgent first, then oldest, as sort=priority
            return [direction("priority", False), direction("created_at", True), direction("id", True)]
        by_due = [direction("due", True), direction("priority", False), direction("created_at", True),
                  direction("id", True)]
        # Undated claims last either way: "no due date" is never the most or least pressing.
        return by_due if dated else [table.due.is_(None), *by_due]
    if key == "age":
        return [direction("created_at", True), direction("id", True)]
    return [direction("updated_at", False), direction("id", False)]


def claims_select(query: QueueQuery) -> Select:
    """The filtered, sorted claims (no paging, no eager loads)."""
    return select(Claim).where(*conditions(query)).order_by(*_order(query.sort))


def _with_display(stmt: Select) -> Select:
    return stmt.options(
        selectinload(Claim.article).options(load_only(Article.id, Article.title)),
        selectinload(Claim.assignee),
        selectinload(Claim.rating),
        selectinload(Claim.tag_rows),
    )


def _counted(query: QueueQuery) -> bool:
    """Whether the count tables can answer: only status, assignee, priority and a tag filter the queue."""
    return query.article is None and not query.overdue and not query.changed and not query.q


def _counts(query: QueueQuery):
    """The count table for a query queue_counts or queue_tag_counts can answer."""
    return QueueTagCount if query.tag else QueueCount


def _count_conditions(query: QueueQuery, *, with_status: bool = True) -> list:
    table = _counts(query)
    where = [table.tag == query.tag] if query.tag else []
    if with_status and query.statuses:
        where.append(table.status.in_([s.value for s in query.statuses]))
    if query.assignee == "me":
        where.append(table.assignee_id == (query.actor_id or -1))
    elif query.assignee == "none":
        where.append(table.assignee_id == 0)
    elif query.assignee == "anyone":
        where.append(table.assignee_id != 0)
    elif isinstance(query.assignee, int):
        where.append(table.assignee_id == query.assignee)
    if query.priorities:
        where.append(table.priority.in_([int(p) for p in query.priorities]))
    return where


def count(query: QueueQuery) -> int:
    if _counted(query):
        return db.session.execute(select(func.coalesce(func.sum(_counts(query).claims), 0))
                                  .where(*_count_conditions(query))).scalar_one()
    return db.session.execute(select(func.count(Claim.id)).where(*conditions(query))).scalar_one()


# Up to this many matching claims, a walk reads them all by its filters' index and sorts them (cheap);
# beyond, matches are dense enough that walking the sort's own index finds a page at once.
SORT_IN_MEMORY = 3000
# Picking a tag's claims reads every one's row (a walk steps along an index and probes the tag), so
# a tag's claims are picked only when it has this few in all.
TAG_PICK = 300


def _page_keys(query: QueueQuery, limit: int, offset: int, sizes: dict[str, int] | None = None):
    """Rows limit/offset of the sorted queue as a subquery of their keys (id and the sort's columns),
    or None when no state asked for has a claim; `_ids` and `_lines` each read it in ONE statement.

    Each state asked for (or the whole desk) is one walk in the sort's order, up to the end of this
    page; sort=due walks dated and undated claims apart, since "undated last" (due IS NULL) cannot
    follow an index. Several walks are merged and cut to the page. A walk over few matching claims
    (the counts say how many; an article or text filter always has few) sorts them instead, so an
    empty corner of the queue never walks a whole index range; a state with none is not walked. A
    tag's claims are picked and sorted only when the tag has few in all: picking reads every claim
    row of the tag (a tenth of the desk for a common one), while a walk along the sort's index probes
    the tag per claim and stops at the page's end.
    """
    # Few matches are picked by their filters and sorted; many are found walking the sort's index.
    picked, walked = conditions(query, with_status=False), conditions(query, with_status=False, walking=True)
    if sizes is None and _counted(query):
        sizes = tab_counts(query)
    few = query.q != "" or query.article is not None
    tagged = sum(sizes.values()) if query.tag and sizes is not None else TAG_PICK + 1
    due = query.sort.lstrip("-") == "due"
    # A tag's claims are walked along the tag's own indexes, which hold every filter but `changed`.
    by_tag = query.tag is not None and not few and tagged > TAG_PICK and not query.changed
    if by_tag:
        walked = _tag_conditions(query)
    keys = _TAG_KEYS if by_tag else Claim
    columns = (keys.id.label("id"), keys.priority, keys.created_at, keys.updated_at, keys.due)
    walks = []
    # The tag's indexes start with (tag, status): with no state asked for, each state is a walk.
    for status in query.statuses or (tuple(Status) if by_tag else (None,)):
        matching = sum(sizes.values()) if sizes is not None and status is None else \
            (sizes or {}).get(getattr(status, "value", None), SORT_IN_MEMORY + 1)
        if matching == 0:
            continue
        small = few or (tagged <= TAG_PICK if query.tag else matching <= SORT_IN_MEMORY)
        state = [keys.status == status.value if by_tag else Claim.status == status] if status is not None else []
        # An overdue claim has a due date: its undated walk could match nothing, yet walked a whole index.
        # Picked claims are sorted in memory, undated last, in one pass: split in two, each half was
        # read by whichever index its `due IS NULL` or `IS NOT NULL` suggested (every undated claim
        # of the state, ten thousand rows, to find the sixty unassigned ones), and the few were read twice.
        for dated in (((True,) if query.overdue else (True, False)) if due and not small else (None,)):
            dating = [] if dated is None else [keys.due.is_not(None) if dated else keys.due.is_(None)]
            walks.append(select(*columns).where(*(picked if small else walked), *state, *dating)
                         .order_by(*_order(query.sort, keys, dated=dated, unindexed=small)))
    if not walks:
        return None
    if len(walks) == 1:
        return walks[0].limit(limit).offset(offset).subquery("page")
    parts = [select(walk).select_from(walk) for walk in
             (w.limit(offset + limit).subquery(f"walk_{n}") for n, w in enumerate(walks))]
    merged = union_all(*parts).subquery("merged")
    return select(merged).order_by(*_order(query.sort, merged.c)).limit(limit).offset(offset).subquery("page")


# A tag's rows under the names of the claim's columns that the walks and `_order` read.
_TAG_KEYS = SimpleNamespace(id=claim_tags.c.claim_id, tag=claim_tags.c.tag, status=claim_tags.c.status,
                            assignee_id=claim_tags.c.assignee_id, priority=claim_tags.c.priority,
                            due=claim_tags.c.due, created_at=claim_tags.c.created_at,
                            updated_at=claim_tags.c.updated_at)


def _tag_conditions(query: QueueQuery) -> list:
    """`conditions` for a walk along a tag's indexes (claim_tags carries its claim's queue keys:
    claims/queue_counts.py), the state aside (each walk names its own)."""
    keys = _TAG_KEYS
    where = [keys.tag == query.tag, *_assignee(query, keys.assignee_id)]
    if query.priorities:
        # As on claims' walks: on SQLite a priority is checked on the index's entries, never a way in.
        priority = keys.priority + 0 if db.session.get_bind().dialect.name == "sqlite" else keys.priority
        where.append(priority.in_([int(p) for p in query.priorities]))
    if query.overdue:
        where.append(and_(keys.due < date.today(), keys.status.in_([s.value for s in OPEN])))
    return where


def _ids(query: QueueQuery, limit: int, offset: int, sizes: dict[str, int] | None = None) -> list[int]:
    """The ids of rows limit/offset of the sorted queue, in their order."""
    keys = _page_keys(query, limit, offset, sizes)
    if keys is None:
        return []
    return list(db.session.execute(select(keys.c.id).order_by(*_order(query.sort, keys.c))).scalars())


def _window(query: QueueQuery, limit: int, offset: int, sizes: dict[str, int] | None = None) -> list[Claim]:
    """Rows limit/offset of the sorted queue, with what the list shows loaded.

    Ids first, then the rows: the ids come from a narrow covering index (the sort needs no wide
    row with its quote and rationale), and only the page's rows are read in full.
    """
    ids = _ids(query, limit, offset, sizes)
    found = {c.id: c for c in db.session.execute(_with_display(select(Claim).where(Claim.id.in_(ids)))).scalars()}
    return [found[i] for i in ids if i in found]


def _lines(query: QueueQuery, limit: int, offset: int, sizes: dict[str, int] | None = None) -> list[QueueLine]:
    """The queue page's rows, in order, in ONE statement: the page's keys joined to what each row
    shows, its tags aggregated beside it (each statement is a round trip, dear on a database server)."""
    keys = _page_keys(query, limit, offset, sizes)
    if keys is None:
        return []
    tags = tags_beside(ClaimTag.tag, ClaimTag.claim_id == keys.c.id)
    rows = db.session.execute(
        select(Claim.id, Claim.quote, Claim.article_id, Article.title, Claim.status, Rating.name, Rating.colour,
               User.name, Claim.priority, Claim.due, Claim.created_at, Claim.evidence_count, Claim.comment_count,
               tags)
        .select_from(keys).join(Claim, Claim.id == keys.c.id).join(Article, Article.id == Claim.article_id)
        .outerjoin(Rating, Rating.id == Claim.rating_id).outerjoin(User, User.id == Claim.assignee_id)
        .order_by(*_order(query.sort, keys.c))).all()
    return [QueueLine(*row[:-1], tags=split_tags(row[-1])) for row in rows]


def page(query: QueueQuery, *, tabs: dict[str, int] | None = None, lines: bool = False) -> QueuePage:
    """One page of the queue: a count, the page's ids, its rows, four eager loads — whatever the desk's size.

    tabs: the query's `tab_counts` when the caller shows them too; the total is then their sum over
    the states asked for, and the walks know each state's size, so nothing is counted twice.
    lines: the rows as `QueueLine`s (what the queue page shows) instead of claims with their relations."""
    if tabs is None:
        total = count(query)
    else:
        total = sum(tabs[s.value] for s in query.statuses) if query.statuses else sum(tabs.values())
    limit, offset = query.per_page, (query.page - 1) * query.per_page
    items = _lines(query, limit, offset, tabs) if lines else _window(query, limit, offset, tabs)
    return QueuePage(query, items, total)


def rows(query: QueueQuery, *, limit: int, chunk: int = 500) -> Iterator[Claim]:
    """Every claim of the filtered queue up to `limit`, loaded `chunk` rows at a time (for exports)."""
    offset = 0
    while offset < limit:
        size = min(chunk, limit - offset)
        batch = _window(query, size, offset)
        yield from batch
        for claim in batch:
            db.session.expunge(claim)  # keep memory flat over a long export
        if len(batch) < size:
            return
        offset += size


def tab_counts(query: QueueQuery) -> dict[str, int]:
    """Claims per status under the other filters (one GROUP BY), for the tabs; every state is present."""
    counts = {s.value: 0 for s in Status}
    if _counted(query):
        table = _counts(query)
        stmt = select(table.status, func.sum(table.claims)) \
            .where(*_count_conditions(query, with_status=False)).group_by(table.status)
    else:
        stmt = select(Claim.status, func.count(Claim.id)).where(*conditions(query, with_status=False)) \
            .group_by(Claim.status)
    for status, n in db.session.execute(stmt):
        counts[Status(status).value] = int(n or 0)
    return counts


def my_work_count(actor: User) -> int:
    return count(my_work(actor))


def ids_in_order(ids: Iterable[int]) -> list[int]:
    """Distinct ids as sent, order kept (a bulk form may repeat one)."""
    seen: list[int] = []
    for i in ids:
        if i not in seen:
            seen.append(i)
    return seen
