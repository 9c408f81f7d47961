"""Every event shape ever stored still loads (upcast when read) and projects to the answers
recorded when its fixture was made. Fixtures are never regenerated; a new shape adds a file.

Shapes so far:
- v1: the first release.
- v2: `Meeting.AgendaItemAdded` gained `subject` (class_version 2): what an agenda item is about,
  which the minutes give under its heading ("เรื่อง ..."). A v1 event is upcast with no subject.
- v3: key results, measurements, evaluation rules and period locks (new events, no new shapes).
- v4: unknown is unknown. `Plan.Created` v2 keeps the period's years where only they are stated
  (upcast: none, or the years the importer's invented 1 January .. 31 December came from);
  `Activity.RiskNoted` v2 may be not yet assessed (upcast: the importer's 3 × 3 stand-in reads as
  no assessment); `Meeting.Scheduled` v2 may have no mode (upcast: a cited meeting's default
  IN_PERSON reads as none); `Plan.FigureReported`, figures as reported, is new.
- v5 (read models version 5): `Meeting.AgendaItemAdded` v3 keeps the
  item's text (upcast: none); `Meeting.CommentRecorded` v2 the strategies a comment names (upcast:
  none, unknown); `Activity.StatusChanged` v2 the reasons one by one (upcast: none; the one reason
  stands as one); an attendee may carry an absence reason, its raw words and several roles (older
  attendees: none); action items' rows say whether they are periodic and their meeting's body;
  `Plan.ProposalUnitsStated`, `Committee.MembershipChanged`, `Meeting.MembershipChangeAnnounced`
  are new.
- v6 (read models version 6): `Meeting.KindStated`, whether a meeting was extraordinary, is new
  (older meetings: not stated).
- v7: an attendee may carry a remark, what the minutes add of the person as written ("came at
  10.00", "presided"): older attendees have none (not stated).

An old fixture's recorded answers lack what the read side has gained since; `ADDED_SINCE` says what
that is and the value the fixture's (upcast) events must give it. Nothing else may differ.
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from eventsourcing.persistence import StoredEvent

from domain import commands as c
from domain.activity import Activity
from domain.errors import IdempotencyKeyReused
from domain.facts import Meta
from domain.keyresult import KeyResult
from domain.meeting import Meeting
from domain.plan import Plan
from projections import queries as q
from projections.decode import Decoder, make_mapper
from projections.projector import Projector
from projections.rebuild import rebuild, verify
from service.application.ledger import PlanLedger
from service.config import ServerAddress
from service.store.portable import export_log, import_log
from tests.conftest import create_database, drop_database
from tests.fixtures.event_shapes import answers
from tests.fixtures.event_shapes import m as shapes_meta
from tests.paths import FIXTURES

FOLDER = FIXTURES
FIXTURES = sorted(FOLDER.glob("events_v*.ndjson"))
IDS = [f.stem for f in FIXTURES]
KINDS = {"domain.plan": Plan, "domain.activity": Activity, "domain.meeting": Meeting, "domain.keyresult": KeyResult}

#: fixture -> read-model fields added since it was made (a path into its answers) and their value
#: (read models version 3 gave plans their evaluation rules and period lock: none in v1 or v2)
PLAN_ADDED: list[tuple[tuple[str, ...], object]] = [
    *(((view, field), None) for view in ("plan", "plan_2021_01_01") for field in ("evaluation_rules", "lock")),
    (("key_results_2021_03_01",), []),
]


def _progress_known(rollup: str) -> str:
    """A recorded roll-up (its repr) with the count of activities whose progress is known, which
    read models version 4 gave it: 1 in every fixture so far (its one activity reported 45)."""
    return rollup.removesuffix(")") + ", progress_known=1)"


#: read models version 4: roll-ups count the activities with a progress reported; plans keep the
#: years of their period where only those are stated (none before v4: its fixture's plan has days)
V4_ADDED: list[tuple[tuple[str, ...], object]] = [
    *(
        ((view, *where, "rollup"), _progress_known)
        for view in ("plan", "plan_2021_01_01")
        for where in ((), ("strategies",))
    ),
    *(
        ((view, field), None)
        for view in ("plan", "plan_2021_01_01")
        for field in ("period_start_year", "period_end_year")
    ),
]
#: and the answers gained in v4: figures (none before), plans' years, how each meeting sat (the
#: fixtures before v4 scheduled 9/2563 with the default mode, which a meeting not cited keeps)
V4_ANSWERS: list[tuple[tuple[str, ...], object]] = [
    (("figures",), []),
    (("plan_years",), {"SHAPES": [None, None]}),
    (("meeting_modes",), {"1/2564": "HYBRID", "9/2563": "IN_PERSON"}),
]
#: read models version 5: an agenda item's text, a comment's strategies, an attendee's absence
#: reason (canonical and raw) and roles — none in any older fixture (unknown, not "none") — and
#: whether an action item is periodic, with its meeting's body
V5_ADDED: list[tuple[tuple[str, ...], object]] = [
    (("meeting", "agenda", "text"), None),
    (("meeting", "comments", "strategy_numbers"), None),
    (("meeting", "attendance", "absence_reason"), None),
    (("meeting", "attendance", "absence_note"), None),
    (("meeting", "attendance", "roles"), []),
    (("meeting", "resolutions", "action_items", "periodic"), True),  # the fixtures' one item is periodic
    (("meeting", "resolutions", "action_items", "body"), "HR committee"),
    # the fixtures' one proposal, with the units recorded with it (no strategy's list stated); no
    # membership change
    (
        ("proposals",),
        [
            {
                "fiscal_year": 2564,
                "plan_id": "e947751f-8b67-51be-95af-0ee2d385ad99",
                "proposal_id": "0001",
                "source": "HR office",
                "strategy_number": 1,
                "text": "More courses",
                "units": ["HR office"],
            }
        ],
    ),
    (("membership_changes",), []),
    # activities' reasons one by one: the fixtures' activities stand without a reason (none)
    *(
        ((view, *where, "activities", "status_reasons"), [])
        for view in ("plan", "plan_2021_01_01")
        for where in ((), ("strategies",))
    ),
]
#: read models version 6: whether a meeting was extraordinary (none of the older fixtures says)
V6_ADDED: list[tuple[tuple[str, ...], object]] = [(("meeting", "extraordinary"), None)]
#: v7: an attendee's remark (none in any older fixture: not stated)
V7_ADDED: list[tuple[tuple[str, ...], object]] = [(("meeting", "attendance", "remark"), None)]
ADDED_SINCE: dict[str, list[tuple[tuple[str, ...], object]]] = {
    "events_v1": [
        (("meeting", "agenda", "subject"), None),
        *PLAN_ADDED,
        *V4_ADDED,
        *V4_ANSWERS,
        *V5_ADDED,
        *V6_ADDED,
        *V7_ADDED,
    ],
    "events_v2": [*PLAN_ADDED, *V4_ADDED, *V4_ANSWERS, *V5_ADDED, *V6_ADDED, *V7_ADDED],
    "events_v3": [*V4_ADDED, *V4_ANSWERS, *V5_ADDED, *V6_ADDED, *V7_ADDED],
    "events_v4": [*V5_ADDED, *V6_ADDED, *V7_ADDED],
    "events_v5": [*V6_ADDED, *V7_ADDED],
    "events_v6": V7_ADDED,
}
#: Plan.Created v2 (fixture v4) states its period's years where only they are known
PLAN_YEARS_ADDED = {"Plan.Created": {"period_start_year": None, "period_end_year": None}}


def _attendees_v5(attendees: list[dict[str, object]]) -> list[dict[str, object]]:
    """Attendees as read today: with no absence reason, no raw words for it, no roles beyond `role`."""
    return _attendees_v7([{**a, "absence_reason": None, "absence_note": None, "roles": []} for a in attendees])


def _attendees_v7(attendees: list[dict[str, object]]) -> list[dict[str, object]]:
    """Attendees as read today: with no remark."""
    return [{**a, "remark": None} for a in attendees]


#: read models version 5's payload fields (a callable makes the new value of the stored one)
V5_PAYLOAD: dict[str, dict[str, object]] = {
    "Meeting.AgendaItemAdded": {"text": None},
    "Meeting.CommentRecorded": {"strategy_numbers": None},
    "Meeting.AttendanceRecorded": {"attendees": _attendees_v5},
    "Activity.StatusChanged": {"reasons": None},
}
#: fixture -> event type -> payload fields added since, and the value upcasting gives them
PAYLOAD_ADDED_SINCE: dict[str, dict[str, dict[str, object]]] = {
    "events_v1": {**V5_PAYLOAD, "Meeting.AgendaItemAdded": {"subject": None, "text": None}, **PLAN_YEARS_ADDED},
    "events_v2": {**V5_PAYLOAD, **PLAN_YEARS_ADDED},
    "events_v3": {**V5_PAYLOAD, **PLAN_YEARS_ADDED},
    "events_v4": V5_PAYLOAD,
    "events_v5": {"Meeting.AttendanceRecorded": {"attendees": _attendees_v7}},
    "events_v6": {"Meeting.AttendanceRecorded": {"attendees": _attendees_v7}},
}


def lines_of(fixture: Path) -> list[str]:
    return fixture.read_text(encoding="utf-8").splitlines()


def with_added(tree: Any, path: tuple[str, ...], value: object) -> Any:
    """`tree` with `value` put at `path` (a list on the way means: in every element); a callable
    `value` makes the new value of the recorded one."""
    if isinstance(tree, list):
        return [with_added(item, path, value) for item in tree]
    tree = dict(tree)
    if len(path) == 1:
        tree[path[0]] = value(tree[path[0]]) if callable(value) else value
    else:
        tree[path[0]] = with_added(tree[path[0]], path[1:], value)
    return tree


def expected_answers(fixture: Path) -> Any:
    recorded = json.loads(fixture.with_name(fixture.stem + ".answers.json").read_text(encoding="utf-8"))
    for path, value in ADDED_SINCE.get(fixture.stem, []):
        recorded = with_added(recorded, path, value)
    return recorded


async def load(address: ServerAddress, lines: list[str]) -> None:
    PlanLedger.connect(address).close()  # an empty store, as import-log expects
    conn = await asyncpg.connect(**address.asyncpg_args())
    try:
        loaded = await import_log(conn, lines)
        assert loaded.events == len(lines)
    finally:
        await conn.close()


async def read(address: ServerAddress, work: Any) -> Any:
    conn = await asyncpg.connect(**address.asyncpg_args())
    try:
        return await work(conn)
    finally:
        await conn.close()


async def exported(address: ServerAddress) -> str:
    out = io.StringIO()
    await read(address, lambda conn: export_log(conn, out))
    return out.getvalue()


@pytest.fixture
def second(server: ServerAddress) -> Iterator[ServerAddress]:
    address = create_database(server)
    try:
        yield address
    finally:
        drop_database(server, address)


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
async def test_an_old_shape_loads_and_projects_to_its_recorded_answers(database: ServerAddress, fixture: Path) -> None:
    await load(database, lines_of(fixture))
    expected = expected_answers(fixture)
    # the projector's path (event by event, as a running server projects)...
    await Projector(database.asyncpg_args()).catch_up()
    assert await read(database, answers) == expected
    # ...agrees row for row with the rebuild's path (stream by stream), which then serves the same
    assert await verify(database.asyncpg_args()) == []
    await rebuild(database.asyncpg_args())
    assert await read(database, answers) == expected

    # the write side folds every stream from its stored events (eventsourcing's mapper upcasts)
    ledger = PlanLedger.connect(database)
    try:
        streams = {
            (json.loads(line)["stream"], json.loads(line)["topic"].partition(":")[0]) for line in lines_of(fixture)
        }
        for stream, module in streams:
            kind = KINDS.get(module)
            if kind is not None:
                assert ledger.load(kind, UUID(stream)).state.exists
        meeting = UUID(agenda_line(fixture)["stream"])
        agenda = ledger.load(Meeting, meeting).state.agenda
        assert (agenda[1].number, agenda[1].title, agenda[1].subject) == (
            1,
            "Progress",
            expected["meeting"]["agenda"][0]["subject"],
        )
    finally:
        ledger.close()


def agenda_line(fixture: Path) -> dict[str, Any]:
    """The fixture's one `Meeting.AgendaItemAdded` line (the event whose shape changed in v2)."""
    line: dict[str, Any] = next(
        json.loads(text) for text in lines_of(fixture) if '"type":"Meeting.AgendaItemAdded"' in text
    )
    return line


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
def test_the_read_side_decodes_every_shape_as_the_write_side_does(fixture: Path) -> None:
    """The projections' fast decoder upcasts exactly as eventsourcing's mapper does."""
    decoder, mapper = Decoder(), make_mapper()
    upcast = 0
    for line in map(json.loads, lines_of(fixture)):
        stream, state = UUID(line["stream"]), line["state"].encode()
        decoded = decoder.decode(line["position"], stream, line["version"], line["topic"], state)
        if decoded is None:  # not a domain fact (an idempotency key)
            assert not line["topic"].startswith("domain.")
            continue
        event = mapper.to_domain_event(
            StoredEvent(originator_id=stream, originator_version=line["version"], topic=line["topic"], state=state)
        )
        assert vars(decoded.fact) == vars(event)
        assert "class_version" not in vars(decoded.fact)
        if line["type"] == "Meeting.AgendaItemAdded" and line["payload"]["number"] == 1:
            stored_version = json.loads(line["state"]).get("class_version", 1)
            assert type(decoded.fact).class_version == 3  # type: ignore[attr-defined]
            assert decoded.fact.subject == (None if stored_version == 1 else "The FY 2564 action plan")  # type: ignore[attr-defined]
            upcast += stored_version == 1
    assert upcast == (1 if fixture.stem == "events_v1" else 0)


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
async def test_an_old_shape_exports_as_stored_and_round_trips(
    database: ServerAddress, second: ServerAddress, fixture: Path
) -> None:
    """Export keeps each event's stored state byte for byte (its shape as written); only the
    readable `payload` is read through today's classes, with upcast fields. Export → import-log →
    export then gives the same bytes."""
    original = lines_of(fixture)
    await load(database, original)
    first = await exported(database)
    added = PAYLOAD_ADDED_SINCE.get(fixture.stem, {})
    for before, after in zip(original, first.splitlines(), strict=True):
        was, now = json.loads(before), json.loads(after)
        if "payload" in was:
            was = copy.deepcopy(was)
            for name, value in added.get(was["type"], {}).items():
                was["payload"][name] = value(was["payload"][name]) if callable(value) else value
        assert now == was
    await load(second, first.splitlines())
    await rebuild(second.asyncpg_args())
    assert await exported(second) == first
    assert await read(second, answers) == expected_answers(fixture)


