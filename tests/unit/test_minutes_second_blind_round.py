"""Ways of writing minutes found by the second blind round (minutes of the sample's own committee
written without looking at the parser): each rule on its own, as the smallest minutes that need
it. The corpus files hr-7-2564-acting-chair-br-cells and hr-8-2564-pipe-table-resumed hold them
together."""

from __future__ import annotations

from datetime import date

from service.minutes import tables
from service.minutes.due_dates import due_of
from service.minutes.model import ParsedMinutes
from service.minutes.parser import parse_minutes

_HEAD = """รายงานการประชุม คณะกรรมการทดสอบ
ครั้งที่ ๓/๒๕๖๔
วันที่ ๑๐ มีนาคม ๒๕๖๔
ณ ห้องประชุม ๑

ผู้มาประชุม
๑. นางสาวสุดา มีสุข หัวหน้าฝ่ายปกครอง กรรมการ
๒. นางมาลี รุ่งเรือง หัวหน้าฝ่ายบริหารงานทั่วไป กรรมการและเลขานุการ

ผู้ไม่มาประชุม
๑. นายสมชาย ใจงาม ติดภารกิจ
ประธานกรรมการ
๒. นายประเสริฐ บุญยืน ไปราชการต่างประเทศ
หัวหน้าฝ่ายการคลัง

เริ่มประชุมเวลา ๑๐.๐๐ น.

"""
_TAIL = """
เลิกประชุมเวลา ๑๒.๐๐ น.

(นางมาลี รุ่งเรือง)
กรรมการและเลขานุการ
"""


def _parsed(body: str) -> ParsedMinutes:
    return parse_minutes(_HEAD + body + _TAIL, source="test")


def test_an_absent_member_s_role_on_the_line_under_the_reason_is_the_role() -> None:
    people = {a.name: a for a in _parsed("ระเบียบวาระที่ ๑ เรื่องอื่น ๆ\n\nไม่มี\n").attendance}
    chair = people["นายสมชาย ใจงาม"]
    assert (chair.role, chair.position, chair.absence_reason, chair.note) == ("CHAIR", "", "ติดภารกิจ", "ติดภารกิจ")


def test_a_known_reason_not_shaped_like_ติด_or_ลา_is_the_reason() -> None:
    people = {a.name: a for a in _parsed("ระเบียบวาระที่ ๑ เรื่องอื่น ๆ\n\nไม่มี\n").attendance}
    away = people["นายประเสริฐ บุญยืน"]
    assert (away.absence_reason, away.position) == ("ไปราชการต่างประเทศ", "หัวหน้าฝ่ายการคลัง")


def test_corrections_written_with_the_verb_แก้ไข() -> None:
    minutes = _parsed(
        "ระเบียบวาระที่ ๑ เรื่องรับรองรายงานการประชุม ครั้งที่ ๒/๒๕๖๔ เมื่อวันที่ ๓ กุมภาพันธ์ ๒๕๖๔\n\n"
        "มติที่ประชุม\n\nรับรองรายงานการประชุม โดยให้แก้ไขดังนี้\n"
        "๑. หน้า ๓ บรรทัดที่ ๕ แก้ไขจาก “ก” เป็น “ข”\n"
        "๒. หน้า ๔ ย่อหน้าที่ ๒ คำว่า “ค” แก้ไขเป็น “ง”\n"
    )
    assert minutes.minutes_adoption is not None
    assert [(c.where, c.from_text, c.to_text) for c in minutes.minutes_adoption.corrections] == [
        ("หน้า 3 บรรทัดที่ 5", "ก", "ข"),
        ("หน้า 4 ย่อหน้าที่ 2", "ค", "ง"),
    ]
    assert minutes.agenda[0].resolutions[0].kind == "APPROVED_WITH_AMENDMENTS"
    assert minutes.unplaced == ()


