"""Tesseract's text of a scan back to the lines as typed (service/minutes/ocr_lines.py), on an
excerpt of what Tesseract 5's Thai model read from the sample's results table (page 4 of
tests/fixtures/minutes_1_2564.pdf at 300 dpi), and the results-table recognisers' tolerance of
a status cell whose border OCR lost. No Tesseract needed: the text is Tesseract's, kept here."""

from __future__ import annotations

from datetime import date

from service.minutes import tables
from service.minutes.files import read_minutes
from service.minutes.model import ParsedMinutes
from service.minutes.ocr_dates import meeting_date_read
from service.minutes.ocr_lines import ocr_text
from service.minutes.parser import parse_minutes
from tests.ocr_activities import sample_activities_found
from tests.paths import FIXTURES, SAMPLE_MINUTES

TESSERACT_SAMPLE = FIXTURES / "minutes_1_2564.tesseract.txt"

#: lines 40-66 of Tesseract's page 4, as it wrote them (blank lines, runs of spaces, <0> and <1>)
TESSERACT_PAGE_4 = """\
<0>ยุทธศาสตร์ที่ ๑</0> การสร้างผู้นําและผู้บริหารระดับสูงให้มีความพร้อมในการปฏิบัติภารกิจที่ซับซ้อนของ

เมืองในอนาคต

<0>เป้าหมาย</0> เพื่อให้กรุงเทพมหานครมีผู้บริหารที่มีศึกยภาพและมีความพร้อมในการเข้าสู่ตําแหน่

<0>โครงการ/กิจกรรมที่ดําเนินการ ๑ ปี</0>

<0>โครงการ/กิจกรรม</0> <0>ผลลัพธ์ที่ได้</0>

โครงการศึกษาทบทวนเพื่อปรับปรุงสมรรถนะของข้าราชการกรุงเทพมหานคร    <1>แล้วเสร็จ</1> : ได้

สมรรถนะผู้บริหารกรุงเทพมหานคร จํานวน 7 สมรรถนะ และกําหนดระดับสมรรถนะ (มาตรฐานพฤติกรรม)

เพื่อนําไปใช้พัฒนาผู้บริหารให้มีความพร้อมในการบริหารเมือง

เตรียมหลักสูตรการพัฒนาประสิทธิภาพการปฏิบัติงานสู่การเป็นบุคลากรผู้มีศึกยภาพสูง (ไลไอ๓ท6 ไลทลยอทอท6)
<1>แล้วเสร็จ</1> : ได้แนวทางการพัฒนาฯ และหลักสูตรการพัฒนาประสิทธิภาพการปฏิบัติงาน สู่การ

เป็นบุคลากรผู้มีศักยภาพสูง เพื่อเตรียมความพร้อมให้ข้าราชการกรุงเทพมหานครสามารถปฏิบัติภารกิจของเมือง

ได้อย่างมีประสิทธิภาพ

ศึกษา จัดทําแผน กิจกรรม และโปรแกรมการพัฒนาผู้นํา/ผู้บริหารเมือง <1>แล้วเสร็จ</1> : ได้หลักสูตร
การพัฒนาผู้นํา/ผู้บริหารเมือง และดําเนินการพัฒนาผู้บริหารตามหลักสูตรฯ
กิจกรรมออกแบบระบบการบริหารเชิงพื้นที     <1>แล้วเสร็จ</1> : ออกแบบระบบการบริหารเชิงพื้นทีใน
"""


def test_tesseract_s_lines_come_back_as_the_lines_typed() -> None:
    lines = ocr_text(TESSERACT_PAGE_4).splitlines()
    assert lines[0] == ("<b>ยุทธศาสตร์ที่ ๑</b> การสร้างผู้นำและผู้บริหารระดับสูงให้มีความพร้อมในการปฏิบัติภารกิจที่ซับซ้อนของเมืองในอนาคต")
    # two bold cells a space apart on one line: the column heading's tab
    assert lines[2:4] == ["<b>โครงการ/กิจกรรมที่ดำเนินการ ๑ ปี</b>", "<b>โครงการ/กิจกรรม</b>\t<b>ผลลัพธ์ที่ได้</b>"]
    # a row the page wrapped over three lines, its tab a run of spaces: one line, the tab back
    assert lines[4] == (
        "โครงการศึกษาทบทวนเพื่อปรับปรุงสมรรถนะของข้าราชการกรุงเทพมหานคร\t<i>แล้วเสร็จ</i> : ได้สมรรถนะผู้บริหาร"
        "กรุงเทพมหานคร จำนวน 7 สมรรถนะ และกำหนดระดับสมรรถนะ (มาตรฐานพฤติกรรม) "
        "เพื่อนำไปใช้พัฒนาผู้บริหารให้มีความพร้อมในการบริหารเมือง"
    )
    # a title that filled its line, its status cell on the next: joined at a tab
    assert lines[5].startswith("เตรียมหลักสูตร") and "(ไลไอ๓ท6 ไลทลยอทอท6)\t<i>แล้วเสร็จ</i> : ได้แนวทาง" in lines[5]
    assert len(lines) == 8


