from collections import Counter
from datetime import date, time

import pytest

from service.minutes.importer import UNKNOWN_GROUPS, result_effective_on, stated_on, unknowns
from service.minutes.model import ActivityResult, MinutesCorrection, MinutesFormatError, ParsedMinutes
from service.minutes.parser import parse_minutes
from service.minutes.thai_text import normalise_title
from tests.paths import LATER_MINUTES, SAMPLE_MINUTES

SECOND = LATER_MINUTES
BODY = "อ.ก.ก. วิสามัญเกี่ยวกับยุทธศาสตร์การบริหารทรัพยากรบุคคลของกรุงเทพมหานคร"


@pytest.fixture(scope="module")
def seed() -> ParsedMinutes:
    return parse_minutes(SAMPLE_MINUTES.read_text(encoding="utf-8"), source=SAMPLE_MINUTES.name)


@pytest.fixture(scope="module")
def second() -> ParsedMinutes:
    return parse_minutes(SECOND.read_text(encoding="utf-8"), source=SECOND.name)


def _unplaced_report(minutes: ParsedMinutes) -> str:
    return "\n".join(f"line {line.line_no}: {line.text}" for line in minutes.unplaced)


# --------------------------------------------------------------------------- the seed: 1/2564


def test_every_seed_line_is_placed_or_known_noise(seed):
    assert seed.unplaced == (), _unplaced_report(seed)


def test_seed_noise_is_set_aside_by_named_rules(seed):
    rules = {line.line_no: line.rule for line in seed.skipped}
    assert rules[355] == "stray OCR mark"  # 'Qu.'
    for fragment in (109, 153, 192, 200, 296, 354, 384):
        assert rules[fragment] == "page-break fragment or repeated heading"
    assert rules[10] == rules[11] == "markup only"
    assert Counter(rules.values())["repeated table heading"] == 11


def test_seed_heading(seed):
    assert seed.body == BODY
    assert seed.code == "1/2564"
    assert seed.date == date(2021, 1, 6)
    assert (seed.starts_at, seed.ends_at) == (time(9, 30), time(11, 40))
    assert seed.venue is not None and "ห้องนพรัตน์" in seed.venue
    assert seed.electronic is True


def test_seed_attendance(seed):
    by_presence = Counter(person.presence for person in seed.attendance)
    assert by_presence == {"IN_ROOM": 9, "ONLINE": 4, "PRESENT": 2, "ABSENT": 3, "OTHER": 10}
    present = [p for p in seed.attendance if p.presence in ("IN_ROOM", "ONLINE", "PRESENT")]
    assert len(present) == 15
    roles = Counter(person.role for person in present)
    assert roles == {"CHAIR": 1, "MEMBER": 11, "SECRETARY": 1, "ASSISTANT_SECRETARY": 2}
    chair = next(p for p in seed.attendance if p.role == "CHAIR")
    assert chair.name == "รองศาสตราจารย์ ดร.อิสระ สุวรรณพล" and chair.presence == "IN_ROOM"
    secretary = next(p for p in seed.attendance if p.role == "SECRETARY")
    assert secretary.name == "นางสาวอติภา พูลสวัสดิ์"
    assert secretary.position == "ผู้อำนวยการกองพัฒนาระบบราชการกรุงเทพมหานคร สำนักงาน ก.ก."
    assistants = [p for p in seed.attendance if p.role == "ASSISTANT_SECRETARY"]
    assert [p.name for p in assistants] == ["นางสาวอรมนส์ บัณฑิตสุขุมาลัย", "นางสาวสุภาวดี ศรีมันตะ"]
    assert {p.presence for p in assistants} == {"PRESENT"}  # not in the chair's room/online lists


def test_seed_online_members_and_ocr_variant_names(seed):
    online = {p.name for p in seed.attendance if p.presence == "ONLINE"}
    assert online == {
        "รองศาสตราจารย์ ดร. อรทัย ก๊กผล",
        "ผู้ช่วยศาสตราจารย์ ดร.สุนิสา ช่อแก้ว",
        "ดร.บวรนนท์ ทองกัลยา",
        "ศาสตราจารย์ ดร.ศุภชัย ยาวะประภาษ",
    }
    # written 'สุภารัตน์' in the chair's list, 'สุดารัตน์' in the attendance table
    member = next(p for p in seed.attendance if "หงวนเสงี่ยม" in p.name)
    assert member.presence == "IN_ROOM"


