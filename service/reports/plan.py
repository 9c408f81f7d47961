"""The plan as of a point, read through the GraphQL schema (the same reads, rules and errors as
the API), shaped for the reports: strategy → one-year / continuing → activity."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from domain.calendar import ce_to_be
from domain.facts import EARLIEST, LATEST
from projections import queries as q
from service.minutes.thai_text import MONTHS

KINDS = ("ONE_YEAR", "CONTINUING")
STATUSES = ("PLANNED", "NOT_STARTED", "IN_PROGRESS", "COMPLETED", "NOT_IMPLEMENTED", "ON_HOLD", "CANCELLED")
PARAMETERS = ("plan", "date", "meeting", "knownAt", "fiscalYear", "lang")

SUMMARY = "total completed shareCompleted meanProgress progressKnown byStatus { status statusLabel count }"
FIGURE = "label value unit unitLabel kind kindLabel strategyNumber fiscalYear reportedOn meeting { code }"
PLAN_QUERY = f"""
query PlanReport($plan: ID!, $asOf: AsOf, $fiscalYear: Int, $meeting: String!, $withMeeting: Boolean!) {{
  plan(id: $plan, asOf: $asOf) {{
    id code title periodStart periodEnd
    asOf {{ date knownAt }}
    summary(fiscalYear: $fiscalYear) {{ {SUMMARY} }}
    reportedFigures {{ {FIGURE} }}
    strategies {{
      number title goal
      summary(fiscalYear: $fiscalYear) {{ {SUMMARY} }}
      reportedFigures {{ {FIGURE} }}
      activities(fiscalYear: $fiscalYear) {{
        id title fiscalYear kind kindLabel status statusLabel statusReason progress outcome responsibleUnits
      }}
    }}
  }}
  meeting(id: $meeting) @include(if: $withMeeting) {{ id code body date }}
}}
"""
PLAN_CODES = "query PlanCodes { plans { id code } }"
PLAN_EXISTS = "query PlanExists($plan: ID!) { plan(id: $plan) { id } }"

#: a run of "+HH:MM" at the end of knownAt arrives as " HH:MM" when the "+" was not %-encoded
_OFFSET_AS_SPACE = re.compile(r" (\d\d:?\d\d)$")


class ReportError(Exception):
    """Bad input (400), unknown plan or meeting (404): a message a person can act on."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ReportRequest:
    plan: str
    date: date | None = None
    meeting: str | None = None
    known_at: datetime | None = None
    fiscal_year: int | None = None
    lang: str = "th"

    @classmethod
    def from_query(cls, items: list[tuple[str, str]]) -> ReportRequest:
        """From a query string's (name, value) pairs; ReportError(400) naming what is wrong."""
        given: dict[str, str] = {}
        for name, value in items:
            if name not in PARAMETERS:
                raise ReportError(400, f"unknown parameter {name!r}; use {', '.join(PARAMETERS)}")
            if name in given:
                raise ReportError(400, f"{name}: give it once")
            given[name] = value.strip()
        plan = given.get("plan", "")
        if not plan:
            raise ReportError(400, "plan: give the plan's ID or code, e.g. ?plan=…&meeting=1/2564")
        if given.get("date") and given.get("meeting"):
            raise ReportError(400, "give a date or a meeting, not both")
        return cls(
            plan=plan,
            date=_date(given.get("date")),
            meeting=given.get("meeting") or None,
            known_at=_known_at(given.get("knownAt")),
            fiscal_year=_fiscal_year(given.get("fiscalYear")),
            lang=_lang(given.get("lang")),
        )

    def as_of(self) -> dict[str, str] | None:
        point: dict[str, str] = {}
        if self.date is not None:
            point["date"] = self.date.isoformat()
        if self.meeting is not None:
            point["meeting"] = self.meeting
        if self.known_at is not None:
            point["knownAt"] = self.known_at.isoformat()
        return point or None


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise ReportError(400, f"date: {value!r} is not a date; give one such as 2021-01-06") from None
    if not EARLIEST <= day <= LATEST:  # as the API's dates (and every command's)
        raise ReportError(400, f"date: {value} is outside {EARLIEST}..{LATEST}, the dates the ledger records")
    return day


