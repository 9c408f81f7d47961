"""The facts the minutes give beyond their tables (issue 18, point 3): absence reasons, dual roles,
comments' strategies, due dates, separate reasons, units, membership changes — each rule on
written cases, then on the sample."""

from datetime import date

import pytest

from service.minutes.absence import absence_reason
from service.minutes.announcements import membership_changes
from service.minutes.due_dates import Due, due_of, meeting_date
from service.minutes.model import ParsedMinutes
from service.minutes.parser import parse_minutes
from service.minutes.reasons import split_reasons
from service.minutes.references import strategies_named
from service.minutes.units import one_unit_each, unit_names
from tests.paths import SAMPLE_MINUTES

BODY = "อ.ก.ก. วิสามัญเกี่ยวกับยุทธศาสตร์การบริหารทรัพยากรบุคคลของกรุงเทพมหานคร"


@pytest.fixture(scope="module")
def seed() -> ParsedMinutes:
    return parse_minutes(SAMPLE_MINUTES.read_text(encoding="utf-8"), source=SAMPLE_MINUTES.name)


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("ติดราชการ", "ติดราชการ"),
        ("ตติราชการ", "ติดราชการ"),
        ("ติตราชการ", "ติดราชการ"),
        ("ติดภารกิจ", "ติดภารกิจ"),
        ("ตติการกิจ", "ติดภารกิจ"),
        ("ลาป่วย", "ลาป่วย"),
        ("ลากิจ", "ลากิจ"),
        ("ติดธุระ", None),
        ("ผู้ทรงคุณวุฒิ", None),
        ("", None),
        (None, None),
    ],
)
def test_an_absence_reason_is_its_canonical_word_or_unknown(written, reason):
    assert absence_reason(written) == reason


def test_the_sample_absent_members_reasons_are_kept_raw_and_canonical(seed):
    absent = [a for a in seed.attendance if a.presence == "ABSENT"]
    assert [(a.note, a.absence_reason) for a in absent] == [
        ("ตติราชการ", "ติดราชการ"),
        ("ตติการกิจ", "ติดภารกิจ"),
        ("ตติราชการ", "ติดราชการ"),
    ]
    assert all(a.absence_reason is None for a in seed.attendance if a.presence != "ABSENT")


def test_a_member_and_secretary_has_both_roles(seed):
    by_name = {a.name: a for a in seed.attendance}
    secretary = by_name["นางสาวอติภา พูลสวัสดิ์"]
    assert (secretary.role, secretary.roles) == ("SECRETARY", ("MEMBER", "SECRETARY"))
    assistants = [a for a in seed.attendance if a.role == "ASSISTANT_SECRETARY"]
    assert len(assistants) == 2 and all(a.roles == () for a in assistants)  # "ผู้ช่วยเลขานุการ" alone: one role
    chair = [a for a in seed.attendance if a.role == "CHAIR"]
    assert len(chair) == 1 and chair[0].roles == ()


def test_strategies_named_by_number_in_thai_or_arabic_digits_once_each():
    assert strategies_named("ยุทธศาสตร์ที่ ๒ ... ซึ่งมีความสัมพันธ์กับยุทธศาสตร์ที่ ๑ และยุทธศาสตร์ที่ 2") == (2, 1)
    assert strategies_named("เนื่องจากทั้ง ๕ ยุทธศาสตร์มีความเกี่ยวเนื่องกัน") == ()
    assert strategies_named("ยุทธศาสตร์ที่ ๗ และ ยุทธศาสตร์ที่ ๓", known={1, 2, 3}) == (3,)


def test_the_sample_comments_name_their_strategies(seed):
    assert [c.strategy_numbers for c in seed.comments] == [
        (5,),
        (1, 2, 3, 4, 5),
        (1,),
        (),
        (1,),
        (2, 1),
        (3,),
        (4,),
        (),
    ]


def test_a_month_meeting_of_another_body_is_due_the_last_day_of_that_month():
    due = due_of("รายงานผล ให้ ก.ก. ทราบในการประชุมเดือนกุมภาพันธ์ ๒๕๖๔ โดยไม่ต้องรอรับรองรายงานการประชุม", BODY)
    assert due == Due(on=date(2021, 2, 28), meeting="การประชุม ก.ก. เดือนกุมภาพันธ์ 2564", meeting_code=None)
    leap = due_of("ให้ ก.ก. ทราบในการประชุมเดือนกุมภาพันธ์ 2567", BODY)
    assert leap.on == date(2024, 2, 29)


def test_a_named_date_is_the_due_date_and_a_coded_meeting_of_this_body_waits_for_its_date():
    assert due_of("จัดส่งข้อมูลภายในวันที่ ๑๕ มีนาคม ๒๕๖๔", BODY).on == date(2021, 3, 15)
    coded = due_of("รายงานผลในการประชุมครั้งที่ ๒/๒๕๖๔", BODY)
    assert (coded.on, coded.meeting_code) == (None, "2/2564")
    assert meeting_date(coded.meeting_code, {"2/2564": date(2021, 2, 3)}) == date(2021, 2, 3)
    assert meeting_date(coded.meeting_code, {}) is None
    own_month = due_of("รายงานให้ที่ประชุมทราบในการประชุมเดือนกุมภาพันธ์ ๒๕๖๔", BODY)
    assert own_month.meeting_code == "month:2021-02"
    assert meeting_date(own_month.meeting_code, {"2/2564": date(2021, 2, 3)}) == date(2021, 2, 3)


def test_periodically_is_periodic_and_no_date_is_unknown():
    assert due_of("รายงานความก้าวหน้าให้ที่ประชุมทราบเป็นระยะ", BODY) == Due(periodic=True)
    assert due_of("ดำเนินการต่อไป", BODY) == Due()


