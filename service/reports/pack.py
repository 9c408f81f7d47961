"""The meeting pack's data: what the secretariat circulates before a meeting, read through the
GraphQL schema as the request's principal (the same reads, rules and errors as the API and the
other reports): the plan as of the meeting (service/reports/plan.py), the meeting itself (committee,
attendance), and its `progressReport` (what was reported since the previous meeting, open action
items), with the risk register as of the meeting.

A pack is always for one meeting: `meeting` is required, a `date` is refused (400).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from service.reports.plan import Execute, PlanReport, ReportError, ReportRequest, failure, read_plan

ACTIVITY_VALUES = "status statusLabel progress outcome"
PACK_QUERY = f"""
query MeetingPack($plan: ID!, $meeting: String!, $knownAt: DateTime, $asOf: AsOf) {{
  meeting(id: $meeting) {{
    id code body date startsAt endsAt venue modeLabel byReference
    attendance {{ name position role roleLabel presence presenceLabel }}
    agenda {{ number title }}
  }}
  progressReport(planId: $plan, meeting: $meeting, knownAt: $knownAt) {{
    previousMeeting {{ code date }}
    changedActivities {{
      activityId title changed effectiveOn heardAt
      before {{ {ACTIVITY_VALUES} }}
      after {{ {ACTIVITY_VALUES} }}
    }}
    openActionItems {{ id description owner meetingCode dueOn dueMeeting state }}
  }}
  risks(planId: $plan, asOf: $asOf) {{
    id title likelihood impact score level levelLabel status statusLabel owner mitigation reviewOn
    activity {{ title strategyNumber }}
  }}
}}
"""


@dataclass(frozen=True)
class MeetingPack:
    plan: PlanReport
    #: code, body (the committee), date, times, venue, attendance, agenda: as the API gives them
    meeting: dict[str, Any]
    previous: dict[str, Any] | None
    #: activities whose status, progress or outcome the period's reports changed
    changes: list[dict[str, Any]]
    #: work from earlier resolutions not done by this meeting, overdue ones first
    action_items: list[dict[str, Any]]
    #: the risk register as of the meeting: highest score first, then those not yet assessed
    risks: list[dict[str, Any]]
    generated: datetime

    @property
    def lang(self) -> str:
        return self.plan.lang

    def slug(self) -> str:
        return self.plan.slug().replace("plan-", "pack-", 1)


async def read_pack(execute: Execute, wanted: ReportRequest, now: datetime | None = None) -> MeetingPack:
    """The pack for `wanted.meeting`; ReportError (400/404) as the other reports give it."""
    if wanted.date is not None:
        raise ReportError(400, "the pack is for a meeting: give meeting=… (e.g. 1/2564), not a date")
    if wanted.meeting is None:
        raise ReportError(400, "meeting: give the meeting the pack is for, its ID or code, e.g. meeting=1/2564")
    plan = await read_plan(execute, wanted)
    assert plan.meeting is not None  # read_plan answers 404 for a meeting it does not find
    point: dict[str, str] = {"meeting": plan.meeting["id"]}
    if wanted.known_at is not None:
        point["knownAt"] = wanted.known_at.isoformat()
    variables = {
        "plan": plan.id,
        "meeting": plan.meeting["id"],
        "knownAt": None if wanted.known_at is None else wanted.known_at.isoformat(),
        "asOf": point,
    }
    result = await execute(PACK_QUERY, variables)
    if result.errors:
        raise failure(result.errors)
    data = result.data
    report = data["progressReport"] or {"previousMeeting": None, "changedActivities": [], "openActionItems": []}
    items = sorted(report["openActionItems"], key=lambda i: i["state"] != "OVERDUE")
    return MeetingPack(
        plan=plan,
        meeting=data["meeting"],
        previous=report["previousMeeting"],
        changes=report["changedActivities"],
        action_items=items,
        risks=data["risks"],
        generated=now or datetime.now(UTC),
    )