def test_tesseract_s_text_of_the_whole_sample_gives_its_31_activities_with_their_statuses() -> None:
    """The whole of Tesseract's text of the scanned sample (stored: tests/fixtures/
    minutes_1_2564.tesseract.txt, what read_source gave for the scan tests/integration/
    test_minutes_ocr.py makes, with Tesseract 5.3 and Debian 12's tha model, before ocr_lines.py):
    all 31 activities, each with its status. It gave none before ocr_lines.py."""
    (sample,) = read_minutes(SAMPLE_MINUTES)
    scanned = parse_minutes(ocr_text(TESSERACT_SAMPLE.read_text(encoding="utf-8")), source="ocr.txt")
    found, expected = sample_activities_found(sample, scanned)
    assert len(sample.activity_results) == 31
    assert len(found) == 31
    assert found == expected


def test_a_status_cell_whose_border_ocr_lost_is_found() -> None:
    assert tables.has_status_cell("ความก้าวหน้าในสายอาชีพ (Career Development) <i>แล้วเสร็จ</i> : ได้เส้นทาง")
    assert tables.has_status_cell("และค่าตอบแทนของกรุงเทพมหานคร <b>แล้วเสร็จ")  # its colon on the next line
    assert not tables.has_status_cell("โครงการนี้ต้องดำเนินการภายหลังจากสำนักยุทธศาสตร์ฯ ดำเนินการแล้วเสร็จในปีหน้า")
    glued = tables.unseparated_row("การพัฒนาระบบการเตรียมความพร้อมนักทรัพยากรบุคคลบรรจุใหม่อยู่ระหว่างดำเนินการ : ได้ศึกษา")
    assert glued == tables.Row("การพัฒนาระบบการเตรียมความพร้อมนักทรัพยากรบุคคลบรรจุใหม่", "IN_PROGRESS", "ได้ศึกษา")


def _scanned_sample() -> ParsedMinutes:
    return parse_minutes(ocr_text(TESSERACT_SAMPLE.read_text(encoding="utf-8")), source="ocr.txt")


def test_the_scan_s_meeting_number_and_date_are_read_back_from_the_minutes_own_dates() -> None:
    """Tesseract read 'ครั้งที่ ๑/๒๕๖๔' and 'วันที่ ๖ มกราคม ๒๕๖๔' as ๑/๒๕๒๕ and ๒ มกราคม ๒๕๒๕ (a Saturday
    in 1982): the model writes ๒ for ๖ and ๕ for ๔; the next meeting's 'วันพุธที่ ๓ กุมภาพันธ์' and the
    working day tell them (service/minutes/ocr_dates.py)."""
    scanned = _scanned_sample()
    assert (scanned.code, scanned.date) == ("1/2564", date(2021, 1, 6))
    assert scanned.next_meeting is not None
    assert (scanned.next_meeting.code, scanned.next_meeting.date) == ("2/2564", date(2021, 2, 3))


def test_a_misread_date_takes_the_likeliest_reading_the_minutes_allow() -> None:
    text = "รายงานการประชุม อ.ก.ก.\nครั้งที่ ๑/๒๕๒๕\nวันที่ ๒ มกราคม ๒๕๒๕\nผู้มาประชุม\n{}"
    # with the next meeting on a Wednesday 3 February: 6 January 2564 (1982 fits the weekdays too,
    # 39 years older; 9 February 2565 needs ๙ read as ๓), whenever the import runs
    scheduled = text.format("กำหนดการประชุม ครั้งที่ ๒/๒๕๒๕ ในวันพุธที่ ๓ กุมภาพันธ์ ๒๕๒๕ เวลา ๐๙.๓๐ น.")
    for today in (date(2021, 1, 7), date(2026, 12, 3), date(2040, 1, 1)):
        read = meeting_date_read(scheduled, today).splitlines()
        assert read[1:3] == ["ครั้งที่ ๑/๒๕๖๔", "วันที่ ๖ มกราคม ๒๕๖๔"], today
        assert "ครั้งที่ ๒/๒๕๖๔ ในวันพุธที่ ๓ กุมภาพันธ์ ๒๕๖๔" in read[-1]
    # a date that reads as it stands on a working day is kept: 'วันที่ ๓ มีนาคม ๒๕๖๓' has no look-alike
    plain = "ครั้งที่ ๓/๒๕๖๓\nวันที่ ๓ มีนาคม ๒๕๖๓\nผู้มาประชุม"
    assert meeting_date_read(plain, date(2026, 1, 1)) == plain


