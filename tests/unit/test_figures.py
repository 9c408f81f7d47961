"""The figures minutes report (service/minutes/figures.py): every percentage with what the text
says it is about, its own words for it and its value as written; nothing it cannot place is
given a subject."""

from __future__ import annotations

from decimal import Decimal

from service.minutes.figures import reported_figures
from service.minutes.model import ActivityResult, AgendaItem
from service.minutes.parser import parse_minutes
from tests.paths import SAMPLE_MINUTES


def item(text: str, number: int = 3) -> AgendaItem:
    return AgendaItem(number=number, title="เรื่องเพื่อพิจารณา", subject=None, text=text, resolutions=())


def result(title: str, outcome: str, agenda_number: int = 3) -> ActivityResult:
    return ActivityResult(2563, 1, "ONE_YEAR", title, "IN_PROGRESS", outcome, None, agenda_number=agenda_number)


def seen(found: tuple[object, ...]) -> list[tuple[object, ...]]:
    return [
        (f.value, f.subject, f.strategy_number, f.kind, f.activity_title, f.fiscal_year_be, f.agenda_number, f.label)  # type: ignore[attr-defined]
        for f in found
    ]


def test_the_samples_headline_figures_with_what_each_is_about() -> None:
    minutes = parse_minutes(SAMPLE_MINUTES.read_text(encoding="utf-8"))
    assert [(f[0], f[1], f[2], f[3], f[5], f[6]) for f in seen(minutes.figures)] == [
        (Decimal("83.20"), "PLAN", None, None, 2563, 3),
        (Decimal("95.68"), "KIND", None, "ONE_YEAR", 2563, 3),
        (Decimal("70.71"), "KIND", None, "CONTINUING", 2563, 3),
        (Decimal("100"), "STRATEGY", 5, None, 2563, 3),
        (Decimal("50"), "STRATEGY", 2, None, 2563, 3),
    ]
    assert str(minutes.figures[0].value) == "83.20"  # as written
    labels = [f.label for f in minutes.figures]
    assert labels[0].startswith("ผลการดำเนินงานในภาพรวม") and labels[3:] == ["ผลการดำเนินงาน", "ความก้าวหน้า"]


OVERALL = "ผลการดำเนินงานตามแผนปฏิบัติราชการ ประจำปีงบประมาณ พ.ศ. 2565 ในภาพรวม"


def test_figures_in_other_words_digits_and_lines() -> None:
    text = "\n".join(
        [
            "๒. ผลการดำเนินงานตามแผนปฏิบัติราชการ ประจำปีงบประมาณ พ.ศ. ๒๕๖๕ ในภาพรวม",
            "คิดเป็นร้อยละ ๖๔.๕ ส่วนยุทธศาสตร์ที่ ๓ มีผลการเบิกจ่าย 40%",
            "และโครงการ/กิจกรรมที่ดำเนินการ ๑ ปี แล้วเสร็จ ร้อยละ 90",
            "๓. ที่ประชุมถามว่ามีผลงานต่ำกว่าเป้าหมายร้อยละเท่าไร",  # no number: no figure
            "๔. อัตราการลาออกลดลง ร้อยละ ๑๒",  # no subject named: placed nowhere
        ]
    )
    found = seen(reported_figures([item(text, 4)], []))
    assert found == [
        (Decimal("64.5"), "PLAN", None, None, None, 2565, 4, f"{OVERALL} คิดเป็น"),
        (Decimal("40"), "STRATEGY", 3, None, None, 2565, 4, "ผลการเบิกจ่าย"),
        (Decimal("90"), "KIND", None, "ONE_YEAR", None, 2565, 4, "และโครงการ/กิจกรรมที่ดำเนินการ 1 ปี แล้วเสร็จ"),
        (Decimal("12"), None, None, None, None, None, 4, "อัตราการลาออกลดลง"),
    ]


def test_an_activitys_figures_are_the_activitys() -> None:
    activity = result("การพัฒนาระบบทะเบียนประวัติข้าราชการ", "อยู่ระหว่างพัฒนาระบบ ความก้าวหน้าร้อยละ ๖๐ ในภาพรวม")
    named = "๑. โครงการการพัฒนาระบบทะเบียนประวัติข้าราชการ มีความก้าวหน้า ร้อยละ 75"
    found = seen(reported_figures([item(named, 5)], [activity]))
    assert found == [
        (Decimal("75"), "ACTIVITY", None, None, activity.title, None, 5, "ความก้าวหน้า"),
        (Decimal("60"), "ACTIVITY", None, None, activity.title, 2563, 3, "อยู่ระหว่างพัฒนาระบบ ความก้าวหน้า"),
    ]


def test_a_subject_named_far_before_a_figure_is_not_its_subject() -> None:
    filler = "ซึ่งหน่วยงานได้ประชุมหารือร่วมกันหลายครั้งเพื่อกำหนดแนวทางการดำเนินงานให้เหมาะสมกับสถานการณ์ " * 6
    text = f"๑. ยุทธศาสตร์ที่ ๓ มีการดำเนินการหลายเรื่อง {filler}อัตราการลาออกลดลงร้อยละ ๕"
    [figure] = reported_figures([item(text)], [])
    assert (figure.value, figure.subject, figure.strategy_number) == (Decimal(5), None, None)
    near = reported_figures([item("๑. ยุทธศาสตร์ที่ ๓ มีผลการดำเนินงาน ร้อยละ ๕")], [])
    assert (near[0].subject, near[0].strategy_number) == ("STRATEGY", 3)
