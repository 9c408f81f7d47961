"""Meetings, their attendance, agenda, resolutions and action items as the API shows them."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain import vocabulary as v
from projections import queries as q
from service.api import enums as e
from service.api.context import Context
from service.api.points import Cursor, meeting_cursor
from service.api.types.event import PageInfo
from service.api.types.plan import Plan, plan_at
from service.api.types.refs import shows


@strawberry.type(description="A person at (or absent from) a meeting.")
class Attendee:
    name: str
    position: str
    role: e.MeetingRole
    role_label: str
    presence: e.Presence
    presence_label: str


@strawberry.type
class AgendaItem:
    number: int
    title: str
    subject: str | None = strawberry.field(
        description="What the item is about (null where the minutes give none, or it was recorded before "
        "agenda items kept their subject)."
    )


@strawberry.type(description="A numbered comment of the meeting's members.")
class Comment:
    number: int
    text: str


@strawberry.type(description="One correction of earlier minutes.")
class Correction:
    where: str
    from_: str = strawberry.field(name="from")
    to: str


@strawberry.type(description="At this meeting, the minutes of an earlier one were adopted, with corrections.")
class MinutesApproval:
    of_meeting_id: strawberry.ID
    of_code: str
    corrections: list[Correction]


@strawberry.type
class NextMeeting:
    code: str
    date: date
    starts_at: time | None


@strawberry.type(description="Work a resolution assigned; `state` judged today.")
class ActionItem:
    id: str
    description: str
    owner: str
    due_on: date | None
    due_meeting: str | None
    done_on: date | None
    state: e.ActionItemState


@strawberry.type(description="What a meeting resolved on an agenda item.")
class Resolution:
    id: str
    agenda_item: int | None
    kind: e.ResolutionKind
    kind_label: str
    text: str
    action_items: list[ActionItem]
    meeting_id: strawberry.ID

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Resolution:
        return cls(
            id=row["resolution_id"],
            agenda_item=row["agenda_item"],
            kind=e.ResolutionKind[row["kind"]],
            kind_label=v.ResolutionKind(row["kind"]).label,
            text=row["text"],
            action_items=[
                ActionItem(
                    id=i["item_id"],
                    description=i["description"],
                    owner=i["owner"],
                    due_on=i["due_on"],
                    due_meeting=i["due_meeting"],
                    done_on=i["done_on"],
                    state=e.ActionItemState[i["state"]],
                )
                for i in row["action_items"]
            ],
            meeting_id=strawberry.ID(str(row["meeting_id"])),
        )

    @strawberry.field(description="The meeting that adopted the resolution.")
    async def meeting(self, info: Info[Context, None]) -> Meeting | None:
        return await meeting_by_id(info.context, UUID(str(self.meeting_id)))


@strawberry.type(description="A meeting of a committee: when and where, who came, what it resolved.")
class Meeting:
    id: strawberry.ID
    code: str = strawberry.field(description='Number/Buddhist Era year, e.g. "1/2564".')
    body: str = strawberry.field(description="The committee that met.")
    date: date
    starts_at: time | None
    ends_at: time | None
    venue: str | None
    mode: e.MeetingMode | None = strawberry.field(
        description="In person, online or both, where stated; null when nothing says (a meeting only cited by "
        "other minutes, one announced as the next meeting)."
    )
    mode_label: str | None
    by_reference: bool = strawberry.field(
        description="Known only because other minutes cite it (no minutes of its own here)."
    )
    attendance: list[Attendee]
    agenda: list[AgendaItem]
    comments: list[Comment]
    minutes_approvals: list[MinutesApproval]
    next_meeting: NextMeeting | None
    plan_id: strawberry.ID | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Meeting:
        nxt = row["next_meeting"]
        return cls(
            id=strawberry.ID(str(row["id"])),
            code=row["code"],
            body=row["body"],
            date=row["meeting_on"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            venue=row["venue"],
            mode=None if row["mode"] is None else e.MeetingMode[row["mode"]],
            mode_label=None if row["mode"] is None else v.MeetingMode(row["mode"]).label,
            by_reference=bool(row["by_reference"]),
            attendance=[
                Attendee(
                    name=a["name"],
                    position=a.get("position") or "",
                    role=e.MeetingRole[a["role"]],
                    role_label=v.MeetingRole(a["role"]).label,
                    presence=e.Presence[a["presence"]],
                    presence_label=v.Presence(a["presence"]).label,
                )
                for a in row["attendance"] or []
            ],
            agenda=[
                AgendaItem(number=a["number"], title=a["title"], subject=a.get("subject")) for a in row["agenda"] or []
            ],
            comments=[Comment(number=c["number"], text=c["text"]) for c in row["comments"] or []],
            minutes_approvals=[
                MinutesApproval(
                    of_meeting_id=strawberry.ID(str(m["of_meeting_id"])),
                    of_code=m["of_code"],
                    corrections=[
                        Correction(where=c["where"], from_=c["from_text"], to=c["to_text"])
                        for c in m.get("corrections") or []
                    ],
                )
                for m in row["minutes_approvals"] or []
            ],
            next_meeting=None
            if not nxt
            else NextMeeting(
                code=nxt["code"],
                date=date.fromisoformat(nxt["on"]),
                starts_at=time.fromisoformat(nxt["starts_at"]) if nxt.get("starts_at") else None,
            ),
            plan_id=None if row["plan_id"] is None else strawberry.ID(str(row["plan_id"])),
        )

    @strawberry.field(description="Resolutions by agenda item.")
    async def resolutions(self, info: Info[Context, None]) -> list[Resolution]:
        loader = info.context.loaders.get("resolutions", None, q.resolutions_of, list)
        rows = await loader.load(UUID(str(self.id)))
        return [Resolution.from_row(r) for r in rows]

    @strawberry.field(description="The plan the meeting oversees, if any.")
    async def plan(self, info: Info[Context, None]) -> Plan | None:
        return None if self.plan_id is None else await plan_at(info.context, UUID(str(self.plan_id)), q.Point())


async def meeting_by_id(context: Context, meeting_id: UUID) -> Meeting | None:
    loader = context.loaders.get("meetings", None, q.meetings_by_id)
    row = await loader.load(meeting_id)
    return None if row is None else Meeting.from_row(row)


@shows("Meeting")
async def meeting_shown(context: Context, meeting_id: UUID, point: q.Point) -> Meeting | None:
    """A meeting another module shows (a reported figure's); meetings are read as they stand."""
    return await meeting_by_id(context, meeting_id)


@strawberry.type
class MeetingEdge:
    cursor: Cursor
    node: Meeting


@strawberry.type(description="A page of meetings in date order.")
class MeetingConnection:
    edges: list[MeetingEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, rows: list[dict[str, Any]], first: int) -> MeetingConnection:
        page = rows[:first]
        edges = [MeetingEdge(cursor=meeting_cursor(r), node=Meeting.from_row(r)) for r in page]
        return cls(
            edges=edges,
            page_info=PageInfo(has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None),
        )
