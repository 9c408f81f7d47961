"""Ways of writing minutes found by importing minutes written blind (not against the parser):
each rule on its own, as the smallest minutes that need it. The corpus files
(bangkapi-1-2564-status-column, digital-4-2564-sub-items, hr-6-2564-arabic-digits-crlf) hold them
together."""

from __future__ import annotations

from datetime import date

from service.minutes.announcements import membership_changes
from service.minutes.columns import columns_of
from service.minutes.due_dates import due_of
from service.minutes.model import ParsedMinutes
from service.minutes.parser import parse_minutes
from service.minutes.tables import row, status_of
from service.minutes.thai_text import visible_text

_HEAD = """รายงานการประชุม คณะกรรมการทดสอบ
ครั้งที่ ๑/๒๕๖๔
วันที่ ๑๐ มีนาคม ๒๕๖๔
ณ ห้องประชุม ๑

ผู้มาประชุม
๑. นายสมชาย ใจงาม ผู้อำนวยการเขต ประธานกรรมการ
๒. นางสาวสุดา มีสุข หัวหน้าฝ่ายปกครอง กรรมการ
๓. นางมาลี รุ่งเรือง หัวหน้าฝ่ายบริหารงานทั่วไป กรรมการและเลขานุการ

ผู้ไม่มาประชุม
๑. นายประเสริฐ บุญยืน หัวหน้าฝ่ายการคลัง (ลาป่วย)

เริ่มประชุมเวลา ๑๐.๐๐ น.

"""
_TAIL = """
เลิกประชุมเวลา ๑๒.๐๐ น.

(นางมาลี รุ่งเรือง)
กรรมการและเลขานุการ
"""


def _parsed(body: str) -> ParsedMinutes:
    return parse_minutes(_HEAD + body + _TAIL, source="test")


def test_a_plain_list_with_the_role_after_the_position_gives_the_role() -> None:
    people = {a.name: a for a in _parsed("วาระที่ ๑ เรื่องอื่น ๆ\n\nไม่มี\n").attendance}
    assert (people["นายสมชาย ใจงาม"].role, people["นายสมชาย ใจงาม"].position) == ("CHAIR", "ผู้อำนวยการเขต")
    assert people["นางมาลี รุ่งเรือง"].roles == ("MEMBER", "SECRETARY")
    absent = people["นายประเสริฐ บุญยืน"]
    assert (absent.absence_reason, absent.position) == ("ลาป่วย", "หัวหน้าฝ่ายการคลัง")


def test_agenda_items_written_วาระที่_and_their_sub_items() -> None:
    minutes = _parsed(
        "วาระที่ ๑ เรื่องเพื่อทราบ\n\n"
        "๑.๑ เรื่อง ความก้าวหน้า ประจำปีงบประมาณ พ.ศ. ๒๕๖๔ ยุทธศาสตร์ที่ ๒\n\n"
        "โครงการ/กิจกรรม\tสถานะ\tผลการดำเนินงาน\n"
        "โครงการ ก\tดำเนินการเรียบร้อยแล้ว\tอบรมครบ\n\n"
        "มติที่ประชุม\n\nรับทราบ\n\n"
        "๑.๒ เรื่อง อื่น ๆ\n\nรายละเอียด\n\n"
        "มติ ที่ประชุมรับทราบ\n"
    )
    assert [item.number for item in minutes.agenda] == [1]
    assert [r.kind for r in minutes.agenda[0].resolutions] == ["ACKNOWLEDGED", "ACKNOWLEDGED"]
    (result,) = minutes.activity_results
    assert (result.strategy_number, result.fiscal_year_be, result.status, result.outcome) == (
        2,
        2564,
        "COMPLETED",
        "อบรมครบ",
    )
    assert minutes.unplaced == ()


