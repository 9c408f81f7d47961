"""A minutes file uploaded from the browser (the dashboard's import page): previewed first, then
recorded only as exactly the content that was previewed.

The preview is `preview.py`'s (the `import-minutes --dry-run --json` document) with the SHA-256 of
the bytes; the confirm sends the same bytes and that hash back and is refused (CONTENT_CHANGED,
nothing recorded) when they differ, so what is recorded is what the person saw. Nothing is kept on
the server between the two: a server of several workers (`serve --workers N`) may answer each on
another one. Recording twice records nothing new the second time (every step's idempotency key,
importer.py), and `strict` refuses the whole file, recording nothing, when any line could not be
placed (as `import-minutes --strict`).

Every upload is recorded as one actor, IMPORT_ACTOR ("import-minutes", the default of
`planledger import-minutes --actor`), whoever's token sent it (the server's log names them): an
idempotency key is kept per actor, so the same minutes imported by two people, or by one person
after the command line, recorded the second time what has no other guard (measured on the sample:
33 more commands recorded and 40 refused as duplicates, against 0 and 0 under one actor).

Only the secretariat and an admin may import: the importer runs every command as the secretariat
(importer.py), so another role would record what it may not. Every refusal is an `UploadRefused`
with a code, an HTTP status and one line a person can act on; a bad file's line is the importer's
own (`files.read_minutes`), naming the file as it was uploaded, never the server's temporary copy.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

from service.application.access import Principal
from service.application.ledger import PlanLedger
from service.application.roles import Role
from service.minutes.files import MinutesFileError, read_minutes
from service.minutes.importer import ImportReport, import_minutes
from service.minutes.model import ParsedMinutes
from service.minutes.preview import preview
from service.minutes.sources import MAX_DOCUMENT_BYTES, MB

#: the largest upload read at all: the largest file of any kind sources.py accepts (a PDF or a
#: DOCX, 50 MB); each kind's own bound (text 5 MB, an image 30 MB) is then sources.py's
MAX_UPLOAD_BYTES = MAX_DOCUMENT_BYTES
#: a file name longer than this is cut (it is only a label for messages and the preview)
MAX_NAME_CHARS = 120
#: who every upload is recorded as: one actor for all, so that their idempotency keys are shared
#: (see the module's docstring), the same as `planledger import-minutes`'s default
IMPORT_ACTOR = "import-minutes"
#: the roles that may import (the importer records as the secretariat)
IMPORTERS = frozenset({Role.SECRETARIAT, Role.ADMIN})


class UploadRefused(Exception):
    """The upload was refused and nothing was recorded: `code` for programs, `status` for HTTP,
    the message one line for a person."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def content_hash(data: bytes) -> str:
    """What identifies exactly this content: its SHA-256, in hex (64 characters)."""
    return hashlib.sha256(data).hexdigest()


def upload_name(given: str | None) -> str:
    """The uploaded file's name as a label: its last path part, control characters and separators
    dropped, at most MAX_NAME_CHARS characters; "minutes" when none is given."""
    name = re.split(r"[\\/]", given or "")[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().lstrip(".")
    return name[:MAX_NAME_CHARS] or "minutes"


def check_may_import(principal: Principal) -> None:
    if principal.role not in IMPORTERS:
        raise UploadRefused(
            "FORBIDDEN",
            f"the {principal.role or 'anonymous'} role may not import minutes; the secretariat or an admin does",
            403,
        )


def too_large(size: int, name: str) -> UploadRefused:
    return UploadRefused(
        "TOO_LARGE",
        f"{name}: {size / MB:.1f} MB is more than minutes are (an upload is refused over "
        f"{MAX_UPLOAD_BYTES // MB} MB); is it the right file?",
        413,
    )


def read_upload(data: bytes, name: str) -> list[ParsedMinutes]:
    """The minutes in the uploaded bytes, earliest meeting first (as `import-minutes` records
    several), each named `name`; an UploadRefused (MINUTES_FILE: the importer's line) when the file
    is not whole minutes. Blocking (a PDF's text, OCR): call it in a worker thread."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_large(len(data), name)
    # the readers sniff the kind from the bytes and open a DOCX as a ZIP: they take a path
    with tempfile.TemporaryDirectory(prefix="planledger-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            found = read_minutes(path)
        except MinutesFileError as error:
            raise UploadRefused("MINUTES_FILE", str(error).replace(f"{folder}/", ""), 422) from None
    if not found:
        raise UploadRefused("MINUTES_FILE", f"{name}: no minutes in it (no title 'รายงานการประชุม …')", 422)
    return sorted((dataclasses.replace(m, source=name) for m in found), key=lambda m: m.date)


def strict_refusal(parsed: list[ParsedMinutes]) -> str | None:
    """Why a strict import would record nothing (lines that could not be placed), else None."""
    unplaced = sum(len(m.unplaced) for m in parsed)
    if not unplaced:
        return None
    return f"strict: {unplaced} line(s) could not be placed; nothing recorded (without strict the rest is recorded)"


def preview_upload(ledger: PlanLedger, data: bytes, name: str, strict: bool) -> dict[str, Any]:
    """The preview of every set of minutes in the upload, with the content's hash the confirm must
    send back. Blocking (reads the file and the ledger): call it in a worker thread."""
    parsed = read_upload(data, name)
    return {
        "file": name,
        "sha256": content_hash(data),
        "size": len(data),
        "strict": strict,
        "strictRefusal": strict_refusal(parsed) if strict else None,
        "files": [preview(minutes, ledger, IMPORT_ACTOR) for minutes in parsed],
    }


async def confirm_upload(
    ledger: PlanLedger, data: bytes, name: str, principal: Principal, sha256: str, strict: bool
) -> dict[str, Any]:
    """Record the upload, which must be the previewed content (`sha256`); what each set of minutes
    recorded, as `import-minutes --json` says it. Safe to repeat: the second time records nothing."""
    check_may_import(principal)
    found = content_hash(data)
    if found != sha256.strip().lower():
        raise UploadRefused(
            "CONTENT_CHANGED",
            f"{name}: its content is not the one previewed (sha256 {found[:12]}…, previewed "
            f"{sha256[:12] or 'none'}…); preview it again before importing; nothing recorded",
            409,
        )
    parsed = await asyncio.to_thread(read_upload, data, name)
    refusal = strict_refusal(parsed) if strict else None
    if refusal is not None:
        raise UploadRefused("STRICT_UNPLACED", f"{name}: {refusal}", 422)
    results = []
    for minutes in parsed:
        report = await import_minutes(ledger, minutes, IMPORT_ACTOR, ImportReport())
        results.append(
            {
                "file": name,
                "meeting": {"body": minutes.body, "code": minutes.code, "date": minutes.date.isoformat()},
                "recorded": report.recorded,
                "already": report.already,
                "unchanged": report.unchanged,
                "repeated": report.repeated,
                "refused": report.refused,
                "held_back": report.held_back,
                "unplaced": len(minutes.unplaced),
            }
        )
    return {"file": name, "sha256": found, "strict": strict, "actor": IMPORT_ACTOR, "results": results}