def test_work_due_at_the_next_meeting_is_due_at_the_meeting_the_minutes_set() -> None:
    minutes = _parsed(
        "ระเบียบวาระที่ ๑ เรื่องอื่น ๆ\n\nเรื่อง การสำรวจ\n\nมติที่ประชุม\n\n"
        "มอบหมายให้ฝ่ายปกครอง รายงานผลการสำรวจ ภายในการประชุมครั้งต่อไป\n\n"
        "ระเบียบวาระที่ ๒ เรื่องกำหนดวันประชุม\n\n"
        "กำหนดการประชุม ครั้งที่ ๔/๒๕๖๔ ในวันพุธที่ ๗ เมษายน ๒๕๖๔ เวลา ๐๙.๓๐ น.\n\nมติที่ประชุม\n\nรับทราบ\n"
    )
    (item,) = minutes.agenda[0].resolutions[0].action_items
    assert (item.due_on, item.due_meeting_code) == (date(2021, 4, 7), "4/2564")


def test_work_due_at_the_next_meeting_of_minutes_that_set_none_stays_undated() -> None:
    due = due_of("รายงานผล ในการประชุมครั้งหน้า", "คณะกรรมการทดสอบ")
    assert (due.on, due.meeting, due.periodic) == (None, "คณะกรรมการทดสอบ การประชุมครั้งต่อไป", False)
    minutes = _parsed(
        "ระเบียบวาระที่ ๑ เรื่องอื่น ๆ\n\nเรื่อง การสำรวจ\n\nมติที่ประชุม\n\nมอบหมายให้ฝ่ายปกครอง รายงานผลการสำรวจ ในการประชุมครั้งต่อไป\n"
    )
    (item,) = minutes.agenda[0].resolutions[0].action_items
    assert (item.due_on, item.due_meeting_code) == (None, None)


def test_a_member_who_came_late_left_early_or_presided_keeps_it_as_a_remark_not_in_the_position() -> None:
    minutes = parse_minutes(
        _HEAD.replace(
            "๑. นางสาวสุดา มีสุข หัวหน้าฝ่ายปกครอง กรรมการ\n",
            "| ๑. | นางสาวสุดา มีสุข<br>หัวหน้าฝ่ายปกครอง | กรรมการ<br>ทำหน้าที่ประธาน |\n"
            "| ๒. | นายวิชัย ดีงาม<br>หัวหน้าฝ่ายโยธา<br>(เข้าประชุมเวลา ๑๐.๓๐ น.) | กรรมการ |\n"
            "๓. นายอนันต์ สุขใจ กรรมการ (ออกจากที่ประชุมเวลา ๑๑.๐๐ น.)\nหัวหน้าฝ่ายรักษาความสะอาด\n",
        )
        + "ระเบียบวาระที่ ๑ เรื่องอื่น ๆ\n\nไม่มี\n"
        + _TAIL,
        source="test",
    )
    people = {a.name: (a.position, a.role, a.remark) for a in minutes.attendance}
    assert people["นางสาวสุดา มีสุข"] == ("หัวหน้าฝ่ายปกครอง", "MEMBER", "ทำหน้าที่ประธาน")
    assert people["นายวิชัย ดีงาม"] == ("หัวหน้าฝ่ายโยธา", "MEMBER", "เข้าประชุมเวลา ๑๐.๓๐ น.")
    assert people["นายอนันต์ สุขใจ"] == ("หัวหน้าฝ่ายรักษาความสะอาด", "MEMBER", "ออกจากที่ประชุมเวลา ๑๑.๐๐ น.")
    assert people["นางมาลี รุ่งเรือง"][2] is None