def test_seed_absent_and_others(seed):
    absent = [p for p in seed.attendance if p.presence == "ABSENT"]
    assert [p.name for p in absent] == [
        "ศาสตราจารย์ ดร.สุชัชวีร์ สุวรรณสวัสดิ์",
        "ศาสตราจารย์ ดร.ชาติชาย ณ เชียงใหม่",
        "นายชวินทร์ ศิรินาค",
    ]
    assert [p.note for p in absent] == ["ตติราชการ", "ตติการกิจ", "ตติราชการ"]
    assert absent[2].position == "รองปลัดกรุงเทพมหานคร ที่ปลัดกรุงเทพมหานครมอบหมาย"
    others = [p for p in seed.attendance if p.presence == "OTHER"]
    assert {p.role for p in others} == {"ATTENDEE"}
    assert others[-1].name == "นายกิตติ มีศิริ"
    assert others[-1].position == "นักทรัพยากรบุคคลปฏิบัติการ สำนักงาน ก.ก."  # across a blank line


def test_seed_agenda_and_resolutions(seed):
    assert [item.number for item in seed.agenda] == [1, 2, 3, 4, 5]
    assert seed.agenda[0].title == "เรื่องที่ประธานแจ้งให้ที่ประชุมทราบ"
    assert seed.agenda[2].subject == "แผนปฏิบัติราชการ (Action Plan) ประจำปี พ.ศ. ๒๕๖๔"
    assert seed.agenda[3].subject == "การจัดทำแผนสำรองเพื่อรองรับสถานการณ์ฉุกเฉิน (Contingency Plan)"
    kinds = [[resolution.kind for resolution in item.resolutions] for item in seed.agenda]
    assert kinds == [
        ["ACKNOWLEDGED"],
        ["APPROVED_WITH_AMENDMENTS"],
        ["APPROVED_WITH_AMENDMENTS", "ASSIGNED", "ASSIGNED"],
        ["APPROVED"],
        ["ACKNOWLEDGED"],
    ]
    assert "Cisco" in seed.agenda[0].text


def test_seed_action_items(seed):
    report_now, report_periodically = (r.action_items[0] for r in seed.agenda[2].resolutions[1:])
    assert report_now.owner == "สำนักงาน ก.ก."
    assert report_now.description.startswith("รายงานผลการจัดทำแผนปฏิบัติราชการ")
    assert report_now.due_meeting == "การประชุม ก.ก. เดือนมกราคม 2564"
    assert report_now.due_on == date(2021, 1, 31)  # another body's meeting in a month: its last day
    assert report_periodically.owner == "สำนักงาน ก.ก."
    assert report_periodically.periodic and report_periodically.due_meeting is None
    (contingency,) = seed.agenda[3].resolutions[0].action_items
    assert contingency.owner == "สำนักงาน ก.ก."
    assert contingency.due_meeting == "การประชุม ก.ก. เดือนมกราคม 2564"


def test_seed_adopts_the_minutes_of_9_2563_with_three_corrections(seed):
    adoption = seed.minutes_adoption
    assert adoption is not None
    assert (adoption.of_code, adoption.of_date) == ("9/2563", date(2020, 12, 2))
    assert adoption.corrections == (
        MinutesCorrection(
            "หน้า 11 ข้อ 6",
            "การลงเวลาปฏิบัติราชการผ่านสื่ออิเล็กทรอนิกส์ของหน่วยงานภาครัฐ",
            "การลงเวลาปฏิบัติราชการผ่านสื่ออิเล็กทรอนิกส์ของส่วนราชการ",
        ),
        MinutesCorrection("หน้า 11 ข้อ 6", "สารสนเทศทรัพยากรบุคคลระดับกรม", "สารสนเทศทรัพยากรบุคคลของข้าราชการ"),
        MinutesCorrection(
            "หน้า 11 ข้อ 6",
            "ให้ทันกับความต้องการ กฎ ระเบียบและเทคโนโลยีที่เปลี่ยนแปลง",
            "ให้เป็นไปตามกฎ ระเบียบ และเทคโนโลยีที่เปลี่ยนแปลง",
        ),
    )


