"""Questions answered from the read models (never by replaying events).

Every as-of function takes `on` (valid time: the effective date; None = every fact, whatever its
date) and `known_at` (transaction time: None = everything recorded). It returns plain dicts
(JSON columns decoded) or dataclasses. Bitemporal columns (`valid_from` etc.) are dropped.

One module per subject, and this package re-exports their public names (`q.plan_as_of(...)`,
`from projections.queries import Point`):

  rows.py        what every query shares: Point, the AS_OF clause, a record as a dict, batched reads
  plans.py       plan_as_of (the whole plan in one statement) and Rollup; plans and strategies
  activities.py  activity_as_of; activities, milestones, risks and risk histories
  meetings.py    meetings, their resolutions and action items; the point a meeting stands for;
                 changes of a committee's membership
  events.py      the event index: events in log order, stream versions and histories
  changes.py     what changed in a plan between two points
  pages.py       the API's connections (events, meetings, histories) paged both ways, and counted
  figures.py     figures reported about a plan (beside what plans.py computes); proposals for a year

`events`, `meetings` and `changes` here are the functions, not the modules of the same names: name
a module in a from-import (`from projections.queries.meetings import ...`) to read its own names.
"""

from projections.queries.activities import (
    activities_by_id,
    activities_of,
    activity_as_of,
    milestones,
    milestones_of,
    plan_milestones,
    plan_risks,
    risk_histories,
    risk_history,
    risks,
    risks_of,
)
from projections.queries.changes import Changes, changes
from projections.queries.events import EVENT_FILTERS, STREAM_TYPES, events, stream_histories, stream_versions
from projections.queries.figures import figures_of, proposals_of
from projections.queries.meetings import (
    action_items,
    at_meeting,
    date_of_meeting,
    meeting,
    meeting_ids_by_code,
    meeting_page,
    meetings,
    meetings_by_id,
    membership_changes,
    resolutions_of,
    told_by,
)
from projections.queries.plans import CODE_POINT_ORDER, Rollup, all_plans, plan_as_of, plans_by_id, strategies_of
from projections.queries.rows import AS_OF, HIDDEN, ConnectionFacts, Point
from projections.schema import ALL_DATES, ALL_TIMES

__all__ = [
    "ALL_DATES",
    "ALL_TIMES",
    "AS_OF",
    "CODE_POINT_ORDER",
    "EVENT_FILTERS",
    "HIDDEN",
    "STREAM_TYPES",
    "Changes",
    "ConnectionFacts",
    "Point",
    "Rollup",
    "action_items",
    "activities_by_id",
    "activities_of",
    "activity_as_of",
    "all_plans",
    "at_meeting",
    "changes",
    "date_of_meeting",
    "events",
    "figures_of",
    "meeting",
    "meeting_ids_by_code",
    "meeting_page",
    "meetings",
    "meetings_by_id",
    "membership_changes",
    "milestones",
    "milestones_of",
    "plan_as_of",
    "plan_milestones",
    "plan_risks",
    "plans_by_id",
    "proposals_of",
    "resolutions_of",
    "risk_histories",
    "risk_history",
    "risks",
    "risks_of",
    "strategies_of",
    "stream_histories",
    "stream_versions",
    "told_by",
]
