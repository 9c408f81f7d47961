"""Every minutes file of the corpus gives exactly the facts of its golden file.

The corpus (tests/fixtures/minutes/, see its package docstring) is the sample, the later meeting
other tests use, and minutes written in the sample's format with what real committees vary: a
progress table under 'เรื่องเพื่อทราบ' with <b>/<i> rows and one kind heading per strategy; all
markup stripped and minutes adopted without corrections; heavy OCR noise (look-alike digits, a
title split over two lines, page numbers, headings repeated with '(ต่อ)'); another committee with
other strategies and units; an extraordinary meeting with resolutions only; percentages per
activity; stand-ins ('แทน'); rows out of place (reported unplaced, with why).

When the model grows, regenerate the golden files and read their diff before committing:

    .venv/bin/python -m tests.fixtures.minutes.regenerate            # all
    .venv/bin/python -m tests.fixtures.minutes.regenerate <name>     # one, by its file stem
"""

from __future__ import annotations

import json

import pytest

from service.minutes import tables
from service.minutes.facts import facts_of
from service.minutes.parser import parse_minutes
from tests.fixtures.minutes import corpus, golden_path

CORPUS = corpus()
#: the files that must place every line (all but the one written to hold rows out of place)
CLEAN = [name for name in CORPUS if name != "hr-5-2564-rows-out-of-place"]


def _facts(name: str) -> dict:
    path = CORPUS[name]
    return facts_of(parse_minutes(path.read_text(encoding="utf-8"), source=path.name))


def test_the_corpus_holds_the_sample_and_at_least_eight_more() -> None:
    assert "sample-1-2564" in CORPUS and len(CORPUS) >= 10
    assert all(golden_path(name).exists() for name in CORPUS), "a corpus file without its golden facts"


@pytest.mark.parametrize("name", list(CORPUS))
def test_each_file_gives_exactly_its_golden_facts(name: str) -> None:
    golden = json.loads(golden_path(name).read_text(encoding="utf-8"))
    facts = json.loads(json.dumps(_facts(name), ensure_ascii=False))
    for key in golden:  # one key at a time, so a failure names the part that differs
        assert facts[key] == golden[key], f"{name}: {key} differs from {golden_path(name).name}"
    assert list(facts) == list(golden)


@pytest.mark.parametrize("name", CLEAN)
def test_every_line_of_a_clean_file_is_placed(name: str) -> None:
    assert _facts(name)["unplaced"] == []


def test_the_later_meeting_s_progress_table_under_for_information_is_read() -> None:
    facts = _facts("hr-2-2564-progress-to-note")
    item = next(item for item in facts["agenda"] if item["number"] == 3)
    assert item["title"] == "เรื่องเพื่อทราบ"
    assert "แล้วเสร็จ" not in item["text"]  # the rows are facts, not the item's text
    rows = {row["title"]: row for row in facts["activities"]}
    completed = [title for title, row in rows.items() if row["status"] == "COMPLETED"]
    assert completed == [
        "การพัฒนาระบบการเตรียมความพร้อมนักทรัพยากรบุคคลบรรจุใหม่",
        "โครงการพัฒนาระบบทะเบียนประวัติข้าราชการกรุงเทพมหานครสามัญ",
    ]
    assert {row["kind"] for row in rows.values() if row["strategy"] == 3} == {"ONE_YEAR"}
    assert {row["kind"] for row in rows.values() if row["strategy"] == 4} == {"CONTINUING"}
    # the date the row gives ('เมื่อวันที่ ๒๐ ม.ค. ๖๔'), else the meeting's: a progress report
    assert [row["effective_on"] for row in rows.values()] == ["2021-01-20", "2021-02-03", "2021-01-15", "2021-02-03"]


def test_the_sample_s_in_progress_activities_are_the_later_meeting_s_rows() -> None:
    from service.minutes.thai_text import normalise_title

    sample = {normalise_title(r["title"]): r for r in _facts("sample-1-2564")["activities"]}
    later = _facts("hr-2-2564-progress-to-note")["activities"]
    assert all(sample[normalise_title(r["title"])]["status"] == "IN_PROGRESS" for r in later)