def _known_at(value: str | None) -> datetime | None:
    if not value:
        return None
    text = _OFFSET_AS_SPACE.sub(r"+\1", value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ReportError(
            400, f"knownAt: {value!r} is not a time; give one with its offset, e.g. 2021-03-01T10:00:00+07:00"
        ) from None
    if moment.tzinfo is None:
        raise ReportError(400, "knownAt: give the time with its offset, e.g. 2021-03-01T10:00:00+07:00")
    return moment


def _fiscal_year(value: str | None) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) == 4):
        raise ReportError(400, f"fiscalYear: {value!r} is not a Buddhist Era year such as 2564")
    return int(value)


def _lang(value: str | None) -> str:
    if not value:
        return "th"
    if value not in ("th", "en"):
        raise ReportError(400, f"lang: {value!r}; use th or en")
    return value


# -- the report's data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rollup:
    total: int
    completed: int
    share_completed: float | None
    #: of the activities with a progress reported (None: none has one)
    mean_progress: float | None
    by_status: dict[str, int]
    progress_known: int = 0

    @classmethod
    def of_api(cls, summary: dict[str, Any]) -> Rollup:
        return cls(
            total=summary["total"],
            completed=summary["completed"],
            share_completed=summary["shareCompleted"],
            mean_progress=summary["meanProgress"],
            by_status={s["status"]: s["count"] for s in summary["byStatus"]},
            progress_known=summary["progressKnown"],
        )

    @classmethod
    def of_activities(cls, activities: list[dict[str, Any]]) -> Rollup:
        """The same roll-up as the API's `summary`, over a subset (one kind) of its activities."""
        rollup = q.Rollup.of(activities)
        return cls(
            total=rollup.total,
            completed=rollup.completed,
            share_completed=None if rollup.share_completed is None else float(rollup.share_completed),
            mean_progress=None if rollup.mean_progress is None else float(rollup.mean_progress),
            by_status={s: rollup.by_status.get(s, 0) for s in STATUSES},
            progress_known=rollup.progress_known,
        )


@dataclass
class StrategyReport:
    number: int
    title: str
    goal: str | None
    rollup: Rollup
    #: by kind (ONE_YEAR, CONTINUING), each in the API's order
    activities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class PlanReport:
    id: str
    code: str
    title: str
    period_start: str | None
    period_end: str | None
    as_of_date: date | None
    known_at: datetime | None
    meeting: dict[str, Any] | None
    fiscal_year: int | None
    lang: str
    rollup: Rollup
    strategies: list[StrategyReport]
    status_labels: dict[str, str]
    #: the figures reported about the plan, its kinds and its strategies, as the API gives them
    figures: list[dict[str, Any]] = field(default_factory=list)

    def activities(self) -> list[tuple[StrategyReport, str, dict[str, Any]]]:
        """Every activity with its strategy and kind, in the report's order."""
        return [(s, kind, a) for s in self.strategies for kind in KINDS for a in s.activities.get(kind, [])]

    def by_kind(self) -> dict[str, Rollup]:
        return {
            kind: Rollup.of_activities([a for s in self.strategies for a in s.activities.get(kind, [])])
            for kind in KINDS
        }

    def slug(self) -> str:
        """A file name stem: plan-<code>-<point>."""
        if self.meeting is not None:
            point = "meeting-" + str(self.meeting["code"])
        elif self.as_of_date is not None:
            point = self.as_of_date.isoformat()
        else:
            point = "now"
        if self.fiscal_year is not None:
            point += f"-fy{self.fiscal_year}"
        return re.sub(r"[^A-Za-z0-9._-]+", "-", f"plan-{self.code}-{point}")