def test_seed_plan(seed):
    plan = seed.plan
    assert plan is not None
    assert plan.title == "แผนยุทธศาสตร์การบริหารทรัพยากรบุคคลของกรุงเทพมหานคร"
    assert (plan.period_start_be, plan.period_end_be) == (2561, 2565)
    assert plan.vision is not None and plan.vision.startswith("มีกลไกการบริหารทรัพยากร")
    assert [s.number for s in plan.strategies] == [1, 2, 3, 4, 5]
    titles = [s.title for s in plan.strategies]
    assert titles[0].startswith("การสร้างผู้นำและผู้บริหารระดับสูง")
    assert titles[3] == "พัฒนาระบบ HR ให้มีความเข้มแข็งและทันต่อบริบทที่เปลี่ยนแปลง"
    goals = [s.goal or "" for s in plan.strategies]
    assert goals[0] == "เพื่อให้กรุงเทพมหานครมีผู้บริหารที่มีศักยภาพและมีความพร้อมในการเข้าสู่ตำแหน่ง"
    assert goals[3].startswith("เพื่อบูรณาการการทำงาน")  # goal on the line after 'เป้าหมาย'
    assert goals[4].startswith("เพื่อพัฒนาและยกระดับคุณภาพชีวิต")
    assert all(goal.startswith("เพื่อ") for goal in goals)


def test_seed_plan_approvals(seed):
    plan = seed.plan
    assert plan is not None
    assert [(a.body, a.code, a.date) for a in plan.approvals] == [
        (BODY, "8/2560", date(2017, 9, 28)),
        ("ก.ก.", "12/2560", date(2018, 2, 1)),
    ]
    assert [(p.fiscal_year_be, p.approved_at_code, p.approved_on) for p in plan.action_plans] == [
        (2563, "2/2562", date(2019, 3, 6)),
        (2564, "1/2564", date(2021, 1, 6)),
    ]


def test_seed_fy2563_results(seed):
    results = seed.activity_results
    assert len(results) == 31
    assert {r.fiscal_year_be for r in results} == {2563}
    assert Counter(r.status for r in results) == {"COMPLETED": 19, "IN_PROGRESS": 10, "NOT_IMPLEMENTED": 2}
    assert Counter((r.strategy_number, r.kind) for r in results) == {
        (1, "ONE_YEAR"): 5,
        (1, "CONTINUING"): 1,
        (2, "ONE_YEAR"): 1,
        (2, "CONTINUING"): 2,
        (3, "ONE_YEAR"): 6,
        (3, "CONTINUING"): 2,
        (4, "ONE_YEAR"): 7,
        (4, "CONTINUING"): 2,
        (5, "ONE_YEAR"): 5,
    }
    one_year = [r for r in results if r.kind == "ONE_YEAR"]
    assert len(one_year) == 24
    assert sum(r.status != "COMPLETED" for r in one_year) == 5


def test_seed_activities_not_implemented_carry_their_reasons(seed):
    not_done = [r for r in seed.activity_results if r.status == "NOT_IMPLEMENTED"]
    assert [r.title for r in not_done] == [
        "โครงการสร้างสถาปัตยกรรมองค์กรด้านการบริหารทรัพยากรบุคคลของกรุงเทพมหานคร",
        "ฝึกงานกับกรุงเทพมหานคร (Internship in BMA)",
    ]
    assert not_done[0].reason is not None and "ไม่ได้รับจัดสรรงบประมาณ" in not_done[0].reason
    assert not_done[1].reason is not None and "โควิด-19" in not_done[1].reason
    waiting = next(r for r in seed.activity_results if r.line_no == 234)
    assert waiting.reason == "เนื่องจากยังไม่ได้รับความเห็นชอบจากผู้บริหาร"


def test_seed_outcomes_are_whole_and_free_of_markup(seed):
    last = seed.activity_results[-1]
    assert last.title == "สร้างฐานข้อมูลเพื่อการแลกเปลี่ยนเรียนรู้ผ่านระบบ Online"
    assert last.outcome == "จัดทำและเผยแพร่หลักสูตรการเรียนรู้ด้วยตนเองผ่านสื่อออนไลน์จำนวน ๖ วิชา"
    assert all("<" not in r.outcome and "<" not in r.title for r in seed.activity_results)


