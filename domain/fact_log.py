"""An aggregate's facts in order: appended to, copied cheaply, never changed in place.

The application hands each command a copy of the cached aggregate (`Ledger.__deepcopy__`). With
the facts in one list, that copy was O(facts): on an activity a few thousand reports long (what
16 writers on 4 activities make in a few seconds, bench `mutations`), copying the list and freeing
the replaced one were a fifth of the server's time per command (py-spy, 2026-12-03). Here the
facts sit in an immutable tuple shared by every copy, plus a short list of the latest ones that a
copy copies; every `TAIL` facts the tail joins the tuple (one O(facts) concatenation per `TAIL`
appends, in the copy that appends: the shared tuple is never changed).

A log can also forget its history (`drop_history`): the application does so for the aggregates it
keeps cached, so that their memory does not grow with every report (16 writers for 60 s kept
~150,000 facts, +220 MB; bench `mutations`, memory row). The first fact (when the record began)
and the latest ones stay; anything that asks for an older one has them read back through the
loader the application gave, or, where the loader may not wait for the store (on the event loop),
gets `HistoryNotHere` and decides elsewhere. A command on today's state needs none of them:
only backdated facts, corrections and `state_as_of` fold the whole history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")

#: facts kept in the copied tail before they join the shared tuple
TAIL = 64


class HistoryNotHere(Exception):
    """The facts a log forgot (`FactLog.drop_history`) cannot be read back here: its loader may not
    wait for the store in this place (the event loop), or the store did not answer (`__cause__`)."""


class FactLog(Sequence[T], Generic[T]):
    __slots__ = ("_dropped", "_first", "_frozen", "_reload", "_tail")

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._frozen: tuple[T, ...] = tuple(items)
        self._tail: list[T] = []
        #: how many leading facts are not in memory (`drop_history`), the first of them, and how to read them back
        self._dropped = 0
        self._first: T | None = None
        self._reload: Callable[[int], Sequence[T]] | None = None

    def copy(self) -> FactLog[T]:
        clone: FactLog[T] = FactLog.__new__(FactLog)
        clone._frozen = self._frozen
        clone._tail = list(self._tail)
        clone._dropped = self._dropped
        clone._first = self._first
        clone._reload = self._reload
        return clone

    def append(self, item: T) -> None:
        tail = self._tail
        tail.append(item)
        if len(tail) >= TAIL:
            self._frozen = self._frozen + tuple(tail)
            self._tail = []

    def drop_history(self, reload: Callable[[int], Sequence[T]], keep: int = 0) -> int:
        """Forget the facts before the tail once at least `keep` of them are in memory: `reload(n)`
        gives the first n facts back when they are asked for. Returns how many were forgotten."""
        frozen = self._frozen
        if not frozen or len(frozen) < keep:
            return 0
        if not self._dropped:
            self._first = frozen[0]
        self._dropped += len(frozen)
        self._frozen = ()
        self._reload = reload
        return len(frozen)

    @property
    def in_memory(self) -> int:
        """How many facts this log holds in memory (its length, unless it dropped its history)."""
        return len(self._frozen) + len(self._tail)

    def _restore(self) -> None:
        reload, count = self._reload, self._dropped
        assert reload is not None
        loaded = tuple(reload(count))
        if len(loaded) != count:
            raise HistoryNotHere(f"{count} facts were forgotten, {len(loaded)} were read back")
        self._frozen = loaded + self._frozen
        self._dropped, self._first, self._reload = 0, None, None

    def __len__(self) -> int:
        return self._dropped + len(self._frozen) + len(self._tail)

    def __iter__(self) -> Iterator[T]:
        if self._dropped:
            self._restore()
        return chain(self._frozen, self._tail)

    def __reversed__(self) -> Iterator[T]:
        if self._dropped:
            self._restore()
        return chain(reversed(self._tail), reversed(self._frozen))

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += len(self)
            if index < 0:
                raise IndexError("fact index out of range")
        dropped = self._dropped
        if dropped:
            if index == 0:
                return self._first  # type: ignore[return-value]
            if index < dropped:
                self._restore()
                dropped = 0
        frozen = self._frozen
        index -= dropped
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
