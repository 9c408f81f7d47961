"""Minutes import speed (issue 18): the sample imported through the command line into an empty
database, target under 2 s, against the same file's parse alone; and a 200-page PDF's text layer
read and parsed (`--set pdf_pages=N`; 12 in a smoke run), target at least 20 pages/s, against
PDFium's raw text of the same pages.

Neither needs the generated ledger: each uses a scratch database or none, so `--only minutes`
runs in seconds on any size."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.context import Context
from bench.core import Result, Stats

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "minutes" / "1-2564.txt"
SAMPLE_PDF = ROOT / "tests" / "fixtures" / "minutes_1_2564.pdf"


def minutes_measure(ctx: Context) -> list[Result]:
    return [_sample_import(ctx), _pdf_pages(ctx)]


def _sample_import(ctx: Context) -> Result:
    from service.minutes.files import read_minutes

    database = ctx.scratch("minutes")
    env = {**os.environ, "DATABASE_URL": database.url()}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "import-minutes", str(SAMPLE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"import-minutes failed: {done.stderr.strip()[-300:]}")
    parse_ms = []
    for _ in range(5):
        t0 = time.perf_counter()
        read_minutes(SAMPLE)
        parse_ms.append((time.perf_counter() - t0) * 1000)
    return Result(
        measure="minutes",
        name="the sample minutes imported (planledger import-minutes, a new process, empty database)",
        target="< 2 s",
        passed=seconds < 2.0,
        baseline="the same file read and parsed only",
        latency=Stats.of([seconds * 1000]),
        baseline_latency=Stats.of(parse_ms),
        notes={"recorded": done.stdout.strip()},
    )


def _pdf_pages(ctx: Context) -> Result:
    import pypdfium2 as pdfium

    from service.minutes.completeness import split_minutes
    from service.minutes.parser import parse_minutes
    from service.minutes.sources import read_source

    pages = ctx.sizes.pdf_pages
    path = ctx.folder / f"minutes-{pages}-pages.pdf"
    sample = pdfium.PdfDocument(str(SAMPLE_PDF))
    document = pdfium.PdfDocument.new()
    while len(document) < pages:
        document.import_pages(sample, list(range(min(len(sample), pages - len(document)))))
    document.save(str(path))
    document.close()
    sample.close()
    started = time.perf_counter()
    # the text layer, then every set of minutes in it parsed (the last copy is cut at page 200:
    # parsed all the same, as the measure is the parse, not the completeness check)
    minutes = [parse_minutes(part.text, source=path.name) for part in split_minutes(read_source(path).text)]
    seconds = time.perf_counter() - started
    t0 = time.perf_counter()
    raw = pdfium.PdfDocument(str(path))
    for index in range(len(raw)):
        raw[index].get_textpage().get_text_range()
    raw.close()
    raw_seconds = time.perf_counter() - t0
    return Result(
        measure="minutes",
        name=f"a {pages}-page PDF's text layer read and parsed (the sample's pages repeated)",
        target=">= 20 pages/s",
        passed=pages / seconds >= 20,
        baseline="PDFium's raw text of the same pages",
        rate=pages / seconds,
        rate_unit="pages/s",
        baseline_rate=pages / raw_seconds,
        ratio=raw_seconds / seconds,
        notes={"minutes_parsed": len(minutes), "seconds": round(seconds, 2)},
    )