def test_tesseract_s_attendance_table_comes_back_as_its_rows() -> None:
    """Borders read twice or with debris ('||', 'ไ|ป|'), '<br>' read as '<07>', a border read as a gap,
    a row over three lines, row numbers read as '9.', 'ซ.', '='."""
    lines = ocr_text(TESSERACT_SAMPLE.read_text(encoding="utf-8")).splitlines()
    rows = [line for line in lines if line.startswith("|")]
    assert len(rows) == 12
    assert rows[0] == "| ๑. | รองศาสตราจารย์ ดร.อิสระ สุวรรณพล | ประธาน อ.ก.ก. |"
    assert rows[1] == "| ๒. | นางสาวธนพร แดงจิว<br>ผู้ช่วยปลัดกรุงเทพมหานคร<br>แทนปลัดกรุงเทพมหานคร | อ.ก.ก. |"
    assert rows[4] == (
        "| ๕. | นางสาวคณาธิป สุขเจริญ<br>ผู้เชี่ยวชาญเฉพาะด้านการบริหารงานบุคคลส่วนท้องถิ่น"
        "<br>สำนักงานคณะกรรมการมาตรฐานการบริหารงานบุคคล<br>ส่วนท้องถิ่น | อ.ก.ก. |"
    )
    assert rows[6].startswith("| ๗. | ผู้ช่วยศาสตราจารย์ ดร.สุนิสา ช่อแก้ว<br>")
    assert rows[11] == ("| ๑๒. | นายธนกร ไชยศรี<br>ผู้ช่วยหัวหน้าสำนักงาน ก.ก. ที่หัวหน้าสำนักงาน ก.ก.<br>มอบหมาย | อะกก.เกะ |")


def test_the_scan_s_attendance_is_the_sample_s_as_far_as_the_scan_holds_it() -> None:
    """The members (the table, the secretary, the assistants) and the absent come out as the
    sample's, role, roles, presence (in the room, online: the scan lost 4 names of the in-room
    list and read its count ๙ as ๓) and reason, their names but one letter ('ก๊กผล' read as
    'กิกผล'). Of the 10 others attending, the scan holds 9 names (the tenth is not in its text) and
    one misspelt ('น้าฝน'); their positions it gives out of order, so they are not compared."""
    (sample,) = read_minutes(SAMPLE_MINUTES)
    scanned = _scanned_sample()
    members = [a for a in sample.attendance if a.presence != "OTHER"]
    read = [a for a in scanned.attendance if a.presence != "OTHER"]
    assert len(members) == len(read) == 18
    assert [(a.role, a.roles, a.presence, a.absence_reason) for a in read] == [
        (a.role, a.roles, a.presence, a.absence_reason) for a in members
    ]
    assert [a.name for a in read if a.name not in {m.name for m in members}] == ["รองศาสตราจารย์ ดร. อรทัย กิกผล"]
    assert sum(a.position == m.position for a, m in zip(read, members, strict=True)) == 17
    others = [a.name for a in scanned.attendance if a.presence == "OTHER"]
    expected = [a.name for a in sample.attendance if a.presence == "OTHER"]
    assert len(others) == 9
    assert sum(name in expected for name in others) == 8 and "นางสาวน้าฝน อยู่ดี" in others


def test_the_scan_leaves_8_lines_unplaced() -> None:
    """20 before the heading, the attendance table and the lists were read back: what is left is
    two lines of specks, the start time (๐๙.๓๐ read as '๐๓๕.๓๐'), a paragraph the model broke into
    a results row's shape, and the 4 strategy headings of the FY 2564 proposals table, whose cells
    the scan does not give as a table."""
    assert len(_scanned_sample().unplaced) == 8