Execute = Callable[[str, dict[str, Any]], Awaitable[Any]]


def failure(errors: list[Any]) -> ReportError:
    """The first error of a GraphQL result as a report error (400, 404, else 500)."""
    for error in errors:
        code = (error.extensions or {}).get("code")
        if code == "BAD_USER_INPUT":
            return ReportError(400, error.message)
        if code == "NOT_FOUND":
            return ReportError(404, error.message)
    return ReportError(500, errors[0].message)


async def read_plan(execute: Execute, wanted: ReportRequest) -> PlanReport:
    """The plan as the API answers for `wanted` (through the schema); ReportError when it cannot."""
    plan_id = await _plan_id(execute, wanted.plan)
    variables = {
        "plan": plan_id,
        "asOf": wanted.as_of(),
        "fiscalYear": wanted.fiscal_year,
        "meeting": wanted.meeting or "",
        "withMeeting": wanted.meeting is not None,
    }
    result = await execute(PLAN_QUERY, variables)
    if result.errors:
        raise failure(result.errors)
    plan = result.data["plan"]
    if plan is None:
        now = await execute(PLAN_EXISTS, {"plan": plan_id})
        if not now.errors and now.data["plan"] is None:
            raise ReportError(404, f"no plan with ID or code {wanted.plan!r}")
        raise ReportError(404, f"plan {wanted.plan} did not exist at that point")
    status_labels: dict[str, str] = {s["status"]: s["statusLabel"] for s in plan["summary"]["byStatus"]}
    strategies = []
    for s in plan["strategies"]:
        report = StrategyReport(s["number"], s["title"], s["goal"], Rollup.of_api(s["summary"]))
        for a in s["activities"]:
            report.activities.setdefault(a["kind"], []).append(a)
        strategies.append(report)
    as_of = plan["asOf"]
    return PlanReport(
        id=plan["id"],
        code=plan["code"],
        title=plan["title"],
        period_start=plan["periodStart"],
        period_end=plan["periodEnd"],
        as_of_date=date.fromisoformat(as_of["date"]) if as_of["date"] else None,
        known_at=wanted.known_at,
        meeting=result.data.get("meeting"),
        fiscal_year=wanted.fiscal_year,
        lang=wanted.lang,
        rollup=Rollup.of_api(plan["summary"]),
        strategies=strategies,
        status_labels=status_labels,
        figures=[*plan["reportedFigures"], *(f for s in plan["strategies"] for f in s["reportedFigures"])],
    )


async def _plan_id(execute: Execute, plan: str) -> str:
    try:
        return str(UUID(plan))
    except ValueError:
        pass
    result = await execute(PLAN_CODES, {})
    if result.errors:
        raise failure(result.errors)
    for row in result.data["plans"]:
        if row["code"] == plan:
            return str(row["id"])
    raise ReportError(404, f"no plan with ID or code {plan!r}")


# -- dates as the reports write them ------------------------------------------------------------


def thai_date(day: date) -> str:
    """6 มกราคม 2564"""
    return f"{day.day} {MONTHS[day.month - 1][0]} {ce_to_be(day.year)}"


#: Thailand's time: UTC+7 all year (no daylight saving since 1920), so a fixed offset needs no tz database
BANGKOK = timezone(timedelta(hours=7), "Asia/Bangkok")


def thai_time(moment: datetime) -> str:
    """A moment as a Thai reader says it, in Thai local time and the Buddhist Era: 3 ธันวาคม 2569 14:45 น."""
    local = moment.astimezone(BANGKOK)
    return f"{thai_date(local.date())} {local:%H:%M} น."


def english_time(moment: datetime) -> str:
    """The same in English, still in Thai local time: 3 December 2026 14:45 (UTC+7)."""
    local = moment.astimezone(BANGKOK)
    return f"{english_date(local.date())} {local:%H:%M} (UTC+7)"


def english_date(day: date) -> str:
    """6 January 2021"""
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
