"""The read side writes JSON with orjson where it can: the text must be what `plain` and the json
module write (payloads of rm_event, jsonb columns of the read models)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import pytest

from domain.activity import Activity
from domain.meeting import Meeting
from domain.values import Attendee
from projections.decode import Decoder, encode_jsonb, make_mapper, payload_json, plain


class Colour(Enum):
    RED = "red"


@dataclass(frozen=True)
class Pair:
    left: Any
    right: Any


def reference(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False, separators=(",", ":"))


ODD_VALUES: list[Any] = [
    'ศูนย์เทคโนโลยีสารสนเทศ "quoted" \\ \n\t\x01',
    2**63 - 1,
    2**70,  # beyond 64 bits: orjson refuses, the json module writes it
    -(2**70),
    {1: "a", 2: ["b"]},  # keys that are not strings
    {"nested": {"k": [1, None, True, False]}},
    (1, (2, 3)),
    frozenset({"x"}),  # neither writes a set: `plain` makes it its str()
    date(1900, 1, 1),
    datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
    datetime(2020, 1, 2, 3, 4, 5, 6, tzinfo=timezone(timedelta(hours=5, minutes=30, seconds=15))),
    datetime(2020, 1, 2, 3, 4, 5),
    time(9, 38),
    time(9, 38, 0, 1, tzinfo=timezone(timedelta(hours=7))),
    Decimal("45.50"),
    Decimal("1E+2"),
    UUID("12345678-1234-5678-1234-567812345678"),
    Colour.RED,
    Pair(date(2024, 5, 1), [Decimal("1.0"), Colour.RED]),
    "\ud800",  # a lone surrogate
]


@pytest.mark.parametrize("value", ODD_VALUES, ids=[type(v).__name__ + str(i) for i, v in enumerate(ODD_VALUES)])
def test_encode_jsonb_writes_what_the_json_module_writes(value: Any) -> None:
    assert encode_jsonb(plain(value)) == reference(value)


@pytest.mark.parametrize("value", ODD_VALUES, ids=[type(v).__name__ + str(i) for i, v in enumerate(ODD_VALUES)])
def test_a_payload_is_what_plain_and_the_json_module_make_of_its_fields(value: Any) -> None:
    fact = object.__new__(Activity.Retitled)
    object.__setattr__(fact, "__dict__", {"title": value, "effective_on": date(2024, 1, 1), "actor": "a"})
    assert payload_json(fact) == reference({"title": value})


def test_payloads_of_dataclass_lists_and_dates() -> None:
    fact = object.__new__(Meeting.AttendanceRecorded)
    attendees = [Attendee("นาย ก", "ประธาน", "chair", "present"), Attendee("B", "member", "member", "absent")]
    fields: dict[str, Any] = {f.name: None for f in dataclasses.fields(Meeting.AttendanceRecorded)}
    fields.update(attendees=attendees, effective_on=date(2024, 1, 1), actor="a")
    object.__setattr__(fact, "__dict__", fields)
    expected = {name: plain(value) for name, value in fields.items()}
    for common in ("originator_id", "originator_version", "timestamp", "effective_on", "actor", "meeting_id", "reason"):
        expected.pop(common, None)
    assert json.loads(payload_json(fact)) == expected
    assert payload_json(fact) == json.dumps(expected, ensure_ascii=False, separators=(",", ":"))


STATES = [
    b'{"a":1,"when":{"_type_":"date_iso","_data_":"2024-05-01"}}',
    b'{"at":{"_type_":"datetime_iso","_data_":"2018-09-17T12:38:39.781557+00:00"},"n":{"_type_":"decimal_str","_data_":"45.50"}}',
    b'{"t":{"_type_":"time_iso","_data_":"09:38:00"},"u":{"_type_":"uuid_hex","_data_":"12345678123456781234567812345678"}}',
    (
        '{"people":[{"_type_":"Attendee","_data_":'
        '{"name":"นาย ก","position":"ประธาน","role":"chair","presence":"present"}}]}'
    ).encode(),
    b'{"deep":[[{"_type_":"date_iso","_data_":"2024-05-01"}],{"x":{"_type_":"date_iso","_data_":"2024-05-02"}}]}',
    b'{"big":123456789012345678901234567890,"neg":-9223372036854775809}',  # orjson would make floats of these
    b'{"f":1.5,"e":1e400}',
    b'{"_type_":"date_iso","_data_":"2024-05-01","extra":1}',
    b'{"dup":1,"dup":2,"s":"\\ud800"}',
    b'{"not_ours":{"_type_":"nothing_registered","_data_":1}}',
]


@pytest.mark.parametrize("state", STATES)
def test_the_decoder_parses_a_state_as_the_transcoder_s_json_decoder_does(state: bytes) -> None:
    transcoder = make_mapper().transcoder
    decode_obj = transcoder._decode_obj  # type: ignore[attr-defined]
    expected = json.JSONDecoder(
        object_hook=lambda d: d if d.get("_type_") == "nothing_registered" else decode_obj(d)
    ).decode(state.decode())
    parsed = Decoder().parse(state)
    assert parsed == expected
    assert [type(v) for v in parsed.values()] == [type(v) for v in expected.values()]
    assert repr(parsed) == repr(expected)