def test_ocr_noise_is_read_through() -> None:
    facts = _facts("hr-4-2564-heavy-ocr-noise")
    rows = facts["activities"]
    assert [row["strategy"] for row in rows] == [1, 1, 2, 2, 2]  # 'ยุทธศาสตร์ที่ จ' is 1
    assert rows[0]["effective_on"] == "2021-01-20"  # '๒o ม.ค. ๖๔'
    assert rows[1]["percentage"] == "60"  # 'ร้อยละ ๖o'
    assert rows[3]["title"].endswith("ทรัพยากรบุคคลของกรุงเทพมหานคร")  # split over two lines
    assert rows[2]["outcome"].endswith("ให้ ก.ก. พิจารณาแล้ว")  # an outcome run on to its own line
    statuses = ["COMPLETED", "IN_PROGRESS", "IN_PROGRESS", "NOT_IMPLEMENTED", "COMPLETED"]
    assert [row["status"] for row in rows] == statuses
    assert facts["meeting"]["ends_at"] == "11:00"  # '๑๑.oo น.'


def test_a_percentage_is_never_made_up() -> None:
    rows = _facts("digital-3-2564-percentages")["activities"]
    assert [row["percentage"] for row in rows] == ["60", "75", "100", None]


def test_rows_out_of_place_are_reported_with_why_never_taken_as_text() -> None:
    facts = _facts("hr-5-2564-rows-out-of-place")
    assert [(u["line"], u["why"]) for u in facts["unplaced"]] == [
        (19, "a result row with no strategy heading (ยุทธศาสตร์ที่ N) above it"),
        (35, "a table row whose result cell begins with no status word (แล้วเสร็จ, อยู่ระหว่างดำเนินการ …)"),
    ]
    assert all("แล้วเสร็จ" not in item["text"] for item in facts["agenda"])
    [row] = facts["activities"]
    assert row["kind"] is None  # no kind heading above it: unknown, not a guess


@pytest.mark.parametrize(
    ("cell", "status", "outcome"),
    [
        ("แล้วเสร็จ : ได้ผล", "COMPLETED", "ได้ผล"),
        ("<b>แล้ว เสร็จ :</b> ได้ผล", "COMPLETED", "ได้ผล"),
        ("แลัวเสร็จ: ได้ผล", "COMPLETED", "ได้ผล"),
        ("อยู่ระหวา่งดำเนินการ : ทำอยู่", "IN_PROGRESS", "ทำอยู่"),
        ("อยู่ระหว่างดำเนินกาว : ทำอยู่", "IN_PROGRESS", "ทำอยู่"),
        ("ไม่ได้ ดำเนินการ : ไม่มีงบ", "NOT_IMPLEMENTED", "ไม่มีงบ"),
        ("ยังไม่ดำเนินการ", "NOT_IMPLEMENTED", ""),
        ("ยังไม่เริ่มดำเนินการ : รอ", "NOT_STARTED", "รอ"),
        ("แล้วเสร็จ ตามแผน", "COMPLETED", "ตามแผน"),
        ("- แล้วเสร็จ : ได้ผล", "COMPLETED", "ได้ผล"),
        ("(อยู่ระหว่างดำเนินการ) ทำอยู่", "IN_PROGRESS", "ทำอยู่"),
    ],
)
def test_status_words_are_read_through_spacing_markup_and_ocr(cell: str, status: str, outcome: str) -> None:
    assert tables.status_of(cell) == (status, outcome)


@pytest.mark.parametrize("cell", ["รอการพิจารณา : ผู้บริหาร", "แล้วเสร็จสมบูรณ์แบบ", "เสร็จ : x", ""])
def test_what_is_no_status_word_is_not_read_as_one(cell: str) -> None:
    assert tables.status_of(cell) is None


def test_headings_through_markup_and_ocr() -> None:
    heading = tables.strategy_heading("<b>ยุทธศาสตร์ที่ จ</b> การสร้างผู้นำ")
    assert heading is not None and (heading.number, heading.continued, heading.title) == (1, False, "การสร้างผู้นำ")
    continued = tables.strategy_heading("**ยุทธศาสตร์ที่ ๑o ( ต่อ )**")
    assert continued is not None and (continued.number, continued.continued) == (10, True)
    assert tables.strategy_heading("ยุทธศาสตร์ที่มีผลการดำเนินงานมากที่สุด") is None
    assert tables.kind_heading("#### โครงการ/กิจกรรม ที่ดำเนินการ จ ปี") == "ONE_YEAR"
    assert tables.kind_heading("<b>โครงการ/กิจกรรมที่ดำเนินการต่อเนื่อง (ต่อ)</b>") == "CONTINUING"
    assert tables.kind_heading("โครงการ/กิจกรรมทีดาเนินการตอเนือง") == "CONTINUING"  # marks lost to OCR
    assert tables.kind_heading("โครงการ/กิจกรรมที่ดำเนินการ ๒ ปี") is None  # no such kind: not a guess
    assert tables.strategy_heading("ยุทธ ศาสตร์ที ๒ การจัดโครงสร้าง") is not None
    numbered = tables.row("๑. งานหนึ่ง\tแล้วเสร็จ : ดี")
    assert numbered is not None and numbered.title == "งานหนึ่ง"
    assert tables.is_column_heading("<b>โครงการ/กิจกรรม</b>\t<b>ผลลัพธ์ที่ได้</b>")
    assert tables.is_column_heading("| โครงการ/กิจกรรม | ผลการดำเนินงาน |")
    assert tables.is_page_debris("- ๑๒ -") and tables.is_page_debris("หน้า ๓/๑๒") and not tables.is_page_debris("๑๒.")


