"""When a report may say it took effect: on or before the meeting that heard it, and not before
the plan began.

A report says what happened — an activity started, completed, was not implemented; its progress;
its outcome — so it cannot be effective after the meeting it was reported at (the minutes of
1/2564, held 6 Jan 2021, may report a result as of 30 Sep 2020, never one of 1 Feb 2021). A
decision may take effect later: putting an activity on hold or cancelling it is a status the
committee decides, so those two are not checked against the meeting. A fact naming no meeting is
a live update; it is not checked here. The plan began on the first day of its stated period; a
period stated only in Buddhist Era years begins, at the earliest reading, on the first day of
the first year's fiscal year (FY 2561: 1 Oct 2017), so no date the plan may mean is refused; a
plan with no stated period began when its own first fact took effect.
"""

from __future__ import annotations

from datetime import date

from domain.calendar import fiscal_year_bounds
from domain.errors import ReportDateOutOfRange
from domain.plan import PlanState
from domain.vocabulary import ActivityStatus

#: statuses that say what happened (the rest, ON_HOLD and CANCELLED, the committee decides)
REPORTED_STATUSES = frozenset(
    {ActivityStatus.NOT_STARTED, ActivityStatus.IN_PROGRESS, ActivityStatus.COMPLETED, ActivityStatus.NOT_IMPLEMENTED}
)


def plan_began(plan: PlanState, first_effective: date) -> date:
    """The first day of the plan's stated period (the module's rule), else its first fact's date."""
    if plan.period_start is not None:
        return plan.period_start
    if plan.period_start_year is not None:
        return fiscal_year_bounds(plan.period_start_year)[0]
    return first_effective


def check_report_date(what: str, effective_on: date, heard_at: tuple[str, date] | None, began: date | None) -> None:
    """Refuse a report effective after the meeting that heard it (`heard_at`: its code and date)
    or before the plan began, naming both dates."""
    if heard_at is not None and heard_at[1] != date.min and effective_on > heard_at[1]:
        raise ReportDateOutOfRange(what, effective_on.isoformat(), heard_at[1].isoformat(), heard_at[0])
    if began is not None and effective_on < began:
        raise ReportDateOutOfRange(what, effective_on.isoformat(), began.isoformat())
