"""Where a line of Thai may break, by ICU's line-break rules and Thai dictionary, called through
ctypes on the system's libicuuc (Debian's libicu72: LibreOffice and libxml2 depend on it).

Why ICU: a PDF that LibreOffice made breaks a long line where ICU's line-break iterator allows it,
and Thai has no spaces between words, so whether a wrapped line's next word would have fitted at
its end can only be told by knowing where that word ends. Counted on the corpus printed by
LibreOffice (1,182 line ends, 396 of them wraps): with the word taken up to the first space and at
most 4 characters, 46 wraps were missed; with ICU's words, 11 (LibreOffice keeps some compounds
whole that ICU splits, 'กลยุทธ์ใหม่').

No new Python dependency: PyICU builds from source against libicu-dev. Without libicuuc,
`first_word_end` falls back to the first space, at most `FALLBACK_WORD` characters into Thai.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import re
from collections.abc import Callable, Iterator

#: without ICU, a Thai word is taken as at most this many characters (the median in the sample is 4)
FALLBACK_WORD = 4
_UBRK_LINE = 2
_THAI = re.compile(r"[\u0e01-\u0e4e]")


class _Icu:
    """ICU's line-break iterator for Thai, through ctypes."""

    def __init__(self, library: ctypes.CDLL, suffix: str) -> None:
        def fn(name: str, restype: object, *argtypes: object) -> Callable[..., int]:
            function = getattr(library, name + suffix)
            function.restype = restype
            function.argtypes = argtypes
            return function

        status = ctypes.c_int(0)
        opener = fn(
            "ubrk_open",
            ctypes.c_void_p,
            *(ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int32, ctypes.c_void_p),
        )
        self._iterator = opener(_UBRK_LINE, b"th", None, 0, ctypes.byref(status))
        if status.value > 0 or not self._iterator:
            raise OSError(f"ICU ubrk_open failed ({status.value})")
        self._set_text = fn("ubrk_setText", None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int32, ctypes.c_void_p)
        self._following = fn("ubrk_following", ctypes.c_int32, ctypes.c_void_p, ctypes.c_int32)
        self._buffer = ctypes.create_string_buffer(0)

    def boundaries_after(self, text: str, start: int) -> Iterator[int]:
        """The break opportunities in `text` after index `start`, in order (UTF-16 units are
        indexes here: the minutes' text is all in the Basic Multilingual Plane)."""
        data = text.encode("utf-16-le")
        self._buffer = ctypes.create_string_buffer(data, len(data) + 2)
        status = ctypes.c_int(0)
        self._set_text(self._iterator, self._buffer, len(data) // 2, ctypes.byref(status))
        if status.value > 0:
            return
        at = self._following(self._iterator, start)
        while 0 <= at <= len(text):
            yield at
            at = self._following(self._iterator, at)


@functools.cache
def _icu() -> _Icu | None:
    name = ctypes.util.find_library("icuuc")
    candidates = [name] if name else []
    candidates += [f"libicuuc.so.{v}" for v in range(80, 59, -1)]
    for candidate in candidates:
        try:
            library = ctypes.CDLL(candidate)
        except OSError:
            continue
        version = re.search(r"\.so\.(\d+)", candidate)
        suffixes = ([f"_{version[1]}"] if version else []) + [f"_{v}" for v in range(80, 59, -1)] + [""]
        for suffix in suffixes:
            if hasattr(library, "ubrk_open" + suffix):
                try:
                    return _Icu(library, suffix)
                except OSError:
                    return None
    return None


def has_icu() -> bool:
    return _icu() is not None


def _is_thai(char: str) -> bool:
    return bool(_THAI.match(char))


def first_word_end(text: str, start: int) -> int:
    """The end (an index into `text`) of the first word at or after `start`, the word a line
    break could not have split: ICU's next break opportunity, where the break falls after a space
    or touches Thai (between two Latin marks, ':</b>', '<p>', LibreOffice does not break)."""
    icu = _icu()
    if icu is not None:
        for at in icu.boundaries_after(text, start):
            if at >= len(text):
                return len(text)
            before, after = text[at - 1], text[at]
            if before.isspace() or _is_thai(before) or _is_thai(after):
                return at
        return len(text)
    end = start
    while end < len(text) and not text[end].isspace():
        end += 1
    if any(_is_thai(char) for char in text[start:end]):
        end = min(end, start + FALLBACK_WORD)
    return end