def test_a_table_s_columns_are_read_from_its_heading() -> None:
    layout = columns_of(("ลำดับ", "โครงการ/กิจกรรม", "ผลการดำเนินงาน", "ร้อยละ", "หน่วยงานที่รับผิดชอบ", "หมายเหตุ"))
    assert layout is not None
    found = row("๑\tโครงการ ก\tอยู่ระหว่างดำเนินการ : ติดตั้งแล้ว\t๘๐\tสำนักการคลัง\tรองบ", layout)
    assert found is not None
    assert (found.title, found.status, found.outcome, found.units) == (
        "โครงการ ก",
        "IN_PROGRESS",
        "ติดตั้งแล้ว",
        ("สำนักการคลัง",),
    )
    assert found.extra == "ร้อยละ ๘๐ (หมายเหตุ รองบ)"
    assert columns_of(("ข้อเสนอของ อ.ก.ก.", "หน่วยงานที่เกี่ยวข้อง")) is None


def test_more_status_words() -> None:
    assert status_of("ระงับการดำเนินการ : รองบ") == ("ON_HOLD", "รองบ")
    assert status_of("เลื่อนการดำเนินการ : ปีหน้า") == ("ON_HOLD", "ปีหน้า")
    assert status_of("อยู่ระหว่างดำเนินงาน") == ("IN_PROGRESS", "")


def test_within_a_month_is_due_on_its_last_day() -> None:
    assert due_of("ให้แล้วเสร็จภายในเดือนมีนาคม ๒๕๖๔", "x").on == date(2021, 3, 31)
    assert due_of("ภายในสิ้นเดือน ก.พ. ๖๔", "x").on == date(2021, 2, 28)


def test_invisible_characters_are_not_text() -> None:
    assert visible_text("ทอง\u200bกัลยา\u00a0ก\u00adข") == "ทองกัลยา กข"


def test_a_running_page_header_is_not_the_item_s_text() -> None:
    minutes = _parsed("วาระที่ ๑ เรื่องอื่น ๆ\n\nรายละเอียด\n\nรายงานการประชุม คณะกรรมการทดสอบ ครั้งที่ ๑/๒๕๖๔\nหน้า ๒/๒\n\nต่อไป\n")
    assert minutes.agenda[0].text == "รายละเอียด\nต่อไป"
    assert minutes.unplaced == ()


def test_a_table_of_a_year_not_over_reports_as_of_the_meeting_or_the_day_it_names() -> None:
    table = "ยุทธศาสตร์ที่ ๑ ก\nโครงการ/กิจกรรม\tผลการดำเนินงาน\nโครงการ ก\tแล้วเสร็จ : ครบ\n\n"
    plain = _parsed(f"วาระที่ ๑ เรื่อง ผลการดำเนินงาน ประจำปี พ.ศ. ๒๕๖๔\n\n{table}")
    assert plain.activity_results[0].as_at is None  # 30 Sep 2021 is after the meeting
    named = _parsed(f"วาระที่ ๑ เรื่อง ผลการดำเนินงาน ประจำปี พ.ศ. ๒๕๖๔\n\nรายงาน ณ วันที่ ๓๑ ธันวาคม ๒๕๖๓ ดังนี้\n{table}")
    assert named.activity_results[0].as_at == date(2020, 12, 31)


def test_an_order_appointing_a_member_in_another_s_place_is_a_membership_change() -> None:
    (change,) = membership_changes(
        "กรุงเทพมหานครได้มีคำสั่งที่ ๘๘๐/๒๕๖๔ ลงวันที่ ๑ เมษายน ๒๕๖๔ แต่งตั้งนายก ข เป็นอนุกรรมการแทนนางค ง ซึ่งเกษียณอายุราชการ", 1
    )
    assert (change.joined, change.left, change.kind) == ("นายก ข", "นางค ง", "PERSON")
    assert (change.resolution_body, change.resolution_code, change.resolution_on) == (
        "คำสั่งกรุงเทพมหานคร",
        "880/2564",
        date(2021, 4, 1),
    )