def test_seed_fy2564_proposals(seed):
    proposals = seed.proposals
    assert {p.fiscal_year_be for p in proposals} == {2564}
    assert Counter((p.strategy_number, p.column) for p in proposals) == {
        (1, "SUBCOMMITTEE"): 4,
        (1, "SEMINAR"): 2,
        (1, "UNIVERSITY_STUDY"): 1,
        (2, "SUBCOMMITTEE"): 2,
        (2, "SEMINAR"): 3,
        (2, "UNIVERSITY_STUDY"): 2,
        (3, "SUBCOMMITTEE"): 2,
        (3, "SEMINAR"): 3,
        (3, "UNIVERSITY_STUDY"): 2,
        (4, "SUBCOMMITTEE"): 2,
        (4, "SEMINAR"): 3,
        (4, "UNIVERSITY_STUDY"): 1,
        (5, "SUBCOMMITTEE"): 2,
        (5, "SEMINAR"): 1,
        (5, "UNIVERSITY_STUDY"): 1,
    }
    first = proposals[0]
    assert first.text == "ควรมีโครงการพัฒนา ผู้อำนวยการเขตและผู้ที่จะขึ้น เป็นผู้อำนวยการเขต"
    assert first.responsible_units[0] == "กองอัตรากำลัง สำนักงาน ก.ก."
    assert first.responsible_units[-1] == "สำนักการศึกษา"
    fifth = [p for p in proposals if p.strategy_number == 5]
    assert fifth[1].text.startswith("ควรออกแบบสวัสดิการ")  # split from a cell without <p>
    assert fifth[0].text.endswith("ที่ให้บริการ ๒๔ ชั่วโมง")
    assert fifth[0].responsible_units == ("กองพัฒนาระบบราชการ กรุงเทพมหานคร สำนักงาน ก.ก.", "สำนักงานศึกษา")


def test_seed_committee_comments(seed):
    comments = seed.comments
    assert [c.number for c in comments] == list(range(1, 10))
    assert {c.agenda_number for c in comments} == {3}
    assert "ซึ่งไม่ตรงตามเจตนารมณ์" in comments[0].text  # continued over a page break
    assert "ซึ่งไม่ตรง..." not in comments[0].text
    assert "ไมล์สโตน (Milestone)" in comments[2].text and "OKR" in comments[2].text
    assert "ความเสี่ยง" in comments[3].text
    assert "ยกระดับทักษะเดิมให้ดีขึ้น" in comments[6].text
    assert "เป็นระยะ" in comments[8].text


def test_seed_next_meeting(seed):
    meeting = seed.next_meeting
    assert meeting is not None
    assert (meeting.code, meeting.date, meeting.starts_at) == ("2/2564", date(2021, 2, 3), time(9, 30))
    assert meeting.venue is not None and meeting.venue.startswith("ห้องนพรัตน์")


def test_seed_cited_meetings(seed):
    cited = {(m.body, m.code): m.date for m in seed.cited_meetings}
    assert len(cited) == len(seed.cited_meetings)  # no duplicates
    assert cited[(BODY, "9/2563")] == date(2020, 12, 2)
    assert cited[(BODY, "8/2560")] == date(2017, 9, 28)
    assert cited[("ก.ก.", "12/2560")] == date(2018, 2, 1)
    assert cited[(BODY, "2/2562")] == date(2019, 3, 6)
    assert cited[(BODY, "7/2562")] == date(2019, 10, 9)
    assert cited[(BODY, "3/2563")] == date(2020, 3, 5)
    assert cited[(BODY, "8/2563")] == date(2020, 11, 4)  # its date is over a page break
    assert cited[("ก.ก.", "12/2563")] == date(2020, 12, 17)
    assert cited[("ก.ก.", "11/2562")] == date(2019, 11, 21)
    assert cited[("อ.ก.ก. วิสามัญเกี่ยวกับระบบราชการฯ", "6/2563")] == date(2020, 7, 8)
    assert cited[("คณะหัวหน้าส่วนราชการระดับกระทรวงหรือเทียบเท่า", "3/2563")] == date(2020, 7, 23)
    assert all(m.date < seed.date for m in seed.cited_meetings)


def test_seed_signatory(seed):
    (signatory,) = seed.signatories
    assert signatory.name == "นางสาวอติภา พูลสวัสดิ์"
    assert "อ.ก.ก. และเลขานุการ" in signatory.position


# --------------------------------------------------------------------------- what cannot be placed


def test_lines_that_fit_nowhere_are_reported_with_their_numbers():
    lines = SAMPLE_MINUTES.read_text(encoding="utf-8").splitlines()
    lines.insert(7, "ข้อความแปลกปลอมก่อนรายชื่อ")  # becomes line 8, before the first list heading
    row = next(i for i, line in enumerate(lines) if line.startswith("ปรับปรุงโครงสร้างสำนักงานเขต\t"))
    lines.insert(row + 1, "กิจกรรมลึกลับ\tสถานะที่ไม่รู้จัก : ไม่มีใครรู้")
    minutes = parse_minutes("\n".join(lines))
    assert [(u.line_no, u.text) for u in minutes.unplaced] == [
        (8, "ข้อความแปลกปลอมก่อนรายชื่อ"),
        (row + 2, "กิจกรรมลึกลับ\tสถานะที่ไม่รู้จัก : ไม่มีใครรู้"),
    ]
    assert len(minutes.activity_results) == 31