async def test_a_log_of_old_and_new_shapes_projects_and_corrects_an_old_fact(
    database: ServerAddress, second: ServerAddress
) -> None:
    """An upgrade in place: v1 events stay as stored, new ones are written as v2, and an old fact is
    corrected with a field it never had (the subject the first import did not keep)."""
    v1 = FOLDER / "events_v1.ndjson"
    await load(database, lines_of(v1))
    await Projector(database.asyncpg_args()).catch_up()
    old = agenda_line(v1)
    meeting, version = UUID(old["stream"]), old["version"]
    on = date(2021, 1, 20)
    ledger = PlanLedger.connect(database)
    try:
        at = Meta(on, "shapes", str(meeting))
        ledger.execute(c.AddAgendaItem(meeting, 2, "Other business", "A contingency plan"), at)
        ledger.execute(
            c.CorrectEvent(meeting, version, {"subject": "Progress of the FY 2564 plan"}),
            Meta(on, "shapes", str(meeting), "the first import dropped the subject"),
        )
        assert [(a.number, a.subject) for a in ledger.load(Meeting, meeting).state.agenda.values()] == [
            (1, "Progress of the FY 2564 plan"),
            (2, "A contingency plan"),
        ]
    finally:
        ledger.close()
    await Projector(database.asyncpg_args()).catch_up()
    found = await read(database, lambda conn: q.meeting(conn, meeting))
    assert found["agenda"] == [
        {"number": 1, "title": "Progress", "subject": "Progress of the FY 2564 plan", "text": None},
        {"number": 2, "title": "Other business", "subject": "A contingency plan", "text": None},
    ]
    assert await verify(database.asyncpg_args()) == []
    stored = await read(
        database,
        lambda conn: conn.fetch(
            "SELECT originator_version, convert_from(state, 'UTF8')::jsonb->'class_version' AS shape "
            "FROM planledger_events WHERE originator_id = $1 AND topic LIKE '%AgendaItemAdded' "
            "ORDER BY originator_version",
            meeting,
        ),
    )
    assert [r["shape"] for r in stored] == [None, "3"]  # the old event is never rewritten
    first = await exported(database)
    await load(second, first.splitlines())
    await rebuild(second.asyncpg_args())
    assert await exported(second) == first
    assert await read(second, lambda conn: q.meeting(conn, meeting)) == found


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
async def test_an_idempotency_key_saved_before_keys_were_scoped_still_answers_its_actor(
    database: ServerAddress, fixture: Path
) -> None:
    # Keys are scoped by actor now (a predictable key another token used first refused this one's
    # command); the fixture's key was saved unscoped, by the actor "shapes", for an outcome.
    await load(database, lines_of(fixture))
    [used] = [json.loads(json.loads(text)["state"]) for text in lines_of(fixture) if "IdempotencyKey.Used" in text]
    activity, version = UUID(used["stream_id"]["_data_"]), used["version"]
    retried = c.RecordOutcome(activity, "130 trained")
    ledger = PlanLedger.connect(database)
    try:
        again = ledger.execute(retried, shapes_meta("2021-02-01"), idempotency_key="shapes-key")
        assert (again.stream_id, again.version, again.replayed) == (activity, version, True)
        with pytest.raises(IdempotencyKeyReused):
            ledger.execute(c.RecordOutcome(activity, "131"), shapes_meta("2021-02-01"), idempotency_key="shapes-key")
        # another actor's use of the same key is its own, and replays as its own
        other = Meta(effective_on=date(2021, 2, 2), actor="another token's owner")
        latest = ledger.load(Activity, activity, fresh=True).version
        mine = ledger.execute(c.RecordOutcome(activity, "131"), other, idempotency_key="shapes-key")
        assert (mine.version, mine.replayed) == (latest + 1, False)
        mine_again = ledger.execute(c.RecordOutcome(activity, "131"), other, idempotency_key="shapes-key")
        assert (mine_again.version, mine_again.replayed) == (mine.version, True)
        # and the first actor's key still answers the first actor
        assert ledger.execute(retried, shapes_meta("2021-02-01"), idempotency_key="shapes-key").version == version
    finally:
        ledger.close()
