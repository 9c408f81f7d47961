"""Realistic synthetic ledgers, written fast: `generate(url, events=N, seed=S) -> Summary`.

    python -m bench.generate --events 1000000 --database-url postgresql://postgres@127.0.0.1:5432/bench_x

Every event is a real domain fact made by calling the domain aggregates' methods, as the handlers
in `service/application/handlers.py` do, so every rule holds (a command the domain refuses records nothing and
is counted as refused). What is fast is the path to the database: aggregates are built in memory,
one plan at a time, and their events are mapped to stored events and COPYed in large batches.

The ledger: plans of five strategies over five Thai fiscal years (periods staggered over
2015-2025), a yearly action plan and activities per strategy per year, and a committee meeting
about every two months. Each meeting's minutes are recorded a few days after it: attendance,
agenda, the adoption of the previous minutes (with corrections), resolutions with action items,
comments, the next meeting; for every activity of the year, status changes along
`domain/activity.py:TRANSITIONS`, progress reports, outcomes, milestones planned, rescheduled,
achieved or dropped, risks noted, reassessed and closed. Some facts are backdated (effective
before facts already recorded: progress reports, milestones reported as of the day they were
achieved, risks noticed before the meeting) and some are corrected later (`Corrected`: progress
reports get a new value, an earlier effective date or are voided; reschedules another due date;
risk notes a new score; agenda titles of adopted minutes a new wording).

Recorded times (`timestamp`, the ledger's transaction time) come from a simulated clock per plan
that moves forward from each plan's creation. All plans' events are merged in recorded-time order
before they get their positions, so positions follow recorded time as they do in a live ledger.

Deterministic: the same `events` and `seed` give the same log (the same streams, versions, states
and positions). Plans are independent, so `workers` processes generate them in parallel.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import math
import multiprocessing
import os
import random
import sys
import time as _time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from domain.activity import Activity
from domain.errors import DomainError
from domain.facts import Fact, Ledger, Meta
from domain.meeting import Meeting
from domain.plan import Plan
from domain.values import ActionItem, Attendee, MinutesCorrection
from projections.decode import make_mapper

EVENTS_TABLE = "planledger_events"
STAGING = "bench_generate_staging"
GEN_NAMESPACE = UUID("3a1f7e52-0c4b-4e8e-a7d2-9b5f0e6c1d44")
#: about this many events make one plan's five years (the last plan's history is cut to size)
EVENTS_PER_PLAN = 4_500
FISCAL_YEARS = 5
STRATEGIES = 5
MEETINGS_PER_YEAR = 6
COPY_BATCH = 20_000

UNITS = [
    "กองการเจ้าหน้าที่",
    "กองคลัง",
    "กองแผนงาน",
    "สำนักงานเลขานุการ",
    "ศูนย์เทคโนโลยีสารสนเทศ",
    "กองพัฒนาบุคลากร",
    "กองกฎหมาย",
    "กองวิเทศสัมพันธ์",
    "กองบริหารงานวิจัย",
    "กองกิจการนักศึกษา",
    "สำนักงานตรวจสอบภายใน",
    "กองอาคารสถานที่",
]
TOPICS = [
    "พัฒนาสมรรถนะผู้บริหาร",
    "ปรับปรุงระบบสารสนเทศบุคลากร",
    "ส่งเสริมความผูกพันองค์กร",
    "จัดทำแผนสืบทอดตำแหน่ง",
    "ประเมินผลการปฏิบัติงาน",
    "พัฒนาทักษะดิจิทัล",
    "สร้างวัฒนธรรมองค์กร",
    "ปรับปรุงกระบวนงาน",
    "บริหารความเสี่ยงองค์กร",
    "ส่งเสริมสุขภาวะบุคลากร",
    "จัดการความรู้",
    "พัฒนาหลักสูตรฝึกอบรม",
    "สรรหาและคัดเลือกบุคลากร",
    "เสริมสร้างธรรมาภิบาล",
    "ลดการใช้พลังงาน",
    "พัฒนาระบบงบประมาณ",
]
FORMS = ["โครงการ", "กิจกรรม", "โครงการนำร่อง", "แผนงาน"]
STRATEGY_TITLES = [
    "การพัฒนาบุคลากรให้มีสมรรถนะสูง",
    "การบริหารจัดการที่มีประสิทธิภาพ",
    "การนำเทคโนโลยีดิจิทัลมาใช้",
    "การเสริมสร้างความผูกพันและคุณภาพชีวิต",
    "การกำกับดูแลที่ดีและความโปร่งใส",
]
MILESTONES = [
    "จัดทำร่างแผน",
    "เสนอขออนุมัติ",
    "ดำเนินการระยะที่ ๑",
    "ดำเนินการระยะที่ ๒",
    "สรุปและประเมินผล",
    "จัดซื้อจัดจ้าง",
    "ประชุมชี้แจง",
    "รายงานผลต่อคณะกรรมการ",
]
RISKS = [
    "งบประมาณไม่เพียงพอ",
    "บุคลากรไม่เพียงพอ",
    "ระบบสารสนเทศล่าช้า",
    "ผู้เข้าร่วมน้อยกว่าเป้าหมาย",
    "ระเบียบการจัดซื้อจัดจ้างเปลี่ยนแปลง",
    "สถานการณ์โรคระบาด",
    "ผู้รับจ้างส่งมอบงานล่าช้า",
]
REASONS = [
    "ได้รับจัดสรรงบประมาณล่าช้า",
    "ปรับแผนตามข้อสั่งการของผู้บริหาร",
    "สถานการณ์โรคระบาด",
    "รอผลการพิจารณาของคณะกรรมการ",
    "ผู้รับผิดชอบย้ายหน่วยงาน",
    "ติดขัดระเบียบการจัดซื้อจัดจ้าง",
]
FIRST = [
    "สมชาย",
    "สมศรี",
    "วิชัย",
    "มาลี",
    "ประเสริฐ",
    "สุนีย์",
    "อนันต์",
    "กาญจนา",
    "ธีระ",
    "พรทิพย์",
    "ชัยวัฒน์",
    "รัตนา",
    "สุรชัย",
    "วันเพ็ญ",
    "ปกรณ์",
    "นภา",
]
LAST = ["ใจดี", "ทองคำ", "ศรีสุข", "วงศ์ไทย", "บุญมา", "แก้วงาม", "สุขสวัสดิ์", "พึ่งบุญ", "เจริญผล", "มั่นคง"]
POSITIONS = ["รองอธิการบดี", "ผู้อำนวยการกอง", "หัวหน้างาน", "นักทรัพยากรบุคคล", "นักวิเคราะห์นโยบายและแผน"]
AGENDA = ["เรื่องที่ประธานแจ้งให้ที่ประชุมทราบ", "รับรองรายงานการประชุม", "เรื่องสืบเนื่อง", "เรื่องเพื่อพิจารณา", "เรื่องอื่น ๆ"]


@dataclass
class Summary:
    """What `generate` wrote (`by_type` counts the facts written; `corrections` and `backdated` the
    facts made, a few of which may fall in the tail of the last plan that is cut to the size asked)."""

    events: int = 0
    plans: int = 0
    activities: int = 0
    meetings: int = 0
    corrections: int = 0
    backdated: int = 0
    refused: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    #: facts recorded with an effective date before the meeting that reported them, by fact type
    backdated_by_type: dict[str, int] = field(default_factory=dict)
    #: corrections by the type of the fact corrected
    corrections_by_type: dict[str, int] = field(default_factory=dict)
    first_effective: str = ""
    last_effective: str = ""
    first_recorded: str = ""
    last_recorded: str = ""
    seconds: float = 0.0
    rate: float = 0.0
    seed: int = 0
    plan_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def merge(self, other: Summary) -> None:
        self.events += other.events
        self.plans += other.plans
        self.activities += other.activities
        self.meetings += other.meetings
        self.corrections += other.corrections
        self.backdated += other.backdated
        self.refused += other.refused
        for mine, theirs in (
            (self.by_type, other.by_type),
            (self.backdated_by_type, other.backdated_by_type),
            (self.corrections_by_type, other.corrections_by_type),
        ):
            for name, count in theirs.items():
                mine[name] = mine.get(name, 0) + count
        self.first_effective = min(filter(None, (self.first_effective, other.first_effective)), default="")
        self.last_effective = max(self.last_effective, other.last_effective)
        self.first_recorded = min(filter(None, (self.first_recorded, other.first_recorded)), default="")
        self.last_recorded = max(self.last_recorded, other.last_recorded)
        self.plan_ids += other.plan_ids


# -- the simulated clock: when the ledger records each fact ----------------------------------------


class Clock:
    """Recorded time of the facts of one plan: strictly increasing, a few seconds per fact."""

    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.now = start

    def at_least(self, moment: datetime) -> None:
        if moment > self.now:
            self.now = moment

    def tick(self) -> datetime:
        self.now += timedelta(seconds=self.rng.randint(2, 40), microseconds=self.rng.randint(0, 999_999))
        return self.now


_clock: Clock | None = None


def _stamp() -> datetime:
    assert _clock is not None
    return _clock.tick()


@contextlib.contextmanager
def simulated_time(clock: Clock) -> Iterator[None]:
    """Facts created meanwhile are stamped by `clock` (the domain stamps them with `now()`)."""
    global _clock
    previous = _clock
    _clock = clock
    Fact.create_timestamp = staticmethod(_stamp)  # type: ignore[method-assign]
    try:
        yield
    finally:
        _clock = previous
        if previous is None:
            del Fact.create_timestamp


def morning(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


# -- one plan's history --------------------------------------------------------------------------


@dataclass
class ActivitySim:
    agg: Activity
    unit: str
    fate: str
    speed: int
    reported: list[int] = field(default_factory=list)  # versions of its progress reports
    rescheduled: list[int] = field(default_factory=list)  # versions of its milestone reschedules
    noted: list[int] = field(default_factory=list)  # versions of its risk notes
    closed: bool = False


@dataclass
class OpenItem:
    meeting: Meeting
    item_id: str
    assigned_on: date


class PlanSim:
    """Builds one plan's five years in memory through the domain's methods."""

    def __init__(self, seed: int, index: int, budget: int) -> None:
        self.rng = random.Random(f"planledger-bench/{seed}/{index}")
        self.seed = seed
        self.index = index
        self.budget = budget
        self.summary = Summary(seed=seed)
        self.aggregates: list[Ledger[Any]] = []
        self.made = 0
        start_ce = 2016 + index % 5
        self.period_start = date(start_ce - 1, 10, 1)
        self.period_end = date(start_ce + FISCAL_YEARS - 1, 9, 30)
        self.first_be = start_ce + 543
        self.code = f"S{seed}-P{index:04d}"
        self.body = f"คณะกรรมการบริหารแผนยุทธศาสตร์ {self.code}"
        created_on = self.period_start - timedelta(days=self.rng.randint(20, 80))
        self.clock = Clock(self.rng, morning(created_on + timedelta(days=self.rng.randint(0, 3))))
        # measured: about 15.5 events per activity and 16.5 per meeting; size the plan to its budget
        per_year = budget * 1.05 / FISCAL_YEARS - MEETINGS_PER_YEAR * 16.5
        self.per_strategy = max(1, math.ceil(per_year / (STRATEGIES * 15.5)))
        self.roster = self._roster()
        self.units = self.rng.sample(UNITS, 6)
        self.open_items: list[OpenItem] = []
        self.meetings: list[Meeting] = []
        self.meeting_numbers: dict[int, int] = {}
        self.plan: Plan | None = None
        self.created_on = created_on

    def uid(self, *parts: object) -> UUID:
        return uuid.uuid5(GEN_NAMESPACE, "/".join(str(p) for p in (self.seed, self.index, *parts)))

    def _roster(self) -> list[Attendee]:
        names: list[str] = []
        while len(names) < 12:
            name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
            if name not in names:
                names.append(name)
        roles = ["CHAIR", *["MEMBER"] * 8, "SECRETARY", "ASSISTANT_SECRETARY", "ATTENDEE"]
        return [
            Attendee(name, self.rng.choice(POSITIONS), role, "IN_ROOM") for name, role in zip(names, roles, strict=True)
        ]

    @property
    def full(self) -> bool:
        return sum(len(a.pending_events) for a in self.aggregates) >= self.budget

    def backdated(self, kind: str) -> None:
        self.summary.backdated += 1
        self.summary.backdated_by_type[kind] = self.summary.backdated_by_type.get(kind, 0) + 1

    def attempt(self, command: Callable[[], object]) -> bool:
        """Run one domain method; a refusal records nothing (as the application would answer)."""
        try:
            command()
        except DomainError:
            self.summary.refused += 1
            return False
        return True

    def run(self) -> list[Fact]:
        with simulated_time(self.clock):
            self._create_plan()
            for year in range(FISCAL_YEARS):
                if self.full:
                    break
                self._fiscal_year(self.first_be + year)
        facts: list[Fact] = []
        for aggregate in self.aggregates:
            facts += aggregate.collect_events()  # type: ignore[arg-type]
        facts.sort(key=lambda f: f.timestamp)
        del facts[self.budget :]
        return facts

    # -- the plan ---------------------------------------------------------------------------------

    def _create_plan(self) -> None:
        rng = self.rng
        meta = Meta(self.created_on, "สำนักงานเลขานุการ")
        plan = Plan.create(
            code=self.code,
            title=f"แผนยุทธศาสตร์การบริหารทรัพยากรบุคคล พ.ศ. {self.first_be}-{self.first_be + FISCAL_YEARS - 1}",
            period_start=self.period_start,
            period_end=self.period_end,
            vision=None,
            meta=meta,
        )
        self.plan = plan
        self.aggregates.append(plan)
        for number, title in enumerate(STRATEGY_TITLES, start=1):
            plan.add_strategy(number, f"ยุทธศาสตร์ที่ {number} {title}", f"เป้าประสงค์ของยุทธศาสตร์ที่ {number}", meta)
        plan.state_vision("องค์กรที่บุคลากรมีความสุขและมีสมรรถนะสูง", meta)
        if rng.random() < 0.5:
            later = Meta(self.created_on + timedelta(days=rng.randint(200, 400)), "สำนักงานเลขานุการ")
            self.clock.at_least(morning(later.effective_on))
            plan.state_vision("องค์กรสมรรถนะสูงที่บุคลากรมีความสุข ภายใต้ธรรมาภิบาล", later)

    # -- a fiscal year ----------------------------------------------------------------------------

    def _fiscal_year(self, be: int) -> None:
        rng = self.rng
        fy_start = date(be - 544, 10, 1)
        days = sorted({rng.randint(15, 45) + 60 * m + rng.randint(-7, 7) for m in range(MEETINGS_PER_YEAR)})
        activities: list[ActivitySim] = []
        for m, offset in enumerate(days):
            if self.full:
                return
            day = fy_start + timedelta(days=offset)
            meeting = self._meeting(day)
            mid = str(meeting.id)
            if m == 0:
                self._approve_year(be, day, mid)
                activities = self._register(be, day, mid)
            for sim in activities:
                self._report(sim, day, mid, m, last=m == len(days) - 1)
            self._minutes_corrections(day, mid)

    def _approve_year(self, be: int, day: date, mid: str) -> None:
        assert self.plan is not None
        meta = Meta(day, "สำนักงานเลขานุการ", mid)
        self.attempt(lambda: self.plan.approve_action_plan(be, meta))  # type: ignore[union-attr]
        if self.rng.random() < 0.3:
            units = self.rng.sample(self.units, 2)
            self.plan.record_proposal(
                be,
                self.rng.randint(1, STRATEGIES),
                "ข้อเสนอจากที่ประชุม",
                f"เสนอให้เพิ่ม{self.rng.choice(TOPICS)}",
                units,
                meta,
            )

    def _register(self, be: int, day: date, mid: str) -> list[ActivitySim]:
        rng = self.rng
        out: list[ActivitySim] = []
        for strategy in range(1, STRATEGIES + 1):
            for n in range(self.per_strategy):
                unit = rng.choice(self.units)
                units = [unit] if rng.random() < 0.7 else [unit, rng.choice([u for u in self.units if u != unit])]
                meta = Meta(day, "สำนักงานเลขานุการ", mid)
                activity = Activity.register(
                    plan_id=self.plan.id,  # type: ignore[union-attr]
                    strategy_number=strategy,
                    fiscal_year=be,
                    kind="CONTINUING" if rng.random() < 0.2 else "ONE_YEAR",
                    title=f"{rng.choice(FORMS)}{rng.choice(TOPICS)} ปี {be} ({strategy}.{n + 1})",
                    responsible_units=units,
                    meta=meta,
                    id=self.uid("activity", be, strategy, n),
                )
                self.aggregates.append(activity)
                self.summary.activities += 1
                fate = rng.choices(["complete", "late", "not_implemented", "hold", "cancel"], [62, 18, 8, 8, 4])[0]
                sim = ActivitySim(activity, unit, fate, rng.randint(12, 35))
                fy_end = date(be - 543, 9, 30)
                for k in range(rng.randint(2, 4)):
                    due = day + timedelta(days=rng.randint(30, max(31, (fy_end - day).days)))
                    activity.plan_milestone(f"m{k + 1}", rng.choice(MILESTONES), due, Meta(day, unit, mid))
                for k in range(rng.choices([0, 1, 2], [40, 45, 15])[0]):
                    self._note_risk(sim, day, mid, f"r{k + 1}")
                out.append(sim)
        return out

    def _note_risk(self, sim: ActivitySim, day: date, mid: str, risk_id: str, on: date | None = None) -> None:
        rng = self.rng
        sim.agg.note_risk(
            risk_id=risk_id,
            title=rng.choice(RISKS),
            likelihood=rng.randint(1, 5),
            impact=rng.randint(1, 5),
            owner=sim.unit,
            mitigation=rng.choice([None, "ติดตามอย่างใกล้ชิด", "จัดทำแผนสำรอง"]),
            review_on=day + timedelta(days=rng.randint(30, 120)) if rng.random() < 0.6 else None,
            meta=Meta(on or day, sim.unit, mid),
        )
        sim.noted.append(sim.agg.version)

    # -- what a meeting hears about one activity ---------------------------------------------------

    def _report(self, sim: ActivitySim, day: date, mid: str, m: int, last: bool) -> None:
        if sim.closed:
            return
        rng = self.rng
        a = sim.agg
        state = a.state
        status = state.status.value
        meta = Meta(day, sim.unit, mid)

        def reason() -> Meta:
            return Meta(day, sim.unit, mid, rng.choice(REASONS))

        if status == "CANCELLED":
            sim.closed = True
            return
        if sim.fate == "cancel" and m >= 2 and rng.random() < 0.4:
            self.attempt(lambda: a.change_status("CANCELLED", reason()))
            sim.closed = True
            return
        if status == "PLANNED":
            if rng.random() < 0.8:
                self.attempt(lambda: a.change_status(rng.choice(["IN_PROGRESS", "IN_PROGRESS", "NOT_STARTED"]), meta))
            return
        if status == "NOT_STARTED":
            if rng.random() < 0.7:
                self.attempt(lambda: a.change_status("IN_PROGRESS", meta))
            elif sim.fate == "not_implemented" and last:
                self.attempt(lambda: a.change_status("NOT_IMPLEMENTED", reason()))
            return
        if status == "ON_HOLD":
            if rng.random() < 0.5 or last:
                self.attempt(lambda: a.change_status("IN_PROGRESS", reason()))
            return
        if status == "COMPLETED":
            if rng.random() < 0.04:  # reopened: the outcome was not accepted
                self.attempt(lambda: a.change_status("IN_PROGRESS", reason()))
            else:
                sim.closed = last
            return
        if status == "NOT_IMPLEMENTED":
            if rng.random() < 0.3:
                self.attempt(lambda: a.change_status("IN_PROGRESS", reason()))
            return
        # IN_PROGRESS: progress, milestones, risks, and maybe the end
        step = rng.randint(sim.speed // 2, sim.speed) + Decimal(rng.randint(0, 99)) / 100
        reported = state.progress or Decimal(0)  # (None: none reported yet; the simulation counts from 0)
        progress = min(Decimal(100), reported + step)
        if sim.fate in ("late", "not_implemented", "hold"):
            progress = min(progress, Decimal(90))
        if progress > reported:
            self._progress(sim, progress, day, mid)
        self._milestones(sim, day, mid)
        self._risks(sim, day, mid)
        if rng.random() < 0.02:
            self.attempt(lambda: a.retitle(f"{state.title} (ปรับปรุง)", meta))
        if rng.random() < 0.02:
            self.attempt(lambda: a.assign_units([sim.unit, rng.choice(self.units)], meta))
        if sim.fate == "hold" and m >= 2 and rng.random() < 0.5:
            self.attempt(lambda: a.change_status("ON_HOLD", reason()))
            sim.fate = "late"
        elif (a.state.progress or 0) >= 100 or (last and sim.fate == "complete"):
            if (a.state.progress or 0) < 100:
                self._progress(sim, Decimal(100), day, mid)
            if self.attempt(lambda: a.change_status("COMPLETED", meta)):
                self.attempt(lambda: a.record_outcome(f"ดำเนินการแล้วเสร็จ ร้อยละ {a.state.progress}", meta))
        elif last and sim.fate == "not_implemented":
            self.attempt(lambda: a.change_status("NOT_IMPLEMENTED", reason()))
        elif last:
            self.attempt(lambda: a.record_outcome(f"อยู่ระหว่างดำเนินการ ร้อยละ {a.state.progress}", meta))
        self._correction(sim, day, mid)

    def _progress(self, sim: ActivitySim, progress: Decimal, day: date, mid: str) -> None:
        rng = self.rng
        on = day
        if rng.random() < 0.06:  # reported late: effective when it was true, before later facts
            on = max(sim.agg.effective_from, day - timedelta(days=rng.randint(5, 50)))
        if self.attempt(lambda: sim.agg.report_progress(progress, Meta(on, sim.unit, mid))):
            sim.reported.append(sim.agg.version)
            if on < day:
                self.backdated("Activity.ProgressReported")

    def _milestones(self, sim: ActivitySim, day: date, mid: str) -> None:
        rng = self.rng
        a = sim.agg
        for m in list(a.state.milestones.values()):
            if m.status.value != "PLANNED" or m.due_on > day + timedelta(days=20):
                continue
            roll = rng.random()
            if roll < 0.55:
                achieved = min(day, max(m.planned_on, m.due_on + timedelta(days=rng.randint(-10, 10))))
                # now and then reported as of the day it was achieved: before facts already recorded
                on = achieved if rng.random() < 0.15 else day
                if self.attempt(lambda: a.achieve_milestone(m.id, achieved, Meta(on, sim.unit, mid))) and on < day:  # noqa: B023
                    self.backdated("Activity.MilestoneAchieved")
            elif roll < 0.85:
                due = m.due_on + timedelta(days=rng.randint(20, 90))
                if self.attempt(
                    lambda: a.reschedule_milestone(m.id, due, Meta(day, sim.unit, mid, rng.choice(REASONS)))  # noqa: B023
                ):
                    sim.rescheduled.append(a.version)
            elif roll < 0.9:
                self.attempt(lambda: a.drop_milestone(m.id, Meta(day, sim.unit, mid, rng.choice(REASONS))))  # noqa: B023
        if rng.random() < 0.05:
            k = len(a.state.milestones) + 1
            due = day + timedelta(days=rng.randint(20, 120))
            self.attempt(lambda: a.plan_milestone(f"m{k}", rng.choice(MILESTONES), due, Meta(day, sim.unit, mid)))

    def _risks(self, sim: ActivitySim, day: date, mid: str) -> None:
        rng = self.rng
        a = sim.agg
        for r in list(a.state.risks.values()):
            if r.status.value == "CLOSED":
                continue
            roll = rng.random()
            meta = Meta(day, sim.unit, mid)
            if roll < 0.3:
                self.attempt(
                    lambda: a.reassess_risk(
                        risk_id=r.id,  # noqa: B023
                        likelihood=max(1, min(5, r.likelihood + rng.choice([-1, -1, 1]))),  # noqa: B023
                        status="MITIGATING",
                        review_on=day + timedelta(days=rng.randint(30, 90)),
                        meta=meta,  # noqa: B023
                    )
                )
            elif roll < 0.42:
                self.attempt(lambda: a.close_risk(r.id, meta))  # noqa: B023
        if rng.random() < 0.06:
            # a quarter of them noticed earlier than the meeting that records them
            on = max(a.effective_from, day - timedelta(days=rng.randint(7, 45))) if rng.random() < 0.25 else day
            if self.attempt(lambda: self._note_risk(sim, day, mid, f"r{len(a.state.risks) + 1}", on)) and on < day:
                self.backdated("Activity.RiskNoted")

    def _correction(self, sim: ActivitySim, day: date, mid: str) -> None:
        """Now and then a fact recorded at an earlier meeting turns out wrong: a progress report (a new
        value, an earlier effective date, or void), a reschedule (another due date) or a risk note
        (re-scored)."""
        rng = self.rng
        if not (sim.reported or sim.rescheduled or sim.noted) or rng.random() > 0.03:
            return
        pools = [(sim.reported, 60), (sim.rescheduled, 25), (sim.noted, 15)]
        pool = rng.choices([p for p, _ in pools if p], [w for p, w in pools if p])[0]
        version = rng.choice(pool)
        original: Any = sim.agg.fact(version)
        meta = Meta(day, "สำนักงานเลขานุการ", mid, "แก้ไขตามการรับรองรายงานการประชุม")
        roll = rng.random()
        changes: dict[str, Any]
        if pool is sim.rescheduled:
            changes = {"due_on": original.due_on + timedelta(days=rng.choice([-1, 1]) * rng.randint(5, 30))}
        elif pool is sim.noted:
            likelihood = max(1, min(5, original.likelihood + rng.choice([-1, 1])))
            changes = {"likelihood": likelihood, "impact": max(1, min(5, original.impact + rng.choice([-1, 0, 1])))}
        elif roll < 0.5:
            value = max(Decimal(0), min(Decimal(100), original.progress + rng.randint(-10, 10)))
            if value == original.progress:
                return
            changes = {"progress": value}
        elif roll < 0.8:
            earlier = original.effective_on - timedelta(days=rng.randint(3, 30))
            changes = {"effective_on": max(sim.agg.effective_from, earlier)}
        else:
            changes = {}
        if self.attempt(lambda: sim.agg.correct(version, changes, not changes, meta)):
            self.summary.corrections += 1
            kind = f"Activity.{type(original).__name__}"
            self.summary.corrections_by_type[kind] = self.summary.corrections_by_type.get(kind, 0) + 1
            pool.remove(version)

    # -- a meeting --------------------------------------------------------------------------------

    def _meeting(self, day: date) -> Meeting:
        rng = self.rng
        be_year = day.year + 543
        number = self.meeting_numbers.get(be_year, 0) + 1
        self.meeting_numbers[be_year] = number
        code = f"{number}/{be_year}"
        previous = self.meetings[-1] if self.meetings else None
        # the minutes are recorded a few days after the meeting
        self.clock.at_least(morning(day + timedelta(days=rng.randint(2, 9)), rng.randint(8, 15)))
        secretary = "สำนักงานเลขานุการ"
        scheduled_on = previous.state.on if previous is not None else day - timedelta(days=30)
        meeting = Meeting.schedule(
            body=self.body,
            code=code,
            on=day,
            starts_at=time(9, 30),
            ends_at=time(12, 0),
            venue="ห้องประชุม ๑",
            mode="IN_PERSON",
            plan_id=self.plan.id,  # type: ignore[union-attr]
            meta=Meta(scheduled_on, secretary),
        )
        self.aggregates.append(meeting)
        self.meetings.append(meeting)
        self.summary.meetings += 1
        mid = str(meeting.id)
        meta = Meta(day, secretary, mid)
        mode = rng.choice(["IN_PERSON", "IN_PERSON", "HYBRID", "ONLINE"])
        meeting.record_times(
            time(9, 30 + rng.randint(0, 20)), time(rng.randint(11, 15), rng.randint(0, 59)), None, mode, meta
        )
        presence = {"IN_PERSON": ["IN_ROOM"], "HYBRID": ["IN_ROOM", "ONLINE"], "ONLINE": ["ONLINE"]}[mode]
        attendees = [
            Attendee(p.name, p.position, p.role, "ABSENT" if rng.random() < 0.12 else rng.choice(presence))
            for p in self.roster
        ]
        meeting.record_attendance(attendees, meta)
        for number_, title in enumerate(AGENDA, start=1):
            meeting.add_agenda_item(number_, title, meta)
        if previous is not None:
            corrections = [
                MinutesCorrection(f"หน้า {rng.randint(1, 12)} บรรทัด {rng.randint(1, 30)}", "ร้อยละ ๕๐", "ร้อยละ ๖๐")
                for _ in range(rng.choices([0, 1, 2], [60, 30, 10])[0])
            ]
            meeting.approve_minutes(previous, corrections, meta)
        for k in range(rng.randint(2, 5)):
            kind = rng.choices(
                ["ACKNOWLEDGED", "APPROVED", "APPROVED_WITH_AMENDMENTS", "ASSIGNED", "REJECTED"], [35, 25, 10, 25, 5]
            )[0]
            resolution_id = f"{code}-{k + 1}"
            items: list[ActionItem] = []
            if kind == "ASSIGNED" or (kind.startswith("APPROVED") and rng.random() < 0.3):
                for n in range(rng.randint(1, 3)):
                    due_on = day + timedelta(days=rng.randint(20, 120)) if rng.random() < 0.7 else None
                    items.append(
                        ActionItem(
                            f"{resolution_id}.{n + 1}",
                            f"ให้{rng.choice(self.units)}ดำเนินการและรายงานผล",
                            rng.choice(self.units),
                            due_on,
                            None if due_on else "การประชุมครั้งถัดไป",
                        )
                    )
            meeting.adopt_resolution(
                resolution_id=resolution_id,
                agenda_item=rng.choice([3, 4, 5]),
                kind=kind,
                text=f"ที่ประชุม{rng.choice(['รับทราบ', 'เห็นชอบ', 'มอบหมาย'])}เรื่อง{rng.choice(TOPICS)}",
                action_items=items,
                meta=meta,
            )
            self.open_items += [OpenItem(meeting, i.id, day) for i in items]
        still_open: list[OpenItem] = []
        for item in self.open_items:
            if item.meeting is not meeting and rng.random() < 0.45:
                done_on = item.assigned_on + timedelta(days=rng.randint(1, max(1, (day - item.assigned_on).days)))
                self.attempt(
                    lambda: item.meeting.complete_action_item(item.item_id, min(done_on, day), meta)  # noqa: B023
                )
            else:
                still_open.append(item)
        self.open_items = still_open[-60:]
        for n in range(rng.choices([0, 1, 2, 3], [40, 30, 20, 10])[0]):
            meeting.record_comment(n + 1, f"ข้อสังเกตของคณะกรรมการ เรื่อง{rng.choice(TOPICS)}", meta)
        next_on = day + timedelta(days=rng.randint(50, 70))
        next_number = self.meeting_numbers.get(next_on.year + 543, 0) + 1
        meeting.set_next_meeting(f"{next_number}/{next_on.year + 543}", next_on, time(9, 30), meta)
        return meeting

    def _minutes_corrections(self, day: date, mid: str) -> None:
        """The adopted minutes of the previous meeting corrected one of its agenda titles."""
        if len(self.meetings) < 2 or self.rng.random() > 0.15:
            return
        previous = self.meetings[-2]
        versions = [i + 1 for i, f in enumerate(previous.facts) if isinstance(f, Meeting.AgendaItemAdded)]
        if not versions:
            return
        version = self.rng.choice(versions)
        title = previous.fact(version).title  # type: ignore[attr-defined]
        meta = Meta(day, "สำนักงานเลขานุการ", mid, "แก้ไขตามมติรับรองรายงานการประชุม")
        if self.attempt(lambda: previous.correct(version, {"title": f"{title} (แก้ไข)"}, False, meta)):
            self.summary.corrections += 1
            kind = "Meeting.AgendaItemAdded"
            self.summary.corrections_by_type[kind] = self.summary.corrections_by_type.get(kind, 0) + 1


# -- writing ---------------------------------------------------------------------------------------


def _budgets(events: int, plans: int | None = None) -> list[int]:
    plans = plans or max(1, round(events / EVENTS_PER_PLAN))
    base, extra = divmod(events, plans)
    return [base + (1 if i < extra else 0) for i in range(plans)]


async def _worker_async(dsn: str, seed: int, jobs: list[tuple[int, int]]) -> Summary:
    mapper = make_mapper()
    summary = Summary(seed=seed)
    conn = await asyncpg.connect(dsn)
    batch: list[tuple[Any, ...]] = []
    pending: asyncio.Task[Any] | None = None

    async def flush(records: list[tuple[Any, ...]]) -> None:
        await conn.copy_records_to_table(
            STAGING,
            records=records,
            columns=("recorded", "plan", "seq", "originator_id", "originator_version", "topic", "state"),
        )

    try:
        for index, budget in jobs:
            sim = PlanSim(seed, index, budget)
            facts = sim.run()
            sim.summary.plans = 1
            sim.summary.plan_ids = [str(sim.plan.id)] if sim.plan is not None else []
            for seq, fact in enumerate(facts):
                stored = mapper.to_stored_event(fact)
                name = type(fact).__qualname__
                sim.summary.by_type[name] = sim.summary.by_type.get(name, 0) + 1
                batch.append(
                    (
                        fact.timestamp,
                        index,
                        seq,
                        stored.originator_id,
                        stored.originator_version,
                        stored.topic,
                        stored.state,
                    )
                )
            sim.summary.events = len(facts)
            if facts:
                efs = [f.effective_on for f in facts]
                sim.summary.first_effective = min(efs).isoformat()
                sim.summary.last_effective = max(efs).isoformat()
                sim.summary.first_recorded = facts[0].timestamp.isoformat()
                sim.summary.last_recorded = facts[-1].timestamp.isoformat()
            summary.merge(sim.summary)
            if len(batch) >= COPY_BATCH:
                if pending is not None:
                    await pending
                pending = asyncio.create_task(flush(batch))
                batch = []
        if pending is not None:
            await pending
        if batch:
            await flush(batch)
    finally:
        await conn.close()
    return summary


def _worker(dsn: str, seed: int, jobs: list[tuple[int, int]]) -> Summary:
    return _run(_worker_async(dsn, seed, jobs))


def _run(coroutine: Any) -> Any:
    """`asyncio.run`, also when called from a running event loop (then in a thread of its own)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _dsn(address_or_dsn: Any) -> str:
    if isinstance(address_or_dsn, str):
        return address_or_dsn
    host, port = address_or_dsn.host, address_or_dsn.port
    password = f":{address_or_dsn.password}" if address_or_dsn.password else ""
    return f"postgresql://{address_or_dsn.user}{password}@/{address_or_dsn.dbname}?host={host}&port={port}"