def test_a_strategy_heading_with_no_table_after_it_is_unplaced_not_text() -> None:
    text = (
        "รายงานการประชุม คณะทดสอบ\nครั้งที่ ๑/๒๕๖๔\nวันที่ ๖ มกราคม ๒๕๖๔\n\nเริ่มประชุมเวลา ๐๙.๐๐ น.\n\n"
        "ระเบียบวาระที่ ๑ เรื่องแจ้ง\n\nยุทธศาสตร์ที่ ๒ (ต่อ)\n\nมติ ที่ประชุม\n\nรับทราบ\n\n"
        "ระเบียบวาระที่ ๒ เรื่องอื่น\n\nยุทธศาสตร์ที่ ๓\nขอให้ทุกหน่วยงานเร่งรัดการดำเนินการ\n\nมติ ที่ประชุม\n\nรับทราบ\n"
    )
    parsed = parse_minutes(text)
    assert [(u.line_no, u.why.startswith("a strategy 3 heading")) for u in parsed.unplaced] == [(17, True)]
    assert "ยุทธศาสตร์" not in parsed.agenda[1].text


def test_a_heading_broken_over_lines_and_a_row_under_a_repeated_page_heading() -> None:
    text = (
        "รายงานการประชุม คณะทดสอบ\nครั้งที่ ๒/๒๕๖๔\nวันที่ ๓ กุมภาพันธ์ ๒๕๖๔\n\nเริ่มประชุมเวลา ๐๙.๓๐ น.\n\n"
        "ระเบียบวาระที่ ๓ เรื่องเพื่อทราบ\n\nรายงานผลการติดตามตามแผนยุทธศาสตร์ทดสอบ (พ.ศ. ๒๕๖๑ - ๒๕๖๕) ดังนี้\n\n"
        "ยุทธศาสตร์ที่ ๑ การสร้างผู้นำและผู้บริหารระดับสูงให้มีความพร้อม\nในการปฏิบัติภารกิจของเมือง\n"
        "เป้าหมาย เพื่อให้มีผู้บริหาร\nที่มีศักยภาพ\nโครงการ/กิจกรรมที่ดำเนินการต่อเนื่อง\n"
        "งานหนึ่ง\tแล้วเสร็จ : ดี\n\n- ๗ -\n\nยุทธศาสตร์ที่ ๑ (ต่อ)\nโครงการ/กิจกรรม\tผลลัพธ์ที่ได้\n"
        "งานสอง\tอยู่ระหว่างดำเนินการ : ร้อยละ ๕o\n\nมติ ที่ประชุม\n\nรับทราบ\n"
    )
    parsed = parse_minutes(text)
    assert parsed.unplaced == ()
    assert parsed.agenda[0].text == "รายงานผลการติดตามตามแผนยุทธศาสตร์ทดสอบ (พ.ศ. ๒๕๖๑ - ๒๕๖๕) ดังนี้"
    assert [(r.title, r.kind, r.status) for r in parsed.activity_results] == [
        ("งานหนึ่ง", "CONTINUING", "COMPLETED"),
        ("งานสอง", "CONTINUING", "IN_PROGRESS"),
    ]
    assert parsed.plan is not None
    [strategy] = parsed.plan.strategies
    assert strategy.title == "การสร้างผู้นำและผู้บริหารระดับสูงให้มีความพร้อม ในการปฏิบัติภารกิจของเมือง"
    assert strategy.goal == "เพื่อให้มีผู้บริหาร ที่มีศักยภาพ"
    from service.minutes.figures import activity_percentage

    assert activity_percentage(parsed.figures, parsed.activity_results[1]) == 50
