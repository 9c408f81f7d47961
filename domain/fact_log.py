"""An aggregate's facts in order: appended to, copied cheaply, never changed in place.

The application hands each command a copy of the cached aggregate (`Ledger.__deepcopy__`). With
the facts in one list, that copy was O(facts): on an activity a few thousand reports long (what
16 writers on 4 activities make in a few seconds, bench `mutations`), copying the list and freeing
the replaced one were a fifth of the server's time per command (py-spy, 2026-12-03). Here the
facts sit in an immutable tuple shared by every copy, plus a short list of the latest ones that a
copy copies; every `TAIL` facts the tail joins the tuple (one O(facts) concatenation per `TAIL`
appends, in the copy that appends: the shared tuple is never changed).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")

#: facts kept in the copied tail before they join the shared tuple
TAIL = 64


class FactLog(Sequence[T], Generic[T]):
    __slots__ = ("_frozen", "_tail")

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._frozen: tuple[T, ...] = tuple(items)
        self._tail: list[T] = []

    def copy(self) -> FactLog[T]:
        clone: FactLog[T] = FactLog.__new__(FactLog)
        clone._frozen = self._frozen
        clone._tail = list(self._tail)
        return clone

    def append(self, item: T) -> None:
        tail = self._tail
        tail.append(item)
        if len(tail) >= TAIL:
            self._frozen = self._frozen + tuple(tail)
            self._tail = []

    def __len__(self) -> int:
        return len(self._frozen) + len(self._tail)

    def __iter__(self) -> Iterator[T]:
        return chain(self._frozen, self._tail)

    def __reversed__(self) -> Iterator[T]:
        return chain(reversed(self._tail), reversed(self._frozen))

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return list(self)[index]
        frozen = self._frozen
        if index < 0:
            index += len(self)
            if index < 0:
                raise IndexError("fact index out of range")
        if index < len(frozen):
            return frozen[index]
        return self._tail[index - len(frozen)]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (FactLog, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # (mutable, as a list)

    def __repr__(self) -> str:
        return f"FactLog({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FactLog, (list(self),))