def test_kind_headings_as_secretariats_word_them() -> None:
    one_year = [
        "โครงการ/กิจกรรมที่ดำเนินการ ๑ ปี",
        "กิจกรรม/โครงการที่ดำเนินการ ๑ ปี",
        "กิจกรรม/โครงการที่ดำเนินการแล้วเสร็จภายในปี",
        "โครงการ/กิจกรรมที่ดำเนินการแล้วเสร็จภายใน ๑ ปี",
        "โครงการ/กิจกรรมที่ดำเนินการแล้วเสร็จในปี พ.ศ. ๒๕๖๓",
        "๑. โครงการ/กิจกรรมที่ดำเนินการ ๑ ปี :",
        "<b>โครงการ/ กิจกรรมที่ดำเนินการ จ ปี (ต่อ)</b>",
    ]
    continuing = [
        "โครงการ/กิจกรรมที่ดำเนินการต่อเนื่อง",
        "กิจกรรม/โครงการที่ดำเนินการแบบต่อเนื่อง",
        "โครงการ/กิจกรรมที่ดำเนินการต่อเนื่อง (ระยะยาว)",
        "(๒) โครงการ/กิจกรรมต่อเนื่อง",
    ]
    neither = ["โครงการ/กิจกรรม", "โครงการ/กิจกรรมที่ดำเนินการ", "โครงการพัฒนาระบบทะเบียนประวัติ", "กิจกรรมต่อเนื่องเพื่อพัฒนา"]
    assert [tables.kind_heading(h) for h in one_year] == ["ONE_YEAR"] * len(one_year)
    assert [tables.kind_heading(h) for h in continuing] == ["CONTINUING"] * len(continuing)
    assert [tables.kind_heading(h) for h in neither] == [None] * len(neither)


def test_a_negated_status_never_reads_as_the_status_it_negates() -> None:
    # 'ไม่แล้วเสร็จ' was one letter pair from 'แล้วเสร็จ': read as COMPLETED
    assert tables.status_of("ไม่แล้วเสร็จ : รอผลการพิจารณา") is None
    assert tables.status_of("ยังไม่แล้วเสร็จ : รอผลการพิจารณา") is None
    assert tables.status_of("แลัวเสร็จ : ได้หลักสูตร") == ("COMPLETED", "ได้หลักสูตร")  # OCR noise still read


def test_more_status_words_and_a_note_after_the_status_word() -> None:
    assert tables.status_of("ดำเนินการเสร็จแล้ว : x") == ("COMPLETED", "x")
    assert tables.status_of("ยกเลิกโครงการ : x") == ("CANCELLED", "x")
    assert tables.status_of("ชะลอโครงการ : x") == ("ON_HOLD", "x")
    assert tables.status_of("อยู่ระหว่างดำเนินการ (ร้อยละ ๕๐) : x") == ("IN_PROGRESS", "ร้อยละ ๕๐ x")
    assert tables.status_of("ดำเนินการแล้ว : x") is None  # done, or begun? not said: refused, never guessed


def test_a_row_saying_only_not_finished_is_refused_not_guessed() -> None:
    minutes = _parsed(
        "ระเบียบวาระที่ ๑ เรื่องเพื่อทราบ\n\n"
        "เรื่อง ความก้าวหน้าการดำเนินการตามแผนปฏิบัติราชการ ประจำปี พ.ศ. ๒๕๖๓\n\n"
        "ยุทธศาสตร์ที่ ๑ การพัฒนาคน\n"
        "กิจกรรม/โครงการที่ดำเนินการแล้วเสร็จภายในปี\n"
        "โครงการ/กิจกรรม\tผลลัพธ์ที่ได้\n"
        "โครงการ ก\tแล้วเสร็จ : อบรมครบ\n"
        "โครงการ ข\tไม่แล้วเสร็จ : รอผลการพิจารณา\n\n"
        "มติที่ประชุม\n\nรับทราบ\n"
    )
    assert [(a.title, a.kind, a.status) for a in minutes.activity_results] == [("โครงการ ก", "ONE_YEAR", "COMPLETED")]
    assert [line.text for line in minutes.unplaced] == ["โครงการ ข\tไม่แล้วเสร็จ : รอผลการพิจารณา"]