def test_the_sample_action_items_due_dates(seed):
    items = [a for item in seed.agenda for r in item.resolutions for a in r.action_items]
    assert [(a.due_on, a.periodic) for a in items] == [
        (date(2021, 1, 31), False),
        (None, True),
        (date(2021, 1, 31), False),
    ]


def test_a_meeting_the_minutes_set_gives_the_due_date_of_work_due_at_it(seed):
    text = SAMPLE_MINUTES.read_text(encoding="utf-8").replace(
        "ให้ที่ประชุมทราบเป็นระยะ\n", "ให้ที่ประชุมทราบในการประชุมครั้งที่ ๒/๒๕๖๔\n"
    )
    items = [a for item in parse_minutes(text).agenda for r in item.resolutions for a in r.action_items]
    assert (items[1].due_on, items[1].periodic) == (date(2021, 2, 3), False)  # 2/2564: 3 Feb 2564, as set


def test_numbered_reasons_are_kept_one_by_one():
    assert split_reasons("๑. ไม่ได้รับจัดสรรงบประมาณ ๒. ต้องรอโครงการระยะที่ 1 แล้วเสร็จ") == (
        "ไม่ได้รับจัดสรรงบประมาณ",
        "ต้องรอโครงการระยะที่ 1 แล้วเสร็จ",
    )
    assert split_reasons("เนื่องจากสถานการณ์การแพร่ระบาด") == ("เนื่องจากสถานการณ์การแพร่ระบาด",)
    assert split_reasons("๒. only a second point") == ("๒. only a second point",)
    assert split_reasons(None) == ()


def test_the_sample_enterprise_architecture_project_has_two_reasons(seed):
    row = next(r for r in seed.activity_results if r.title.startswith("โครงการสร้างสถาปัตยกรรมองค์กร"))
    reasons = split_reasons(row.reason)
    assert len(reasons) == 2
    assert reasons[0] == "ไม่ได้รับจัดสรรงบประมาณจึงไม่มีการดำเนินการ"
    assert reasons[1].startswith("โครงการนี้ต้องดำเนินการภายหลัง")


def test_ocr_spellings_of_a_unit_are_one_unit_and_other_units_stay_apart():
    names = unit_names(
        [
            "สำนักการศึกษา",
            "สำนักการศึกษา",
            "สำนักงานศึกษา",
            "สำนักการคลัง",
            "กองวินัยและ เสริมสร้างจริยธรรม",
            "กองวินัยและเสริมสร้างจริยธรรม",
        ]
    )
    assert names["สำนักงานศึกษา"] == "สำนักการศึกษา"
    assert names["สำนักการคลัง"] == "สำนักการคลัง"
    assert names["กองวินัยและ เสริมสร้างจริยธรรม"] == "กองวินัยและเสริมสร้างจริยธรรม"
    assert one_unit_each(["สำนักงานศึกษา", "สำนักการศึกษา"], names) == ("สำนักการศึกษา",)


def test_the_chairs_announcement_gives_the_membership_change(seed):
    changes = seed.membership_changes
    assert [(c.left, c.joined, c.kind) for c in changes] == [
        ("ผู้ช่วยศาสตราจารย์ สุณี เวชประสิทธิ์", "ผู้ช่วยศาสตราจารย์สุภารัตน์ หงวนเสียม", "PERSON"),
        (
            "ผู้ช่วย หัวหน้าสำนักงาน ก.ก. สังกัดกรมการพัฒนาระบบราชการกรุงเทพมหานคร",
            "ผู้ช่วย หัวหน้าสำนักงาน ก.ก. ที่หัวหน้าสำนักงาน ก.ก. มอบหมาย",
            "POSITION",
        ),
    ]
    assert {(c.resolution_body, c.resolution_code, c.resolution_on, c.effective_on) for c in changes} == {
        ("ก.ก.", "12/2563", date(2020, 12, 17), None)  # no effective date stated: unknown
    }
    assert all(c.agenda_number == 1 for c in changes)


def test_a_stated_effective_date_is_kept_and_a_passage_not_about_members_gives_none():
    text = (
        "ด้วย ก.ก. ได้มีมติครั้งที่ ๓/๒๕๖๔ เมื่อวันที่ ๑๐ มีนาคม ๒๕๖๔ ให้ปรับปรุงอนุกรรมการ มีผลตั้งแต่วันที่ ๑ เมษายน ๒๕๖๔ "
        "ดังนี้ ๑.๑ จาก “นายสมชาย ใจดี” เป็น “นางสมศรี ใจงาม”"
    )
    (change,) = membership_changes(text, 1)
    assert (change.left, change.joined, change.effective_on) == ("นายสมชาย ใจดี", "นางสมศรี ใจงาม", date(2021, 4, 1))
    assert membership_changes("ก.ก. มีมติครั้งที่ ๒/๒๕๖๔ เมื่อวันที่ ๑ มีนาคม ๒๕๖๔ ให้แก้ไขถ้อยคำ จาก “ก” เป็น “ข”") == ()


def test_the_sample_agenda_items_keep_their_text(seed):
    by_number = {item.number: item for item in seed.agenda}
    assert "ก.ก. ได้มีมติครั้งที่ ๑๒/๒๕๖๓" in by_number[1].text
    assert "Cisco" in by_number[1].text  # the third announcement
    assert "สาระสำคัญของเรื่อง" in by_number[3].text
    assert "Workplace Safety" in by_number[4].text and "ผู้ใต้บังคับบัญชา" in by_number[4].text