def test_windows_line_endings_and_a_byte_order_mark_change_nothing(seed):
    text = SAMPLE_MINUTES.read_text(encoding="utf-8")
    again = parse_minutes("\ufeff" + text.replace("\n", "\r\n"), source=SAMPLE_MINUTES.name)
    assert again == seed


def test_text_without_a_heading_is_not_minutes():
    with pytest.raises(MinutesFormatError):
        parse_minutes("สวัสดี\nนี่ไม่ใช่รายงานการประชุม\n")


# --------------------------------------------------------------------------- a later meeting: 2/2564


def test_second_minutes_parse_with_nothing_unplaced(second):
    assert second.unplaced == (), _unplaced_report(second)
    assert second.body == BODY
    assert (second.code, second.date) == ("2/2564", date(2021, 2, 3))
    assert (second.starts_at, second.ends_at) == (time(9, 30), time(11, 0))
    assert second.electronic


def test_second_minutes_attendance(second):
    assert Counter(p.presence for p in second.attendance) == {
        "IN_ROOM": 5,
        "ONLINE": 2,
        "PRESENT": 1,
        "ABSENT": 2,
        "OTHER": 3,
    }
    assert Counter(p.role for p in second.attendance if p.presence != "OTHER") == {
        "CHAIR": 1,
        "MEMBER": 7,
        "SECRETARY": 1,
        "ASSISTANT_SECRETARY": 1,
    }


def test_second_minutes_agenda(second):
    assert [item.number for item in second.agenda] == [1, 2, 3, 4, 5]
    kinds = [[r.kind for r in item.resolutions] for item in second.agenda]
    assert kinds == [
        ["ACKNOWLEDGED", "ASSIGNED"],
        ["APPROVED_WITH_AMENDMENTS"],
        ["ACKNOWLEDGED", "ASSIGNED", "ASSIGNED"],
        [],
        ["ACKNOWLEDGED"],
    ]
    (circulate,) = second.agenda[0].resolutions[1].action_items
    assert circulate.owner == "สำนักงาน ก.ก."
    report, send = (r.action_items[0] for r in second.agenda[2].resolutions[1:])
    assert report.owner == "สำนักงาน ก.ก."
    assert report.due_meeting == f"{BODY} ครั้งที่ 3/2564"
    assert send.owner == "สำนักยุทธศาสตร์และประเมินผล"
    assert send.due_on == date(2021, 2, 26)


def test_second_minutes_adopt_1_2564_with_one_correction(second):
    adoption = second.minutes_adoption
    assert adoption is not None
    assert (adoption.of_code, adoption.of_date) == ("1/2564", date(2021, 1, 6))
    assert adoption.corrections == (
        MinutesCorrection("หน้า 2 ข้อ 3", "ผู้ช่วยศาสตราจารย์สุดารัตน์ หงวนเสงี่ยม", "ผู้ช่วยศาสตราจารย์สุภารัตน์ หงวนเสงี่ยม"),
    )


def test_second_minutes_next_meeting_and_citations(second):
    assert second.next_meeting is not None
    assert (second.next_meeting.code, second.next_meeting.date) == ("3/2564", date(2021, 3, 3))
    assert second.next_meeting.starts_at == time(9, 30)
    assert [(m.body, m.code, m.date) for m in second.cited_meetings] == [
        ("ก.ก.", "1/2564", date(2021, 1, 21)),
        (BODY, "1/2564", date(2021, 1, 6)),
    ]
    assert [c.number for c in second.comments] == [1, 2]


def test_second_minutes_results_match_the_seed_activities_by_normalised_title(seed, second):
    earlier = {normalise_title(r.title): r for r in seed.activity_results}
    assert len(earlier) == 31  # the key tells all 31 apart
    later = second.activity_results
    assert len(later) == 8
    assert {r.fiscal_year_be for r in later} == {2563}
    matched = {r.title: earlier[normalise_title(r.title)] for r in later}
    assert all(
        before.strategy_number == after.strategy_number and before.kind == after.kind
        for after in later
        for before in [matched[after.title]]
    )
    changes = sorted(
        (matched[after.title].status, after.status) for after in later if matched[after.title].status != after.status
    )
    assert changes == [
        ("IN_PROGRESS", "COMPLETED"),
        ("IN_PROGRESS", "COMPLETED"),
        ("NOT_IMPLEMENTED", "IN_PROGRESS"),
    ]


