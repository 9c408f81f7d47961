"""Meetings, their attendance, agenda, resolutions and action items as the API shows them."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain import vocabulary as v
from projections import queries as q
from projections.queries import pages
from projections.queries.pages import MeetingKey
from service.api import enums as e
from service.api.context import Context
from service.api.points import Cursor, meeting_cursor
from service.api.types.connection import Page, PageInfo
from service.api.types.node import Node
from service.api.types.plan import Plan, Strategy, plan_at, strategies_loader
from service.api.types.refs import shows


@strawberry.type(description="A person at (or absent from) a meeting.")
class Attendee:
    name: str = strawberry.field(description="The person's name.")
    position: str = strawberry.field(description="Their position, as the minutes give it (empty if none).")
    role: e.MeetingRole = strawberry.field(description="Their role at the meeting.")
    role_label: str = strawberry.field(description="`role` in Thai.")
    presence: e.Presence = strawberry.field(description="How they attended, or that they did not.")
    presence_label: str = strawberry.field(description="`presence` in Thai.")
    absence_reason: str | None = strawberry.field(
        description="Why an absent member did not come, in its usual word (ติดราชการ, ติดภารกิจ, ลาป่วย ...), OCR'd "
        "spellings read as the word; null when not absent, when no reason is given or it is not one known."
    )
    absence_note: str | None = strawberry.field(
        description="The words after an absent member's name as the minutes write them (e.g. OCR'd ตติราชการ)."
    )
    roles: list[e.MeetingRole] = strawberry.field(
        description="Every role they held: both where the minutes state two (a member who is also the secretary: "
        "MEMBER and SECRETARY), else just `role`."
    )
    remark: str | None = strawberry.field(
        default=None,
        description="What the minutes add of the person, as written: that they came late or left early "
        "(เข้าประชุมเวลา ๑๐.๐๐ น.), or presided in the chair's absence (ทำหน้าที่ประธาน); null when they add nothing.",
    )


@strawberry.type(description="A numbered item of a meeting's agenda.")
class AgendaItem:
    number: int = strawberry.field(description="The item's number on the agenda.")
    title: str = strawberry.field(description="The item's heading.")
    subject: str | None = strawberry.field(
        description="What the item is about (null where the minutes give none, or it was recorded before "
        "agenda items kept their subject)."
    )
    text: str | None = strawberry.field(
        description="What the minutes say under the item: the chair's announcements, a matter's background, the "
        "points of another matter (null where none is given, or it was recorded before agenda items kept it)."
    )


@strawberry.type(description="A numbered comment of the meeting's members.")
class Comment:
    number: int = strawberry.field(description="The comment's number.")
    text: str = strawberry.field(description="What was said.")
    strategy_numbers: list[int] | None = strawberry.field(
        description="The strategies the comment names, by number, in the order first named (empty: it names none; "
        "null: recorded before comments kept them)."
    )
    plan_id: strawberry.Private[UUID | None] = None

    @strawberry.field(description="The strategies the comment names, of the meeting's plan, in the order first named.")
    async def strategies(self, info: Info[Context, None]) -> list[Strategy]:
        if self.plan_id is None or not self.strategy_numbers:
            return []
        point = q.Point()
        rows = {r["number"]: r for r in await strategies_loader(info.context, point).load(self.plan_id)}
        return [Strategy.from_row(rows[n], self.plan_id, point) for n in self.strategy_numbers if n in rows]


@strawberry.type(description="One correction of earlier minutes.")
class Correction:
    where: str = strawberry.field(description="Where in the minutes, e.g. page 3, agenda item 4.")
    from_: str = strawberry.field(name="from", description="The text as the minutes had it.")
    to: str = strawberry.field(description="The text as corrected.")


@strawberry.type(description="At this meeting, the minutes of an earlier one were adopted, with corrections.")
class MinutesApproval:
    of_meeting_id: strawberry.ID = strawberry.field(description="The ID of the meeting whose minutes were adopted.")
    of_code: str = strawberry.field(description="That meeting's code.")
    corrections: list[Correction] = strawberry.field(description="The corrections made on adopting them.")


@strawberry.type(description="When the committee is to meet next, as a meeting set it.")
class NextMeeting:
    code: str = strawberry.field(description="The next meeting's code.")
    date: date = strawberry.field(description="The day it is to be held.")
    starts_at: time | None = strawberry.field(description="When it is to start, if set.")


@strawberry.type(description="Work a resolution assigned; `state` judged today (or on the day asked).")
class ActionItem:
    id: str = strawberry.field(description="The item's id within its meeting (not a global ID).")
    description: str = strawberry.field(description="The work to do.")
    owner: str = strawberry.field(description="Who is to do it.")
    due_on: date | None = strawberry.field(
        description="When it is due, as the resolution's words allow: a date named; the date of a meeting of this "
        "body named by its code, once known; the last day of the month of another body's meeting named by its "
        "month; for a periodic item, the next meeting of this body on or after the day asked. Null when nothing says."
    )
    due_meeting: str | None = strawberry.field(description="The meeting it is to be reported at, if one is named.")
    done_on: date | None = strawberry.field(description="When it was done; null while it is not.")
    periodic: bool = strawberry.field(
        description="To be reported periodically (เป็นระยะ): due again at each following meeting until done."
    )
    state: e.ActionItemState = strawberry.field(description="Open, done, or overdue (open after `dueOn`).")
    meeting_id: strawberry.ID = strawberry.field(description="The ID of the meeting whose resolution assigned it.")
    meeting_code: str = strawberry.field(description="That meeting's code, e.g. 1/2564.")
    resolution_id: str = strawberry.field(description="The id of the resolution that assigned it, within that meeting.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ActionItem:
        """From a row of the action-item read model (`state` already judged)."""
        return cls(
            id=row["item_id"],
            description=row["description"],
            owner=row["owner"],
            due_on=row["due_on"],
            due_meeting=row["due_meeting"],
            done_on=row["done_on"],
            periodic=bool(row.get("periodic")),
            state=e.ActionItemState[row["state"]],
            meeting_id=strawberry.ID(str(row["meeting_id"])),
            meeting_code=row["meeting_code"],
            resolution_id=row["resolution_id"],
        )


@strawberry.type(description="A change of a committee's membership: who left, who joined, by which resolution.")
class MembershipChange:
    id: str = strawberry.field(description="The change's id within its committee (not a global ID).")
    body: str = strawberry.field(description="The committee whose membership changed.")
    left: str = strawberry.field(
        description="Who left (a person, or a seat by its position), as the source names them."
    )
    joined: str = strawberry.field(description="Who joined in their place, as the source names them.")
    kind: e.MembershipChangeKind = strawberry.field(description="A named person, or a seat defined by a position.")
    resolution_body: str | None = strawberry.field(description="The body whose resolution made the change, if stated.")
    resolution_code: str | None = strawberry.field(description="That resolution's code (e.g. 12/2563), if stated.")
    resolution_on: date | None = strawberry.field(description="The day of that resolution, if stated.")
    takes_effect_on: date | None = strawberry.field(
        description="The day the change takes effect where the source states it; null otherwise (never guessed "
        "from the resolution's day)."
    )
    text: str | None = strawberry.field(description="The words announcing the change.")
    meeting_id: strawberry.ID | None = strawberry.field(description="The ID of the meeting that announced it, if any.")
    recorded_on: date = strawberry.field(description="The day it was recorded as known (the announcing meeting's).")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> MembershipChange:
        return cls(
            id=row["change_id"],
            body=row["body"],
            left=row["left_member"],
            joined=row["joined_member"],
            kind=e.MembershipChangeKind[row["kind"]],
            resolution_body=row["resolution_body"],
            resolution_code=row["resolution_code"],
            resolution_on=row["resolution_on"],
            takes_effect_on=row["takes_effect_on"],
            text=row["text"],
            meeting_id=None if row["meeting_id"] is None else strawberry.ID(row["meeting_id"]),
            recorded_on=row["recorded_on"],
        )


@strawberry.type(description="What a meeting resolved on an agenda item.")
class Resolution:
    id: str = strawberry.field(description="The resolution's id within its meeting (not a global ID).")
    agenda_item: int | None = strawberry.field(description="The number of the agenda item it resolves, if any.")
    kind: e.ResolutionKind = strawberry.field(description="What the meeting resolved.")
    kind_label: str = strawberry.field(description="`kind` in Thai.")
    text: str = strawberry.field(description="The resolution's wording.")
    action_items: list[ActionItem] = strawberry.field(description="The work it assigned.")
    meeting_id: strawberry.ID = strawberry.field(description="The ID of the meeting that adopted it.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Resolution:
        return cls(
            id=row["resolution_id"],
            agenda_item=row["agenda_item"],
            kind=e.ResolutionKind[row["kind"]],
            kind_label=v.ResolutionKind(row["kind"]).label,
            text=row["text"],
            action_items=[ActionItem.from_row(i) for i in row["action_items"]],
            meeting_id=strawberry.ID(str(row["meeting_id"])),
        )

    @strawberry.field(description="The meeting that adopted the resolution.")
    async def meeting(self, info: Info[Context, None]) -> Meeting | None:
        return await meeting_by_id(info.context, UUID(str(self.meeting_id)))


@strawberry.type(description="A meeting of a committee: when and where, who came, what it resolved.")
class Meeting(Node):
    id: strawberry.ID = strawberry.field(description="Globally unique: the UUID of the meeting's stream.")
    code: str = strawberry.field(description='Number/Buddhist Era year, e.g. "1/2564".')
    body: str = strawberry.field(description="The committee that met.")
    date: date = strawberry.field(description="The day it was held (or is to be).")
    starts_at: time | None = strawberry.field(description="When it started, if recorded.")
    ends_at: time | None = strawberry.field(description="When it ended, if recorded.")
    venue: str | None = strawberry.field(description="Where it sat, if recorded.")
    mode: e.MeetingMode | None = strawberry.field(
        description="In person, online or both, where stated; null when nothing says (a meeting only cited by "
        "other minutes, one announced as the next meeting)."
    )
    mode_label: str | None = strawberry.field(description="`mode` in Thai; null with it.")
    by_reference: bool = strawberry.field(
        description="Known only because other minutes cite it (no minutes of its own here)."
    )
    extraordinary: bool | None = strawberry.field(
        description="True for an extraordinary meeting (วิสามัญ), false for a regular one, where its minutes say; "
        "null when nothing says (a meeting only cited, or announced as the next)."
    )
    attendance: list[Attendee] = strawberry.field(description="Who attended and how, as recorded.")
    agenda: list[AgendaItem] = strawberry.field(description="The agenda, by number.")
    comments: list[Comment] = strawberry.field(description="The members' numbered comments.")
    minutes_approvals: list[MinutesApproval] = strawberry.field(
        description="Earlier meetings' minutes adopted at this one."
    )
    next_meeting: NextMeeting | None = strawberry.field(
        description="When the next meeting is to be, if this one set it."
    )
    plan_id: strawberry.ID | None = strawberry.field(description="The ID of the plan the meeting oversees, if any.")

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
            extraordinary=row.get("extraordinary"),
            attendance=[
                Attendee(
                    name=a["name"],
                    position=a.get("position") or "",
                    role=e.MeetingRole[a["role"]],
                    role_label=v.MeetingRole(a["role"]).label,
                    presence=e.Presence[a["presence"]],
                    presence_label=v.Presence(a["presence"]).label,
                    absence_reason=a.get("absence_reason"),
                    absence_note=a.get("absence_note"),
                    roles=[e.MeetingRole[r] for r in a.get("roles") or [a["role"]]],
                    remark=a.get("remark"),
                )
                for a in row["attendance"] or []
            ],
            agenda=[
                AgendaItem(number=a["number"], title=a["title"], subject=a.get("subject"), text=a.get("text"))
                for a in row["agenda"] or []
            ],
            comments=[
                Comment(
                    number=c["number"],
                    text=c["text"],
                    strategy_numbers=c.get("strategy_numbers"),
                    plan_id=row["plan_id"],
                )
                for c in row["comments"] or []
            ],
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

    @strawberry.field(description="The stream's version (what `expectedVersion` is checked against).")
    async def version(self, info: Info[Context, None]) -> int:
        loader = info.context.loaders.get("version", None, lambda conn, ids: q.stream_versions(conn, ids, None))
        found: int | None = await loader.load(UUID(str(self.id)))
        return found or 0

    @strawberry.field(description="Changes of the committee's membership announced at this meeting.")
    async def membership_changes(self, info: Info[Context, None]) -> list[MembershipChange]:
        meeting = UUID(str(self.id))
        rows = await info.context.read(lambda conn: q.membership_changes(conn, meeting_ids=[meeting]))
        return [MembershipChange.from_row(r) for r in rows]

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


@strawberry.type(description="One meeting of a page, with its cursor.")
class MeetingEdge:
    cursor: Cursor = strawberry.field(description="Where the meeting stands in the list: for `after` and `before`.")
    node: Meeting = strawberry.field(description="The meeting.")


@strawberry.type(description="A page of meetings in date order.")
class MeetingConnection:
    edges: list[MeetingEdge] = strawberry.field(description="The page's meetings, earliest first.")
    page_info: PageInfo = strawberry.field(description="Where the page stands, and the cursors to page on with.")
    plan_id: strawberry.Private[UUID | None]

    @strawberry.field(description="How many meetings the whole list holds (of the plan, if one is named).")
    async def total_count(self, info: Info[Context, None]) -> int:
        return await info.context.read(lambda conn: pages.meeting_count(conn, self.plan_id))

    @classmethod
    def of(cls, rows: list[dict[str, Any]], page: Page[MeetingKey], plan_id: UUID | None) -> MeetingConnection:
        kept, more = page.cut(rows)
        edges = [MeetingEdge(cursor=meeting_cursor(r), node=Meeting.from_row(r)) for r in kept]
        return cls(edges=edges, page_info=page.info([e.cursor for e in edges], more), plan_id=plan_id)


async def meetings_page(context: Context, plan_id: UUID | None, wanted: Page[MeetingKey]) -> MeetingConnection:
    rows = await context.read(
        lambda conn: pages.meetings_between(conn, plan_id, wanted.after, wanted.before, wanted.limit, wanted.backward)
    )
    return MeetingConnection.of(rows, wanted, plan_id)
