from datetime import date, time

import pytest

from domain.calendar import be_to_ce, ce_to_be, fiscal_year_bounds, fiscal_year_of
from service.minutes.thai_text import (
    MONTHS,
    THAI_DIGITS,
    find_thai_dates,
    normalise_title,
    parse_int,
    parse_thai_date,
    parse_thai_month,
    parse_thai_time,
    strip_noise,
    to_arabic_digits,
)


def test_thai_digits_become_arabic_and_everything_else_stays():
    assert to_arabic_digits(THAI_DIGITS) == "0123456789"
    assert to_arabic_digits("ครั้งที่ ๑/๒๕๖๔ (x 7)") == "ครั้งที่ 1/2564 (x 7)"


@pytest.mark.parametrize(("written", "value"), [("๑๒", 12), ("12", 12), (" ๙. ", 9), ("๑0", 10)])
def test_parse_int_reads_either_digit_style(written, value):
    assert parse_int(written) == value


@pytest.mark.parametrize("written", ["", "๑๒ก", "1.5", "-3", "๑ ๒"])
def test_parse_int_rejects_what_is_not_a_whole_number(written):
    with pytest.raises(ValueError):
        parse_int(written)


@pytest.mark.parametrize(("month", "names"), list(enumerate(MONTHS, start=1)))
def test_every_month_full_and_abbreviated(month, names):
    full, abbreviation = names
    assert parse_thai_date(f"๑๕ {full} ๒๕๖๓") == date(2020, month, 15)
    assert parse_thai_date(f"15 {abbreviation} 63") == date(2020, month, 15)
    assert parse_thai_date(f"๑๕ {abbreviation.rstrip('.')} ๖๓") == date(2020, month, 15)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("๖ มกราคม ๒๕๖๔", date(2021, 1, 6)),
        ("วันพุธที่ ๓ กุมภาพันธ์ ๒๕๖๔", date(2021, 2, 3)),
        ("วันที่ ๒ ธันวาคม ๒๕๖๓", date(2020, 12, 2)),
        ("เมื่อวันที่ ๙ ต.ค. ๖๒", date(2019, 10, 9)),
        ("3 ก.พ. 64", date(2021, 2, 3)),
        ("๓ ก.พ. 64", date(2021, 2, 3)),
        ("28 กันยายน พ.ศ. ๒๕๖๐", date(2017, 9, 28)),
        ("ต.ค. ๖๒", date(2019, 10, 1)),
        ("มกราคม ๒๕๖๔", date(2021, 1, 1)),
        ("๒๙ กุมภาพันธ์ ๒๕๖๓", date(2020, 2, 29)),
    ],
)
def test_buddhist_era_dates(written, expected):
    assert parse_thai_date(written) == expected


def test_two_digit_years_mean_25xx():
    assert parse_thai_date("1 ม.ค. 99") == date(2056, 1, 1)
    assert parse_thai_date("1 ม.ค. 00") == date(1957, 1, 1)


@pytest.mark.parametrize(
    "written",
    [
        "",
        "วันนี้",
        "๓๒ มกราคม ๒๕๖๔",
        "๓๐ กุมภาพันธ์ ๒๕๖๔",
        "6 January 2021",
        "๖ มกราคม 2021",
        "๖ มกรา ๒๕๖๔",
        "๖ มกราคม",
        "๖ มกราคม ๒๕๖๔ เวลา ๐๙.๓๐ น.",
    ],
)
def test_unparseable_dates_raise_value_error(written):
    with pytest.raises(ValueError):
        parse_thai_date(written)


def test_month_and_year():
    assert parse_thai_month("ต.ค. ๖๒") == (2019, 10)
    assert parse_thai_month("มกราคม ๒๕๖๔") == (2021, 1)
    with pytest.raises(ValueError):
        parse_thai_month("๙ ต.ค. ๖๒")