def _ensure_store(dsn: str) -> None:
    """The event store's tables, created by the application itself (its exact schema)."""
    from service.application.ledger import PlanLedger
    from service.config import ServerAddress

    PlanLedger.connect(ServerAddress.from_url(dsn)).close()


def generate(
    address_or_dsn: Any,
    events: int = 1_000_000,
    seed: int = 1,
    *,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    plans: int | None = None,
) -> Summary:
    """Write about `events` domain events (exactly that many) into the ledger at `address_or_dsn`
    (a `postgresql://` URL or a `ServerAddress`), whose log must hold no plans of this seed yet.

    `workers` processes generate plans in parallel (default: the number of CPUs, at most 4).
    `plans`: how many plans the events are shared by (default: one per 4,500 events, about 275
    activities each; one plan of 17,000 events has over 1,000).
    """
    dsn = _dsn(address_or_dsn)
    started = _time.perf_counter()
    say = progress or (lambda _: None)
    _ensure_store(dsn)
    budgets = _budgets(events, plans)
    jobs = list(enumerate(budgets))
    default = 1 if events < 100_000 else min(4, os.cpu_count() or 1)
    count = max(1, min(workers or default, len(jobs)))
    _run(_prepare_staging(dsn))
    say(f"generating {events} events in {len(jobs)} plans with {count} worker(s)")
    shares = [jobs[k::count] for k in range(count)]
    summary = Summary(seed=seed)
    if count == 1:
        summary.merge(_worker(dsn, seed, shares[0]))
    else:
        context = multiprocessing.get_context("spawn")
        with context.Pool(count) as pool:
            for part in pool.starmap(_worker, [(dsn, seed, share) for share in shares]):
                summary.merge(part)
    generated = _time.perf_counter()
    say(f"generated in {generated - started:.1f} s; appending to the log in recorded-time order")
    _run(_append(dsn))
    summary.plan_ids.sort()
    summary.seconds = _time.perf_counter() - started
    summary.rate = summary.events / summary.seconds if summary.seconds else 0.0
    say(f"wrote {summary.events} events in {summary.seconds:.1f} s ({summary.rate:,.0f} events/s)")
    return summary


