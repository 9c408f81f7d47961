"""The domain's closed vocabularies, each value with its Thai label as the minutes write it."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from domain.errors import ValidationError


class Labelled(StrEnum):
    """An enum whose members carry the Thai label the minutes use."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Labelled:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def parse(cls, value: object, field: str) -> Self:
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value))
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise ValidationError(field, f"{value!r} is not one of {allowed}") from None


class ActivityStatus(Labelled):
    PLANNED = ("PLANNED", "อยู่ในแผน")
    NOT_STARTED = ("NOT_STARTED", "ยังไม่เริ่มดำเนินการ")
    IN_PROGRESS = ("IN_PROGRESS", "อยู่ระหว่างดำเนินการ")
    COMPLETED = ("COMPLETED", "แล้วเสร็จ")
    NOT_IMPLEMENTED = ("NOT_IMPLEMENTED", "ไม่ได้ดำเนินการ")
    ON_HOLD = ("ON_HOLD", "ชะลอการดำเนินการ")
    CANCELLED = ("CANCELLED", "ยกเลิก")


class ActivityKind(Labelled):
    ONE_YEAR = ("ONE_YEAR", "ดำเนินการ ๑ ปี")
    CONTINUING = ("CONTINUING", "ดำเนินการต่อเนื่อง")


class MilestoneStatus(Labelled):
    PLANNED = ("PLANNED", "ตามแผน")
    ACHIEVED = ("ACHIEVED", "บรรลุแล้ว")
    DROPPED = ("DROPPED", "ยกเลิก")


class RiskStatus(Labelled):
    OPEN = ("OPEN", "เปิด")
    MITIGATING = ("MITIGATING", "อยู่ระหว่างบริหารความเสี่ยง")
    CLOSED = ("CLOSED", "ปิด")


class RiskLevel(Labelled):
    LOW = ("LOW", "ต่ำ")
    MEDIUM = ("MEDIUM", "ปานกลาง")
    HIGH = ("HIGH", "สูง")
    VERY_HIGH = ("VERY_HIGH", "สูงมาก")

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)


class ResolutionKind(Labelled):
    ACKNOWLEDGED = ("ACKNOWLEDGED", "รับทราบ")
    APPROVED = ("APPROVED", "เห็นชอบ")
    APPROVED_WITH_AMENDMENTS = ("APPROVED_WITH_AMENDMENTS", "เห็นชอบโดยให้แก้ไข")
    REJECTED = ("REJECTED", "ไม่เห็นชอบ")
    ASSIGNED = ("ASSIGNED", "มอบหมาย")


class Presence(Labelled):
    IN_ROOM = ("IN_ROOM", "มาประชุม ณ ห้องประชุม")
    ONLINE = ("ONLINE", "มาประชุมผ่านสื่ออิเล็กทรอนิกส์")
    PRESENT = ("PRESENT", "มาประชุม")  # present; the minutes do not say in the room or online
    ABSENT = ("ABSENT", "ผู้ไม่มาประชุม")
    OTHER = ("OTHER", "ผู้เข้าร่วมประชุม")


class MeetingRole(Labelled):
    CHAIR = ("CHAIR", "ประธาน")
    MEMBER = ("MEMBER", "อนุกรรมการ")
    SECRETARY = ("SECRETARY", "เลขานุการ")
    ASSISTANT_SECRETARY = ("ASSISTANT_SECRETARY", "ผู้ช่วยเลขานุการ")
    ATTENDEE = ("ATTENDEE", "ผู้เข้าร่วมประชุม")


class MeetingMode(Labelled):
    IN_PERSON = ("IN_PERSON", "ณ ห้องประชุม")
    ONLINE = ("ONLINE", "ผ่านสื่ออิเล็กทรอนิกส์")
    HYBRID = ("HYBRID", "ผ่านสื่ออิเล็กทรอนิกส์ และ ณ ห้องประชุม")


class MeasureUnit(Labelled):
    """What a key result counts. OTHER takes a free-text unit beside it."""

    COUNT = ("COUNT", "จำนวน")
    PERCENT = ("PERCENT", "ร้อยละ")
    PERSONS = ("PERSONS", "คน")
    BAHT = ("BAHT", "บาท")
    DAYS = ("DAYS", "วัน")
    OTHER = ("OTHER", "อื่น ๆ")


class Direction(Labelled):
    """Which way a key result should move: towards the target, or kept on the target's side."""

    INCREASE = ("INCREASE", "เพิ่มขึ้น")
    DECREASE = ("DECREASE", "ลดลง")
    AT_LEAST = ("AT_LEAST", "ไม่น้อยกว่าเป้าหมาย")
    AT_MOST = ("AT_MOST", "ไม่เกินเป้าหมาย")


class Frequency(Labelled):
    """How often a key result is measured."""

    PER_MEETING = ("PER_MEETING", "ทุกการประชุม")
    MONTHLY = ("MONTHLY", "รายเดือน")
    QUARTERLY = ("QUARTERLY", "รายไตรมาส")
    HALF_YEARLY = ("HALF_YEARLY", "รายครึ่งปี")
    YEARLY = ("YEARLY", "รายปี")


class Health(Labelled):
    """Computed from measurements (never claimed): how a key result or activity is doing."""

    ON_TRACK = ("ON_TRACK", "เป็นไปตามเป้าหมาย")
    AT_RISK = ("AT_RISK", "มีความเสี่ยง")
    OFF_TRACK = ("OFF_TRACK", "ไม่เป็นไปตามเป้าหมาย")
    NO_DATA = ("NO_DATA", "ไม่มีข้อมูล")