def test_find_thai_dates_finds_every_date_in_order():
    text = "ครั้งที่ ๗/๒๕๖๒ เมื่อวันที่ ๙ ต.ค. ๖๒ และครั้งที่ ๑๒/๒๕๖๐ เมื่อวันที่ ๑ กุมภาพันธ์ ๒๕๖๑ (๓๑ ก.พ. ๖๔)"
    assert find_thai_dates(text) == [date(2019, 10, 9), date(2018, 2, 1)]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("09.30 น.", time(9, 30)),
        ("๐๙.๓๐ น.", time(9, 30)),
        ("9:30", time(9, 30)),
        ("เวลา ๑๑.๔๐ น.", time(11, 40)),
        ("13.05", time(13, 5)),
    ],
)
def test_times(written, expected):
    assert parse_thai_time(written) == expected


@pytest.mark.parametrize("written", ["", "25.00 น.", "09.75 น.", "9.3", "เก้าโมง"])
def test_unparseable_times_raise_value_error(written):
    with pytest.raises(ValueError):
        parse_thai_time(written)


def test_era_conversions_and_fiscal_years():
    assert be_to_ce(2564) == 2021
    assert ce_to_be(2021) == 2564
    assert fiscal_year_bounds(2564) == (date(2020, 10, 1), date(2021, 9, 30))
    assert fiscal_year_of(date(2021, 1, 6)) == 2564
    assert fiscal_year_of(date(2020, 10, 1)) == 2564
    assert fiscal_year_of(date(2020, 9, 30)) == 2563


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ปรับปรุงโครงสร้างสำนักงานเขต", "ปรับปรุงโครงสร้าง  สำนักงานเขต"),
        ("ฝึกงานกับกรุงเทพมหานคร (Internship in BMA)", "ฝึกงานกับกรุงเทพมหานคร  (Internship  in BMA)"),
        ("ประจำปีงบประมาณ พ.ศ. ๒๕๖๓", "ประจำปีงบประมาณ พ.ศ. 2563"),
        ("<b>การพัฒนาระบบ</b>", "การพัฒนาระบบ"),
        ("การพัฒนาระบบ *๑๖*", "การพัฒนาระบบ"),
        ("๑. การพัฒนาระบบ", "การพัฒนาระบบ"),
        ("- การพัฒนาระบบ.", "การพัฒนาระบบ"),
        ("การพัฒนาระบบ<br>งานบุคคล", "การพัฒนาระบบ งานบุคคล"),
        ("**การพัฒนาระบบ**", "การพัฒนาระบบ"),
        ("สร้างฐานข้อมูลผ่านระบบ Online", "สร้างฐานข้อมูลผ่านระบบ online"),
        ("การดำเนินการ", "การดําเนินการ"),  # sara am decomposed by OCR
    ],
)
def test_normalise_title_ignores_whitespace_digit_style_and_noise(one, other):
    assert normalise_title(one) == normalise_title(other)


def test_normalise_title_keeps_different_titles_apart():
    assert normalise_title("การพัฒนาระบบ ระยะที่ 1") != normalise_title("การพัฒนาระบบ ระยะที่ 2")
    assert normalise_title("ปรับปรุงโครงสร้างสำนักงานเขต") != normalise_title("ปรับปรุงโครงสร้างสำนัก")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("<b>ยุทธศาสตร์ที่ ๑</b> การสร้างผู้นำ\t", "ยุทธศาสตร์ที่ ๑ การสร้างผู้นำ"),
        ("**มติ อ.ก.ก.**", "มติ อ.ก.ก."),
        ("#### ระเบียบวาระที่ ๔", "ระเบียบวาระที่ ๔"),
        ("ยุทธศาสตร์ที่ ๑ *๑๖*", "ยุทธศาสตร์ที่ ๑"),
        ("ผลการดำเนินงาน *ew.*", "ผลการดำเนินงาน"),
        ("|-----|---|---------------|", ""),
        ("- |     |   |               |", ""),
        ("| ๑.  | ชื่อ  | ประธาน |", "๑. | ชื่อ | ประธาน"),
        ("<p></p> <br>", ""),
    ],
)
def test_strip_noise(line, expected):
    assert strip_noise(line) == expected
