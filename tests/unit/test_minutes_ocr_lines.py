"""Tesseract's text of a scan back to the lines as typed (service/minutes/ocr_lines.py), on an
excerpt of what Tesseract 5's Thai model read from the sample's results table (page 4 of
tests/fixtures/minutes_1_2564.pdf at 300 dpi), and the results-table recognisers' tolerance of
a status cell whose border OCR lost. No Tesseract needed: the text is Tesseract's, kept here."""

from __future__ import annotations

from service.minutes import tables
from service.minutes.files import read_minutes
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