def test_second_minutes_titles_really_differ_in_writing_from_the_seed(seed, second):
    seed_titles = {r.title for r in seed.activity_results}
    differing = [r.title for r in second.activity_results if r.title not in seed_titles]
    assert len(differing) >= 4


def test_what_the_import_leaves_unknown_is_listed_by_kind(seed: ParsedMinutes) -> None:
    left = unknowns(seed)
    counts = {group.split(" (")[0].split(":")[0]: len(items) for group, items in left.items()}
    assert counts == {
        "progress": 31,  # every activity: no percentage is reported for any
        # noted from the stated causes, not yet assessed: one per cause (the enterprise-architecture
        # project gives two numbered reasons)
        "risk likelihood and impact": 4,
        "risk owner": 4,
        "risk mitigation": 4,
        "plan period": 1,  # 'พ.ศ. ๒๕๖๑ - ๒๕๖๕': the years, no days
        "activity responsible units": 31,
        "meeting mode": 12,  # eleven meetings cited by reference, and 2/2564 announced
        "meeting start and end time": 12,
        "meeting venue": 11,
        "attendee's presence": 2,  # the assistant secretaries, in neither of the chair's lists
    }
    assert list(left) == [group for group in UNKNOWN_GROUPS if group in left]  # in the listing's order
    [period] = left[next(g for g in left if g.startswith("plan period"))]
    assert "(2561-2565)" in period
    modes = left[next(g for g in left if g.startswith("meeting mode"))]
    assert sum(item.endswith("— cited") for item in modes) == 11 and any(item.startswith("2/2564") for item in modes)
    assert not any(g.startswith("figures") for g in left)  # every figure of the sample is tied to a subject


# -- when a reported row takes effect ------------------------------------------------------


def test_a_row_takes_effect_on_the_date_its_text_gives_else_the_period_end_else_the_meeting() -> None:
    meeting = date(2021, 2, 3)
    start = date(2020, 10, 1)

    def row(outcome: str, as_at: date | None) -> ActivityResult:
        return ActivityResult(2564, 1, "ONE_YEAR", "t", "COMPLETED", outcome, None, as_at=as_at)

    # a day, in Thai digits and an abbreviated month
    assert stated_on("แล้วเสร็จ เมื่อวันที่ ๒๐ ม.ค. ๖๔", start, meeting) == date(2021, 1, 20)
    # a month without a day: the end of that month ...
    assert stated_on("ในการประชุมเดือนธันวาคม ๒๕๖๓", start, meeting) == date(2020, 12, 31)
    # ... or the meeting's day when the month is the meeting's own
    assert stated_on("ในการประชุมเดือนกุมภาพันธ์ ๒๕๖๔", start, meeting) == meeting
    # dates after the meeting are plans, before the year's start another year's: not this row's
    assert stated_on("จะเสนอในวันที่ ๓ มี.ค. ๖๔ (เสนอครั้งแรก ๙ ต.ค. ๖๒)", start, meeting) is None
    # the latest date the row names
    assert stated_on("เห็นชอบเมื่อวันที่ ๕ พ.ย. ๖๓ และเมื่อวันที่ ๒๐ ม.ค. ๖๔", start, meeting) == date(2021, 1, 20)

    year_end = date(2021, 9, 30)
    assert result_effective_on(row("ได้ผล", date(2020, 9, 30)), meeting) == date(2020, 9, 30)
    assert result_effective_on(row("ได้ผล", year_end), meeting) == meeting  # the year has not ended
    assert result_effective_on(row("ได้ผล", None), meeting) == meeting  # a follow-up: as of the meeting
    assert result_effective_on(row("เมื่อวันที่ ๒๐ ม.ค. ๖๔", None), meeting) == date(2021, 1, 20)


def test_a_results_table_reports_the_year_s_end_and_a_follow_up_the_meeting() -> None:
    sample = parse_minutes(SAMPLE_MINUTES.read_text(encoding="utf-8"), source="sample")
    later = parse_minutes(LATER_MINUTES.read_text(encoding="utf-8"), source="later")
    assert {r.as_at for r in sample.activity_results} == {date(2020, 9, 30)}
    assert {r.as_at for r in later.activity_results} == {None}
