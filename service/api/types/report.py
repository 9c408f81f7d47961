"""The reporting cycle as the API shows it: the report before a meeting, and a unit's due updates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from projections import queries as q
from projections import report as r
from service.api import enums as e
from service.api.types.change import ActivityChange, PlanChanges, RescoredRisk
from service.api.types.event import Event
from service.api.types.keyresult import KeyResult
from service.api.types.plan import Activity, Milestone, Risk


@strawberry.type(description="A meeting of the committee: one end of a reporting period.")
class MeetingRef:
    id: strawberry.ID = strawberry.field(description="The meeting's ID.")
    code: str = strawberry.field(description="The meeting's code, e.g. 1/2564.")
    date: date = strawberry.field(description="The day it was held (or is to be).")

    @classmethod
    def of(cls, ref: r.MeetingRef | None) -> MeetingRef | None:
        return None if ref is None else cls(id=strawberry.ID(str(ref.id)), code=ref.code, date=ref.on)


@strawberry.type(description="A measurement recorded for the period, with its key result's title.")
class PeriodMeasurement:
    key_result_id: strawberry.ID = strawberry.field(description="The ID of the key result measured.")
    key_result_title: str | None = strawberry.field(description="Its title.")
    measurement_id: str = strawberry.field(
        description="The measurement's id within its key result (`m` and a version)."
    )
    value: float = strawberry.field(description="The value measured.")
    measured_on: date = strawberry.field(description="The date it holds for.")
    source: str | None = strawberry.field(description="Where the number comes from, if given.")
    note: str | None = strawberry.field(description="A note on it, if given.")


@strawberry.type(description="Open work from an earlier resolution, and where it is due.")
class OpenActionItem:
    id: str = strawberry.field(description="The item's id within its meeting.")
    description: str = strawberry.field(description="The work to do.")
    owner: str = strawberry.field(description="Who is to do it.")
    meeting_code: str = strawberry.field(description="The meeting whose resolution assigned it.")
    resolution_id: str = strawberry.field(description="The id of the resolution that assigned it, within that meeting.")
    due_on: date | None = strawberry.field(description="When it is due, if a date is set.")
    due_meeting: str | None = strawberry.field(description="The meeting it is to be reported at, if one is named.")
    state: e.ActionItemState = strawberry.field(description="Judged on the report's date.")

    @classmethod
    def of(cls, row: dict[str, Any]) -> OpenActionItem:
        return cls(
            id=row["item_id"],
            description=row["description"],
            owner=row["owner"],
            meeting_code=row["meeting_code"],
            resolution_id=row["resolution_id"],
            due_on=row["due_on"],
            due_meeting=row["due_meeting"],
            state=e.ActionItemState[row["state"]],
        )


@strawberry.type(description="What one responsible unit has not updated since the previous meeting.")
class UnitToChase:
    unit: str | None = strawberry.field(description="Null: no unit is named (e.g. a key result on a strategy).")
    activities: list[Activity] = strawberry.field(description="Its activities with no update in the period.")
    key_results: list[KeyResult] = strawberry.field(description="Its key results with no measurement in the period.")


@strawberry.type(description="What the secretariat prepares before a meeting: the period since the previous one.")
class ProgressReport:
    plan_id: strawberry.ID = strawberry.field(description="The ID of the plan.")
    meeting: MeetingRef = strawberry.field(description="The meeting the report is for: the end of the period.")
    previous_meeting: MeetingRef | None = strawberry.field(description="Null: the first meeting; since the start.")
    known_at: datetime | None = strawberry.field(description="As known at this time; null: now.")
    changed_activities: list[ActivityChange] = strawberry.field(
        description="Activities whose status, progress or outcome changed in the period."
    )
    measurements: list[PeriodMeasurement] = strawberry.field(description="Measurements effective in the period.")
    not_updated: list[UnitToChase] = strawberry.field(
        description="Activities (not completed or cancelled) and key results with no update in the period, by unit."
    )
    milestones_due: list[Milestone] = strawberry.field(
        description="Milestones due in the period, whatever became of them."
    )
    milestones_overdue: list[Milestone] = strawberry.field(description="Milestones still planned past their due date.")
    key_results_off_track: list[KeyResult] = strawberry.field(description="Key results OFF_TRACK or AT_RISK.")
    risks_noted: list[Risk] = strawberry.field(description="Risks noted in the period.")
    risks_raised: list[RescoredRisk] = strawberry.field(description="Risks whose score went up in the period.")
    open_action_items: list[OpenActionItem] = strawberry.field(
        description="Work assigned by earlier meetings' resolutions and not done by this meeting."
    )
    late_reports: list[Event] = strawberry.field(
        description="Late reports told in the period (at this meeting, or as live updates since the previous one): "
        "facts effective inside a period closed by approved minutes, each with `late` naming the closed meeting."
    )

    @classmethod
    def of(cls, found: r.ProgressReport) -> ProgressReport:
        point = q.Point(found.meeting.on, found.known_at)
        since = q.Point(found.since, found.known_at)
        changes = PlanChanges.of(found.changes, since, point)
        meeting = MeetingRef.of(found.meeting)
        assert meeting is not None
        return cls(
            plan_id=strawberry.ID(str(found.plan_id)),
            meeting=meeting,
            previous_meeting=MeetingRef.of(found.previous),
            known_at=found.known_at,
            changed_activities=changes.activities,
            measurements=[
                PeriodMeasurement(
                    key_result_id=strawberry.ID(str(m["key_result_id"])),
                    key_result_title=m["key_result_title"],
                    measurement_id=m["measurement_id"],
                    value=float(m["value"]),
                    measured_on=m["measured_on"],
                    source=m["source"],
                    note=m["note"],
                )
                for m in found.measurements
            ],
            not_updated=[
                UnitToChase(
                    unit=c.unit,
                    activities=[Activity.from_row(a, point) for a in c.activities],
                    key_results=[KeyResult.from_row(k, point) for k in c.key_results],
                )
                for c in found.not_updated
            ],
            milestones_due=[Milestone.from_row(m, point) for m in found.milestones_due],
            milestones_overdue=[Milestone.from_row(m, point) for m in found.milestones_overdue],
            key_results_off_track=[KeyResult.from_row(k, point) for k in found.key_results_at_risk],
            risks_noted=changes.risks_noted,
            risks_raised=PlanChanges.of(q.Changes(risks_rescored=found.risks_raised), since, point).risks_rescored,
            open_action_items=[OpenActionItem.of(i) for i in found.open_action_items],
            late_reports=[_late_event(row) for row in found.late_reports],
        )


def _late_event(row: dict[str, Any]) -> Event:
    event = Event.from_row(row)
    event.known_late = row["late"]
    return event


@strawberry.type(description="What a unit still has to report before the committee's next meeting.")
class DueUpdates:
    plan_id: strawberry.ID = strawberry.field(description="The ID of the plan.")
    unit: str = strawberry.field(description="The responsible unit.")
    on: date = strawberry.field(description="The day this was judged on.")
    last_meeting: MeetingRef | None = strawberry.field(
        description="The committee's last meeting held by the day judged: the period starts there."
    )
    next_meeting: MeetingRef | None = strawberry.field(
        description="The committee's next meeting, if scheduled: what to report by."
    )
    activities: list[Activity] = strawberry.field(description="Its activities with no update since the last meeting.")
    key_results: list[KeyResult] = strawberry.field(description="Key results of its activities not measured since.")
    milestones: list[Milestone] = strawberry.field(description="Its milestones due by the next meeting, or overdue.")
    risks_to_review: list[Risk] = strawberry.field(description="Its open risks due for review by the next meeting.")
    action_items: list[OpenActionItem] = strawberry.field(description="Open action items it owns.")

    @classmethod
    def of(cls, found: r.DueUpdates) -> DueUpdates:
        point = q.Point(found.on, found.known_at)
        return cls(
            plan_id=strawberry.ID(str(found.plan_id)),
            unit=found.unit,
            on=found.on,
            last_meeting=MeetingRef.of(found.last_meeting),
            next_meeting=MeetingRef.of(found.next_meeting),
            activities=[Activity.from_row(a, point) for a in found.activities],
            key_results=[KeyResult.from_row(k, point) for k in found.key_results],
            milestones=[Milestone.from_row(m, point) for m in found.milestones],
            risks_to_review=[Risk.from_row(x, point) for x in found.risks_to_review],
            action_items=[OpenActionItem.of(i) for i in found.action_items],
        )
