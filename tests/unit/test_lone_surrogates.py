"""Finding a lone surrogate (text PostgreSQL cannot store) anywhere in a mutation's input or a
query's variables, named by the field that holds it."""

from __future__ import annotations

from typing import Any

import pytest

from service.api import enums as e
from service.api import inputs as i
from service.api.text import find_lone_surrogate, lone_surrogate


def test_a_lone_surrogate_is_found_and_a_pair_is_a_character() -> None:
    assert lone_surrogate("a\ud800b") == "U+D800"
    assert lone_surrogate("\udfff") == "U+DFFF"
    assert lone_surrogate("🙂 \U0010ffff ก") is None
    assert lone_surrogate("\ud83d\ude42".encode("utf-16", "surrogatepass").decode("utf-16")) is None


ACTIVITY = "00000000-0000-0000-0000-000000000001"


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (i.RetitleActivityInput(activity_id=ACTIVITY, title="a\ud800"), "title"),
        (i.RetitleActivityInput(activity_id=ACTIVITY, title="ok", idempotency_key="key-\udc00"), "idempotencyKey"),
        (i.RetitleActivityInput(activity_id=ACTIVITY, title="ok", reason="\udbff"), "reason"),
        (i.RetitleActivityInput(activity_id=ACTIVITY, title="ok", meeting="1/2564\ud800"), "meeting"),
        (i.AssignUnitsInput(activity_id=ACTIVITY, responsible_units=["HR", "x\ud800"]), "responsibleUnits[1]"),
        (
            i.AdoptResolutionInput(
                meeting_id=ACTIVITY,
                kind=e.ResolutionKind.APPROVED,
                text="t",
                action_items=[
                    i.ActionItemInput(description="d", owner="o"),
                    i.ActionItemInput(description="d", owner="o\ud800"),
                ],
            ),
            "actionItems[1].owner",
        ),
        (
            i.ApproveMinutesInput(
                meeting_id=ACTIVITY,
                of_meeting_id=ACTIVITY,
                corrections=[i.CorrectionInput(where="p. 3", from_="\ud800", to="x")],
            ),
            "corrections[0].from",
        ),
        (i.CorrectEventInput(stream_id=ACTIVITY, version=1, changes={"title": ["x", {"k\udc00": 1}]}), "changes"),
        ({"input": {"title": "\ud800"}}, "$v"),
    ],
)
def test_the_field_holding_it_is_named(given: Any, field: str) -> None:
    found = find_lone_surrogate(given, "$v", in_json=True) if isinstance(given, dict) else find_lone_surrogate(given)
    assert found is not None and found[0] == field


def test_valid_text_everywhere_is_not_refused() -> None:
    given = i.AdoptResolutionInput(
        meeting_id=ACTIVITY,
        kind=e.ResolutionKind.APPROVED,
        text="มติที่ประชุม 🙂",
        action_items=[i.ActionItemInput(description="d", owner="สำนักงาน ก.ก.")],
        idempotency_key="minutes-1-2564",
    )
    assert find_lone_surrogate(given) is None
    assert find_lone_surrogate({"a": [1, 2.5, None, True, {"b": "c"}]}, "$a", in_json=True) is None
