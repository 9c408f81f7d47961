"""The one path of every command (service/application/run.py) with the ledger and the meetings
port faked: access comes before the command is built, then the meta is resolved by the rules a
mutation and the importer share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain import commands as c
from domain.errors import Forbidden, ValidationError
from domain.facts import Meta
from service.application.access import Principal
from service.application.ledger import Receipt
from service.application.meta import MetaRequest
from service.application.roles import Role
from service.application.run import Draft, run_command

MEETING = UUID("00000000-0000-0000-0000-00000000e001")
HELD_ON = date(2021, 1, 6)


class Ledger:
    """Records what it was asked to execute."""

    def __init__(self) -> None:
        self.executed: list[tuple[c.Command, Meta, dict[str, Any]]] = []
        self.appender = None  # (no event loop path: every command runs in a thread)

    def load(self, kind: Any, stream_id: UUID, *, read_only: bool = False) -> Any:
        raise AssertionError("only a unit's command loads anything")

    def execute(self, command: c.Command, meta: Meta, **options: Any) -> Receipt:
        self.executed.append((command, meta, options))
        return Receipt(uuid4(), 1, 1)


class Meetings:
    def __init__(self, by_code: dict[str, list[UUID]]) -> None:
        self.by_code = by_code

    async def ids_by_code(self, code: str) -> Sequence[UUID]:
        return self.by_code.get(code, [])

    async def date_of(self, meeting_id: UUID) -> date | None:
        return HELD_ON if meeting_id == MEETING else None


async def run(
    command: c.Command | Draft, request: MetaRequest, role: Role = Role.SECRETARIAT, **by_code: list[UUID]
) -> tuple[c.Command, Meta, dict[str, Any]]:
    ledger = Ledger()
    meetings = Meetings({code.replace("_", "/"): ids for code, ids in by_code.items()})
    await run_command(Principal("Somsri", role), command, request, ledger=ledger, meetings=meetings)
    [executed] = ledger.executed
    return executed


async def test_a_role_that_may_not_run_a_command_is_refused_before_it_is_built() -> None:
    built = []

    def malformed() -> c.Command:
        built.append(True)
        raise ValidationError("changes", "give an object of field names and their corrected values")

    draft = Draft(c.CorrectEvent, malformed)
    for role in (Role.READER, Role.UNIT, Role.COMMITTEE):
        with pytest.raises(Forbidden, match=f"the {role} role may not correctEvent"):
            await run_command(Principal("x", role), draft, MetaRequest(), ledger=Ledger(), meetings=Meetings({}))
    assert built == []
    with pytest.raises(ValidationError) as error:
        await run_command(
            Principal("x", Role.SECRETARIAT), draft, MetaRequest(), ledger=Ledger(), meetings=Meetings({})
        )
    assert error.value.field == "changes" and built == [True]


async def test_the_command_runs_as_the_principal_with_its_version_and_key() -> None:
    command = c.StateVision(uuid4(), "A happy city")
    request = MetaRequest(effective_on=date(2021, 3, 1), reason="r", expected_version=4, idempotency_key="k")
    ran, meta, options = await run(Draft(c.StateVision, lambda: command), request)
    assert ran is command
    assert meta == Meta(date(2021, 3, 1), "Somsri", None, "r")
    assert options == {"expected_version": 4, "idempotency_key": "k"}


async def test_a_meeting_named_by_code_gives_its_id_and_its_date() -> None:
    _, meta, _ = await run(c.StateVision(uuid4(), "v"), MetaRequest(meeting=" 1/2564 "), **{"1_2564": [MEETING]})
    assert (meta.meeting_id, meta.effective_on) == (str(MEETING), HELD_ON)
    _, meta, _ = await run(
        c.StateVision(uuid4(), "v"), MetaRequest(meeting=str(MEETING), effective_on=date(2021, 2, 1))
    )
    assert (meta.meeting_id, meta.effective_on) == (str(MEETING), date(2021, 2, 1))  # a date given wins


async def test_without_a_date_or_a_meeting_the_command_s_default_else_today() -> None:
    _, meta, _ = await run(c.StateVision(uuid4(), "v"), MetaRequest(default_on=date(2020, 5, 5)))
    assert meta.effective_on == date(2020, 5, 5)
    _, meta, _ = await run(c.StateVision(uuid4(), "v"), MetaRequest())
    assert meta.effective_on == date.today()


@pytest.mark.parametrize(
    ("meeting", "message"),
    [
        ("  ", "give a meeting ID or a code such as 1/2564"),
        ("7/2564", "no meeting with id or code '7/2564'"),
        ("1/2564", "several meetings have the code '1/2564'; give the meeting's ID"),
    ],
)
async def test_a_meeting_that_names_none_or_several_is_refused_naming_the_field(meeting: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        await run(c.ReportProgress(uuid4(), Decimal(1)), MetaRequest(meeting=meeting), **{"1_2564": [MEETING, uuid4()]})
    assert error.value.field == "meeting" and error.value.message == f"meeting: {message}"