def test_a_kind_heading_in_words_not_known_is_refused_and_its_rows_have_no_kind() -> None:
    minutes = _parsed(
        "ระเบียบวาระที่ ๑ เรื่องเพื่อทราบ\n\n"
        "เรื่อง ความก้าวหน้าการดำเนินการตามแผนปฏิบัติราชการ ประจำปี พ.ศ. ๒๕๖๓\n\n"
        "ยุทธศาสตร์ที่ ๑ : การพัฒนาคน\n"
        "โครงการ/กิจกรรมที่ดำเนินการต่อเนื่อง\n"
        "โครงการ ค\tอยู่ระหว่างดำเนินการ : x\n"
        "โครงการ/กิจกรรมที่อยู่ระหว่างดำเนินการ\n"
        "โครงการ ก\tแล้วเสร็จ : อบรมครบ\n\n"
        "มติที่ประชุม\n\nรับทราบ\n"
    )
    assert [(a.title, a.kind) for a in minutes.activity_results] == [("โครงการ ค", "CONTINUING"), ("โครงการ ก", None)]
    assert [line.text for line in minutes.unplaced] == ["โครงการ/กิจกรรมที่อยู่ระหว่างดำเนินการ"]
    # before, the heading was read as the strategy's title running on, and 'โครงการ ก' kept CONTINUING
    assert tables.strategy_heading("ยุทธศาสตร์ที่ ๑ : การพัฒนาคน") == tables.StrategyHeading(1, False, "การพัฒนาคน")


def test_a_kind_heading_heading_the_activity_column_names_the_rows_kind() -> None:
    minutes = _parsed(
        "ระเบียบวาระที่ ๑ เรื่องเพื่อทราบ\n\n"
        "เรื่อง ความก้าวหน้าการดำเนินการตามแผนปฏิบัติราชการ ประจำปี พ.ศ. ๒๕๖๓\n\n"
        "<b>ยุทธศาสตร์ที่ ๑</b> การพัฒนาคน\t\n"
        "<b>โครงการ/กิจกรรมที่ดำเนินการ ๑ ปี</b>\t<b>ผลลัพธ์ที่ได้</b>\n"
        "- โครงการ ง\t- แล้วเสร็จ : อบรมครบ\n"
        "<b>โครงการ/กิจกรรมที่ดำเนินการต่อเนื่อง</b>\t<b>ผลลัพธ์ที่ได้</b>\n"
        "โครงการ ฉ\tอยู่ระหว่างดำเนินการ : ร่างแล้ว\n\n"
        "มติที่ประชุม\n\nรับทราบ\n"
    )
    assert [(a.title, a.kind, a.status) for a in minutes.activity_results] == [
        ("โครงการ ง", "ONE_YEAR", "COMPLETED"),  # the bullet is no part of the title
        ("โครงการ ฉ", "CONTINUING", "IN_PROGRESS"),
    ]
    assert minutes.unplaced == ()


def test_more_reasons_for_absence_and_qualified_ones() -> None:
    from service.minutes.absence import absence_reason

    assert [absence_reason(w) for w in ("ติดประชุม", "ติดราชการสำคัญ", "ติดภารกิจเร่งด่วน", "ลาคลอด", "ป่วย")] == [
        "ติดประชุม",
        "ติดราชการ",
        "ติดภารกิจ",
        "ลาคลอดบุตร",
        "ลาป่วย",
    ]
    assert absence_reason("ไม่แจ้ง") is None  # not a known reason: unknown, never guessed
    people = {
        a.name: a
        for a in parse_minutes(
            _HEAD.replace("ไปราชการต่างประเทศ\nหัวหน้าฝ่ายการคลัง", "ติดประชุม\nหัวหน้าฝ่ายการคลัง")
            + "ระเบียบวาระที่ ๑ เรื่องอื่น ๆ\n\nไม่มี\n"
            + _TAIL,
            source="test",
        ).attendance
    }
    away = people["นายประเสริฐ บุญยืน"]
    assert (away.position, away.note, away.absence_reason) == ("หัวหน้าฝ่ายการคลัง", "ติดประชุม", "ติดประชุม")


