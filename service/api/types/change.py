"""Baseline comparison: what changed in a plan between two points."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from domain import vocabulary as v
from projections import queries as q
from service.api import enums as e
from service.api.points import PointShown, shown
from service.api.types.event import LateReport
from service.api.types.meeting import Resolution
from service.api.types.plan import Milestone, Risk


@strawberry.type(description="Status, progress and outcome of an activity at one point.")
class ActivityValues:
    status: e.ActivityStatus | None = strawberry.field(description="Where the activity stands.")
    status_label: str | None = strawberry.field(description="`status` in Thai.")
    progress: float | None = strawberry.field(description="Reported progress in percent.")
    outcome: str | None = strawberry.field(description="What it achieved, as recorded.")


@strawberry.type(description="An activity whose status, progress or outcome changed.")
class ActivityChange:
    activity_id: strawberry.ID = strawberry.field(description="The ID of the activity.")
    title: str = strawberry.field(description="Its title.")
    changed: list[str] = strawberry.field(description="Which of status, progress, outcome changed.")
    before: ActivityValues | None = strawberry.field(description="Null: the activity did not exist yet.")
    after: ActivityValues = strawberry.field(description="Its status, progress and outcome at the later point.")
    effective_on: date | None = strawberry.field(
        description="The effective date of the latest fact that made the change (told after the earlier point)."
    )
    heard_at: str | None = strawberry.field(
        description="The code of the meeting that heard it (null: a live update, or a meeting not known by code)."
    )
    heard_at_id: strawberry.ID | None = strawberry.field(description="The ID of the meeting that heard it.")
    late_report: bool = strawberry.field(
        description="True when that fact is a late report: effective inside a period closed by approved minutes, "
        "told after that period's meeting (see `late`)."
    )
    late: LateReport | None = strawberry.field(
        description="For a late report: the closed meeting it is late on, and why. Null: not late."
    )


@strawberry.type(description="A milestone whose due date moved later.")
class SlippedMilestone:
    milestone: Milestone = strawberry.field(description="The milestone at the later point.")
    due_before: date = strawberry.field(description="When it was due at the earlier point.")
    slipped_days: int = strawberry.field(description="How many days later it is due now.")


@strawberry.type(description="A risk whose score changed (or that was assessed: it had none before).")
class RescoredRisk:
    risk: Risk = strawberry.field(description="The risk at the later point.")
    score_before: int | None = strawberry.field(
        description="Its score at the earlier point; null: the risk was not yet assessed then."
    )
    level_before: e.RiskLevel | None = strawberry.field(
        description="Its level at the earlier point; null: not yet assessed then."
    )


@strawberry.type(description="What changed in a plan between two points (a baseline comparison).")
class PlanChanges:
    from_: PointShown = strawberry.field(name="from", description="The earlier point.")
    to: PointShown = strawberry.field(description="The later point.")
    activities: list[ActivityChange] = strawberry.field(
        description="Activities whose status, progress or outcome changed."
    )
    milestones_met: list[Milestone] = strawberry.field(description="Milestones achieved in between.")
    milestones_slipped: list[SlippedMilestone] = strawberry.field(description="Milestones whose due date moved later.")
    risks_noted: list[Risk] = strawberry.field(description="Risks noted in between.")
    risks_rescored: list[RescoredRisk] = strawberry.field(description="Risks whose score changed.")
    risks_closed: list[Risk] = strawberry.field(description="Risks closed in between.")
    resolutions_passed: list[Resolution] = strawberry.field(description="Resolutions adopted in between.")

    @classmethod
    def of(cls, found: q.Changes, start: q.Point, end: q.Point) -> PlanChanges:
        def values(row: dict[str, Any] | None) -> ActivityValues | None:
            if row is None:
                return None
            status = row.get("status")
            progress = row.get("progress")
            return ActivityValues(
                status=None if status is None else e.ActivityStatus[status],
                status_label=None if status is None else v.ActivityStatus(status).label,
                progress=None if progress is None else float(progress),
                outcome=row.get("outcome"),
            )

        def milestone(row: dict[str, Any]) -> Milestone:
            return Milestone.from_row(row, end)

        def risk(row: dict[str, Any]) -> Risk:
            return Risk.from_row(row, end)

        return cls(
            from_=shown(start),
            to=shown(end),
            activities=[
                ActivityChange(
                    activity_id=strawberry.ID(str(a["activity_id"])),
                    title=a["title"],
                    changed=a["changed"],
                    before=values(a["before"]),
                    after=values(a["after"])
                    or ActivityValues(status=None, status_label=None, progress=None, outcome=None),
                    effective_on=a.get("effective_on"),
                    heard_at=a.get("meeting_code"),
                    heard_at_id=None if a.get("meeting_id") is None else strawberry.ID(str(a["meeting_id"])),
                    late_report=a.get("late") is not None,
                    late=LateReport.of(a.get("late"), a.get("reported_on"), a.get("reason")),
                )
                for a in found.activities
            ],
            milestones_met=[milestone(m) for m in found.milestones_met],
            milestones_slipped=[
                SlippedMilestone(milestone=milestone(m), due_before=m["due_before"], slipped_days=m["slipped_days"])
                for m in found.milestones_slipped
            ],
            risks_noted=[risk(r) for r in found.risks_noted],
            risks_rescored=[
                RescoredRisk(
                    risk=risk(r),
                    score_before=r["score_before"],
                    level_before=None if r["level_before"] is None else e.RiskLevel[r["level_before"]],
                )
                for r in found.risks_rescored
            ],
            risks_closed=[risk(r) for r in found.risks_closed],
            resolutions_passed=[Resolution.from_row({**r, "action_items": []}) for r in found.resolutions_passed],
        )
