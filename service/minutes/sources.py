"""A minutes file, whatever it comes as, to its text: UTF-8 text, DOCX, a PDF's text layer, and a
scanned PDF or an image through OCR. The type is sniffed from the bytes, never the extension.

Every refusal is a `SourceError` of one line that says what the file is and what to do about it,
raised before anything is parsed or recorded:

- sizes are bounded before reading: text 5 MB (the sample is 120 KB, so 40 times it), a DOCX or
  PDF 50 MB, an image 30 MB; the text a DOCX, PDF or OCR gives is bounded by the same 5 MB;
  a PDF by 1,000 pages, an OCR'd PDF by 60 pages (Tesseract takes 5-15 s a page);
- text must be UTF-8 (a byte-order mark is dropped). UTF-16 or UTF-32 with a byte-order mark
  is decoded (the mark says which it is, so nothing is guessed); UTF-16 without one, and Thai
  in TIS-620/cp874 (the Windows code page), are refused with the `iconv` line that converts them;
- anything else (an empty file, a directory, a binary file, a PDF with no text layer when
  Tesseract is not installed) is refused with what it is.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from service.minutes.docx_text import DocxTextError, docx_text
from service.minutes.ocr_lines import ocr_text
from service.minutes.pdf_text import PdfTextError, pdf_page_count, pdf_text

MB = 1024 * 1024
MAX_TEXT_BYTES = 5 * MB
MAX_DOCUMENT_BYTES = 50 * MB
MAX_IMAGE_BYTES = 30 * MB
MAX_PDF_PAGES = 1000
MAX_OCR_PAGES = 60
#: a PDF page with fewer characters than this in its text layer is taken as scanned (a page
#: number or a stamp is all a scan's text layer holds, if any); the sample's pages hold ~3,400
MIN_TEXT_CHARS_PER_PAGE = 40

OCR_INSTALL = (
    "install Tesseract's Thai OCR: apt-get install tesseract-ocr tesseract-ocr-tha poppler-utils, "
    "and pip install 'planledger[ocr]'"
)

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
)
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)


class SourceError(Exception):
    """A file that cannot be read as minutes; the message is one line saying why and what to do."""


@dataclass(frozen=True)
class Source:
    """The text of one minutes file and how it was read ("text", "docx", "pdf", "ocr")."""

    path: str
    kind: str
    text: str


def read_source(path: Path) -> Source:
    """The text of the minutes at `path`, or a SourceError (see the module's docstring)."""
    name = str(path)
    try:
        if path.is_dir():
            raise SourceError(f"{name}: is a directory; give the minutes' files (e.g. {name}/*.txt)")
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError as error:
        raise SourceError(f"cannot read {name}: {error.strerror or error}") from None
    if size == 0 or not head.strip():
        raise SourceError(f"{name}: the file is empty")
    kind = sniff(head, path)
    if kind == "pdf":
        _bound(name, size, MAX_DOCUMENT_BYTES, "a PDF")
        return _bounded_text(Source(name, *_read_pdf(path)))
    if kind == "docx":
        _bound(name, size, MAX_DOCUMENT_BYTES, "a DOCX")
        try:
            return _bounded_text(Source(name, "docx", docx_text(path)))
        except DocxTextError as error:
            raise SourceError(f"{name}: {error}") from None
    if kind.startswith("image:"):
        _bound(name, size, MAX_IMAGE_BYTES, f"a {kind[6:]} image")
        return _bounded_text(Source(name, "ocr", ocr_images([path], name)))
    _bound(name, size, MAX_TEXT_BYTES, "text")
    return Source(name, "text", decode_text(path.read_bytes(), name))


def sniff(head: bytes, path: Path) -> str:
    """What the first bytes say the file is: "pdf", "docx", "image:PNG" …, or "text"."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except (zipfile.BadZipFile, OSError):
            pass
        raise SourceError(f"{path}: a ZIP archive that is not a DOCX; give minutes as text, PDF or DOCX")
    for magic, image in _IMAGE_MAGIC:
        if head.startswith(magic):
            return f"image:{image}"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image:WebP"
    return "text"


def _bound(name: str, size: int, limit: int, what: str) -> None:
    if size > limit:
        raise SourceError(
            f"{name}: {size / MB:.1f} MB is more than minutes are ({what} is refused over {limit // MB} MB); "
            "is it the right file?"
        )


def _bounded_text(source: Source) -> Source:
    if len(source.text.encode()) > MAX_TEXT_BYTES:
        raise SourceError(f"{source.path}: its text is over {MAX_TEXT_BYTES // MB} MB, more than minutes are")
    if not source.text.strip():
        raise SourceError(f"{source.path}: no text in it ({source.kind})")
    return source


_THAI_CP874 = re.compile(rb"[\xa1-\xfb]")


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text, or a BOM-marked UTF-16/32 text, as str; anything else refused (see the module)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).removeprefix("\ufeff")
            except UnicodeDecodeError as error:
                raise SourceError(
                    f"{name}: starts with a {encoding.upper()} byte-order mark but is not valid {encoding.upper()} "
                    f"at byte {error.start}"
                ) from None
    head = data[:4096]
    order = _utf16_order(head)
    if order is not None:
        raise SourceError(
            f"{name}: looks like {order} text without a byte-order mark; convert it: "
            f"iconv -f {order} -t UTF-8 {name} > minutes.txt"
        )
    if head.count(b"\x00") > len(head) // 4:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if max(even, odd) > len(head) // 4:
            order = "UTF-16LE" if odd > even else "UTF-16BE"
            raise SourceError(
                f"{name}: looks like {order} text without a byte-order mark; convert it: "
                f"iconv -f {order} -t UTF-8 {name} > minutes.txt"
            )
        raise SourceError(f"{name}: a binary file, not minutes (give text, PDF, DOCX or an image)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if b"\x00" in head or _control_bytes(head) > len(head) // 20:
            raise SourceError(f"{name}: a binary file, not minutes (give text, PDF, DOCX or an image)") from None
        if len(_THAI_CP874.findall(head)) > len(head) // 10:
            raise SourceError(
                f"{name}: looks like Thai in TIS-620/cp874, not UTF-8; convert it: "
                f"iconv -f CP874 -t UTF-8 {name} > minutes.txt"
            ) from None
        raise SourceError(f"{name}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None


def _utf16_order(head: bytes) -> str | None:
    """UTF-16 without a byte-order mark: every other byte is the high byte of a Thai (0x0E) or
    Latin (0x00) code point, in nine of ten pairs or more."""
    pairs = len(head) // 2
    if pairs < 8:
        return None
    for order, high in (("UTF-16LE", head[1 : 2 * pairs : 2]), ("UTF-16BE", head[0 : 2 * pairs : 2])):
        if sum(1 for byte in high if byte in (0x00, 0x0E)) >= 0.9 * pairs:
            return order
    return None


def _control_bytes(data: bytes) -> int:
    return sum(1 for byte in data if byte < 9 or 13 < byte < 32)


def _read_pdf(path: Path) -> tuple[str, str]:
    name = str(path)
    try:
        pages = pdf_page_count(path)
        if pages > MAX_PDF_PAGES:
            raise SourceError(f"{name}: {pages} pages is more than minutes are (refused over {MAX_PDF_PAGES})")
        text = pdf_text(path)
    except PdfTextError as error:
        raise SourceError(f"{name}: {error}") from None
    if len(re.sub(r"\s", "", text)) >= MIN_TEXT_CHARS_PER_PAGE * pages:
        return "pdf", text
    if pages > MAX_OCR_PAGES:
        raise SourceError(f"{name}: a scanned PDF of {pages} pages; OCR is refused over {MAX_OCR_PAGES} pages")
    return "ocr", ocr_pdf(path, name)


# --------------------------------------------------------------------------- OCR


def tesseract_command() -> str | None:
    """Tesseract's command: PLANLEDGER_TESSERACT (a path or a name on PATH, "none" for none), else
    `tesseract` on PATH; None when it is not there or has no Thai model."""
    wanted = os.environ.get("PLANLEDGER_TESSERACT", "tesseract")
    found = None if wanted == "none" else shutil.which(wanted)
    if found is None:
        return None
    try:
        langs = subprocess.run([found, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return found if re.search(r"^tha$", langs.stdout + langs.stderr, re.MULTILINE) else None


def _ocr_ready(name: str, what: str) -> str:
    command = tesseract_command()
    if command is None:
        raise SourceError(f"{name}: {what}; reading it needs OCR: {OCR_INSTALL}")
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        raise SourceError(f"{name}: {what}; reading it needs OCR: {OCR_INSTALL}") from None
    return command


def ocr_images(images: list[Path], name: str) -> str:
    """The text Tesseract's Thai model reads on each image, pages in order."""
    command = _ocr_ready(name, "an image")
    return _ocr(command, images, name)


def _ocr(command: str, images: list[Path], name: str) -> str:
    import pytesseract
    from PIL import Image, UnidentifiedImageError

    pytesseract.pytesseract.tesseract_cmd = command
    pages = []
    for image in images:
        try:
            with Image.open(image) as picture:
                # Thai only: with "tha+eng" the sample's date line came out as "Sufi ๐๒ มกราคม were"
                pages.append(pytesseract.image_to_string(picture, lang="tha"))
        except (UnidentifiedImageError, OSError) as error:
            raise SourceError(f"{name}: cannot read the image: {error}") from None
        except pytesseract.TesseractError as error:
            raise SourceError(f"{name}: Tesseract failed: {error.message.strip().splitlines()[-1:]}") from None
    # Tesseract's lines are the page's, with its noise: back to the lines as typed (ocr_lines.py)
    return ocr_text("\n".join(pages))


def ocr_pdf(path: Path, name: str) -> str:
    """A scanned PDF: each page rasterised at 300 dpi by poppler's pdftoppm, then OCR'd."""
    command = _ocr_ready(name, "a PDF with no text layer (a scan)")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise SourceError(f"{name}: a PDF with no text layer (a scan); rasterising it needs poppler: {OCR_INSTALL}")
    with tempfile.TemporaryDirectory(prefix="planledger-ocr-") as folder:
        try:
            subprocess.run(
                [pdftoppm, "-r", "300", "-gray", "-png", str(path), f"{folder}/page"],
                check=True,
                capture_output=True,
                timeout=60 * MAX_OCR_PAGES,
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise SourceError(f"{name}: pdftoppm could not rasterise it: {error}") from None
        images = sorted(Path(folder).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        return _ocr(command, images, name)