def test_a_signature_line_s_role_belongs_to_the_name_under_it() -> None:
    minutes = parse_minutes(
        _HEAD
        + "ระเบียบวาระที่ ๑ เรื่องอื่น ๆ\n\nไม่มี\n\nเลิกประชุมเวลา ๑๒.๐๐ น.\n\n"
        + "(ลงชื่อ) ............................ ผู้จดรายงานการประชุม\n(นางมาลี รุ่งเรือง)\nหัวหน้าฝ่ายบริหารงานทั่วไป\n\n"
        + "(ลงชื่อ) ............................ ผู้ตรวจรายงานการประชุม\n(นายสมชาย ใจงาม)\nผู้อำนวยการเขต\n",
        source="test",
    )
    assert [(s.name, s.position) for s in minutes.signatories] == [
        ("นางมาลี รุ่งเรือง", "หัวหน้าฝ่ายบริหารงานทั่วไป ผู้จดรายงานการประชุม"),
        ("นายสมชาย ใจงาม", "ผู้อำนวยการเขต ผู้ตรวจรายงานการประชุม"),  # before: the first signatory's
    ]
    assert minutes.unplaced == ()


def _progress(rows: str) -> ParsedMinutes:
    return _parsed(
        "ระเบียบวาระที่ ๑ เรื่องเพื่อทราบ\n\n"
        "เรื่อง ความก้าวหน้าการดำเนินการตามแผนปฏิบัติราชการ ประจำปี พ.ศ. ๒๕๖๓\n\n"
        "ยุทธศาสตร์ที่ ๑ การพัฒนาคน\nโครงการ/กิจกรรมที่ดำเนินการต่อเนื่อง\nโครงการ/กิจกรรม\tผลลัพธ์ที่ได้\n"
        + rows
        + "\nมติที่ประชุม\n\nรับทราบ\n"
    )


def test_a_row_the_page_broke_between_its_cells_is_one_row() -> None:
    # before: both lines went into the agenda item's text, the row lost
    minutes = _progress("การพัฒนาระบบ ก\t\n<i>แล้วเสร็จ</i> : ได้ระบบ\nโครงการ ข\tอยู่ระหว่างดำเนินการ : ร่าง\n")
    assert [(a.title, a.status, a.outcome) for a in minutes.activity_results] == [
        ("การพัฒนาระบบ ก", "COMPLETED", "ได้ระบบ"),
        ("โครงการ ข", "IN_PROGRESS", "ร่าง"),
    ]
    assert (minutes.unplaced, minutes.agenda[0].text) == ((), "")


def test_a_row_that_lost_its_border_keeps_a_title_s_last_word_near_a_status_word() -> None:
    # before: '๒' (one letter from the status word's skeleton) was read into the status
    row = tables.unseparated_row("โครงการพัฒนาระบบ ระยะที่ 2 อยู่ระหว่างดำเนินการ : ร่าง")
    assert row is not None and (row.title, row.status) == ("โครงการพัฒนาระบบ ระยะที่ 2", "IN_PROGRESS")


def test_a_result_cell_alone_in_an_item_s_text_is_refused_not_absorbed() -> None:
    minutes = _parsed("ระเบียบวาระที่ ๑ เรื่องเพื่อทราบ\n\nสำนักงานรายงานว่า\nแล้วเสร็จ : ได้ระบบ\n\nมติที่ประชุม\n\nรับทราบ\n")
    assert [line.text for line in minutes.unplaced] == ["แล้วเสร็จ : ได้ระบบ"]
    assert minutes.agenda[0].text == "สำนักงานรายงานว่า"


def test_a_list_of_people_who_met_by_an_application_is_online() -> None:
    minutes = _parsed(
        "ระเบียบวาระที่ ๑ เรื่องที่ประธานแจ้งให้ที่ประชุมทราบ\n\n"
        "การประชุมครั้งนี้มีกรรมการเข้าร่วมประชุม ณ ห้องประชุม ๑ จำนวน ๑ คน ได้แก่\n\n"
        "๑. นางมาลี รุ่งเรือง กรรมการและเลขานุการ\n\n"
        "และมีกรรมการเข้าร่วมประชุมผ่านระบบ Zoom จำนวน ๑ คน ได้แก่\n\n"
        "๑. นางสาวสุดา มีสุข กรรมการ\n\n"
        "มติที่ประชุม\n\nรับทราบ\n"
    )
    presence = {a.name: a.presence for a in minutes.attendance}
    assert (presence["นางมาลี รุ่งเรือง"], presence["นางสาวสุดา มีสุข"]) == ("IN_ROOM", "ONLINE")
    assert minutes.electronic
