"""The import of minutes over HTTP (`/imports/minutes/preview` and `/confirm`, the dashboard's
import page) against a real `planledger serve` process on real PostgreSQL.

The preview equals `import-minutes --dry-run --json` on the same database; the confirm records
exactly the previewed content (other bytes are refused), once (a second confirm records nothing);
strict refuses a file with lines that could not be placed; a bad file is the importer's one line
as a typed error; only the secretariat and an admin may import. "Nothing recorded" is measured as
the log's position (/readyz), before and after."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from service.config import ServerAddress
from service.minutes.sources import MAX_DOCUMENT_BYTES
from tests.conftest import create_database, drop_database, url_of
from tests.e2e.server_process import Server, on_a_new_database
from tests.fixtures.minutes import corpus
from tests.integration.test_cli import planledger
from tests.paths import FIXTURES, SAMPLE_MINUTES

SAMPLE = SAMPLE_MINUTES.read_bytes()
LINES = SAMPLE.decode("utf-8").splitlines()
OUT_OF_PLACE = corpus()["hr-5-2564-rows-out-of-place"]


@pytest.fixture(scope="module")
def served(server: ServerAddress) -> Iterator[Server]:
    with on_a_new_database(server) as process:
        yield process


def post(server: Server, step: str, data: bytes, token: str | None = None, **params: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/imports/minutes/{step}",
        params=params,
        content=data,
        headers={"Authorization": f"Bearer {token or server.token}", "Content-Type": "application/octet-stream"},
        timeout=120,
    )


def position(server: Server) -> int:
    found: int = httpx.get(f"{server.url}/readyz", timeout=5).json()["logPosition"]
    return found


def refusal(response: httpx.Response) -> tuple[int, str, str]:
    [error] = response.json()["errors"]
    return response.status_code, error["extensions"]["code"], error["message"]


def counts(grouped: dict[str, list[Any]] | None) -> dict[str, int]:
    return {kind: len(steps) for kind, steps in (grouped or {}).items()}


def cli_preview(server: Server, path: str) -> dict[str, Any]:
    done = planledger("import-minutes", "--dry-run", "--json", path, env={"DATABASE_URL": server.database_url})
    assert done.returncode == 0, done.stderr
    [shown] = json.loads(done.stdout)["files"]
    return dict(shown)


def test_preview_then_confirm_records_exactly_the_previewed_file_once(served: Server) -> None:
    before = position(served)
    answer = post(served, "preview", SAMPLE, name="1-2564.txt")
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert shown["sha256"] == hashlib.sha256(SAMPLE).hexdigest() and shown["size"] == len(SAMPLE)
    [first] = shown["files"]
    assert first["file"] == "1-2564.txt" and first["meeting"]["code"] == "1/2564"
    # the same preview the command line gives on the same database (its file named as uploaded)
    expected = cli_preview(served, str(SAMPLE_MINUTES))
    assert counts(first["would_record"]) == counts(expected["would_record"])
    assert counts(first["already_recorded"]) == counts(expected["already_recorded"])
    assert first["unknown"] == expected["unknown"] and first["facts"] == expected["facts"]
    assert [(u["line"], u["why"]) for u in first["unplaced"]] == [(u["line"], u["why"]) for u in expected["unplaced"]]
    would = sum(counts(first["would_record"]).values())
    assert would > 100  # the sample's plan, strategies, activities, meeting and what it heard
    assert position(served) == before  # a preview records nothing

    # other bytes than those previewed (one line changed): refused, nothing recorded
    changed = SAMPLE.replace("ครั้งที่".encode(), "ครั้งที".encode(), 1)
    assert changed != SAMPLE
    status, code, message = refusal(post(served, "confirm", changed, name="1-2564.txt", sha256=shown["sha256"]))
    assert (status, code) == (409, "CONTENT_CHANGED") and "preview it again" in message
    status, code, _ = refusal(post(served, "confirm", SAMPLE, name="1-2564.txt"))
    assert (status, code) == (400, "BAD_REQUEST")  # no hash: nothing to compare with
    assert position(served) == before

    done = post(served, "confirm", SAMPLE, name="1-2564.txt", sha256=shown["sha256"])
    assert done.status_code == 200, done.text
    [result] = done.json()["results"]
    assert result["refused"] == [] and result["held_back"] == []
    assert result["recorded"] > 100
    # every step the preview said would be recorded was recorded, or found already as the minutes
    # say once the steps before it ran (a status registered as it is reported), or stated twice;
    # the import also meets the step naming the new meeting's plan, which the preview leaves out
    # (the meeting's scheduling names it): unchanged, so at most one more
    accounted = result["recorded"] + result["unchanged"] + result["already"] + result["repeated"]
    assert result["recorded"] <= would <= accounted <= would + 1
    assert done.json()["projected"] is True  # the read models hold it when the answer comes
    after = position(served)
    assert after > before and done.json()["position"] == after

    # confirming twice records once
    again = post(served, "confirm", SAMPLE, name="1-2564.txt", sha256=shown["sha256"])
    assert again.status_code == 200 and again.json()["results"][0]["recorded"] == 0, again.text
    assert position(served) == after
    # and the preview now finds every step the import met recorded (the plan-named one too: its
    # meeting is there now)
    [now] = post(served, "preview", SAMPLE, name="1-2564.txt").json()["files"]
    assert counts(now["would_record"]) == {}
    assert sum(counts(now["already_recorded"]).values()) == accounted

    # the plan is there, with the activities the minutes report
    plans = served.post("query { plans { id activities { id } } }").json()["data"]["plans"]
    assert len(plans) == 1 and len(plans[0]["activities"]) == len(expected["facts"]["activities"])


def test_the_same_file_from_another_person_or_the_command_line_records_nothing_more(server: ServerAddress) -> None:
    """Every upload records as the command line's actor: idempotency keys are kept per actor, and
    under two actors the second import recorded again what has no other guard."""
    address = create_database(server)
    process = Server(url_of(address))
    try:
        process.start()
        done = planledger("import-minutes", str(SAMPLE_MINUTES), env={"DATABASE_URL": process.database_url})
        assert done.returncode == 0, done.stderr
        before = position(process)
        sha256 = hashlib.sha256(SAMPLE).hexdigest()
        for person in ("one of the secretariat", "another of the secretariat"):
            token = process.make_token("secretariat", name=person)
            [shown] = post(process, "preview", SAMPLE, token=token, name="1-2564.txt").json()["files"]
            assert counts(shown["would_record"]) == {}
            answer = post(process, "confirm", SAMPLE, token=token, name="1-2564.txt", sha256=sha256)
            [result] = answer.json()["results"]
            assert (result["recorded"], result["refused"]) == (0, []), result
            assert answer.json()["actor"] == "import-minutes"
        assert position(process) == before
        # the server's log says whose token imported it (also when it is not verbose)
        assert "imported for another of the secretariat (secretariat): 0 recorded" in process.stop()
    finally:
        process.stop()
        drop_database(server, address)


def _cut(lines: list[str]) -> bytes:
    return "\n".join(lines[:213]).encode()


BAD: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "bad.txt: the file is empty"),
    "cp874": (SAMPLE.decode().encode("cp874", errors="replace"), "iconv -f CP874 -t UTF-8 bad.txt"),
    "cut mid-table": (_cut(LINES), "bad.txt:213: the minutes stop here, inside a table row"),
    "a ZIP that is not a DOCX": (b"PK\x03\x04" + bytes(200), "a ZIP archive that is not a DOCX"),
    "text over 5 MB": (SAMPLE * 44, "text is refused over 5 MB"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_file_is_the_importers_one_line_as_a_typed_error_and_records_nothing(served: Server, case: str) -> None:
    data, expected = BAD[case]
    before = position(served)
    for step, extra in (("preview", {}), ("confirm", {"sha256": hashlib.sha256(data).hexdigest()})):
        status, code, message = refusal(post(served, step, data, name="bad.txt", **extra))
        assert (status, code) == (422, "MINUTES_FILE"), message
        assert expected in message and "\n" not in message
        assert "planledger-upload-" not in message  # the file as uploaded, never the server's copy
    assert position(served) == before


def test_an_upload_over_50_mb_is_refused_before_it_is_read(served: Server) -> None:
    chunk = b"x" * (1024 * 1024)

    def body() -> Iterator[bytes]:  # streamed (no Content-Length): the bound is on what arrives
        for _ in range(MAX_DOCUMENT_BYTES // len(chunk) + 2):
            yield chunk

    try:
        answer = httpx.post(
            f"{served.url}/imports/minutes/preview",
            content=body(),
            headers={"Authorization": f"Bearer {served.token}"},
            timeout=60,
        )
    except httpx.HTTPError as error:  # the server may answer and close before the last chunk is sent
        pytest.fail(f"no answer: {error}")
    status, code, message = refusal(answer)
    assert (status, code) == (413, "TOO_LARGE") and "refused over 50 MB" in message


def test_strict_refuses_a_file_with_lines_it_could_not_place(served: Server) -> None:
    data = OUT_OF_PLACE.read_bytes()
    shown = post(served, "preview", data, name=OUT_OF_PLACE.name, strict="true").json()
    [first] = shown["files"]
    assert len(first["unplaced"]) == 2 and all(u["file"] == OUT_OF_PLACE.name for u in first["unplaced"])
    assert shown["strictRefusal"] and "2 line(s) could not be placed" in shown["strictRefusal"]
    before = position(served)
    status, code, message = refusal(
        post(served, "confirm", data, name=OUT_OF_PLACE.name, sha256=shown["sha256"], strict="true")
    )
    assert (status, code) == (422, "STRICT_UNPLACED") and "nothing recorded" in message
    assert position(served) == before
    # without strict, the rest is recorded (the unplaced lines said, not guessed)
    done = post(served, "confirm", data, name=OUT_OF_PLACE.name, sha256=shown["sha256"])
    assert done.status_code == 200, done.text
    assert done.json()["results"][0]["recorded"] > 0 and done.json()["results"][0]["unplaced"] == 2
    assert position(served) > before


def test_a_docx_is_previewed_as_its_text_is(served: Server) -> None:
    data = (FIXTURES / "minutes_1_2564.docx").read_bytes()
    shown = post(served, "preview", data, name="minutes_1_2564.docx").json()
    [first] = shown["files"]
    assert first["meeting"]["code"] == "1/2564" and first["file"] == "minutes_1_2564.docx"
    assert first["facts"]["activities"] == cli_preview(served, str(SAMPLE_MINUTES))["facts"]["activities"]


@pytest.mark.parametrize("role", ["reader", "unit", "committee"])
def test_only_the_secretariat_and_an_admin_may_import(served: Server, role: str) -> None:
    token = served.make_token(role, unit="กองทดสอบ" if role == "unit" else None, name=f"a {role}")
    before = position(served)
    for step in ("preview", "confirm"):
        status, code, message = refusal(
            post(served, step, SAMPLE, token=token, name="1-2564.txt", sha256=hashlib.sha256(SAMPLE).hexdigest())
        )
        assert (status, code) == (403, "FORBIDDEN") and f"the {role} role may not import minutes" in message
    assert position(served) == before
    anonymous = httpx.post(f"{served.url}/imports/minutes/preview", content=SAMPLE, timeout=30)
    assert anonymous.status_code == 401
    secretariat = served.make_token("secretariat", name="the secretariat")
    assert post(served, "preview", SAMPLE, token=secretariat, name="1-2564.txt").status_code == 200