async def _prepare_staging(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"DROP TABLE IF EXISTS {STAGING}")
        await conn.execute(
            f"CREATE UNLOGGED TABLE {STAGING} (recorded timestamptz NOT NULL, plan integer NOT NULL, "
            "seq integer NOT NULL, originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
            "topic text NOT NULL, state bytea NOT NULL)"
        )
    finally:
        await conn.close()


async def _append(dsn: str) -> None:
    """Staged events into the log, positions in recorded-time order, in one transaction."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SET work_mem = '256MB'")
        async with conn.transaction():
            await conn.execute(f"LOCK TABLE {EVENTS_TABLE} IN EXCLUSIVE MODE")
            await conn.execute(
                f"INSERT INTO {EVENTS_TABLE} (originator_id, originator_version, topic, state) "
                f"SELECT originator_id, originator_version, topic, state FROM {STAGING} ORDER BY recorded, plan, seq"
            )
            await conn.execute(f"DROP TABLE {STAGING}")
        await conn.execute(f"ANALYZE {EVENTS_TABLE}")
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL"), required="DATABASE_URL" not in os.environ
    )
    parser.add_argument("--json", default=None, help="write the summary here as JSON")
    args = parser.parse_args(argv)
    summary = generate(
        args.database_url,
        args.events,
        args.seed,
        workers=args.workers,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    shown = {k: v for k, v in summary.as_dict().items() if k != "plan_ids"}
    import json

    text = json.dumps(shown, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            out.write(json.dumps(summary.as_dict(), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
