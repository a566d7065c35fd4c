"""A mapping that forgets its least recently used keys beyond a size (stdlib only).

State that a client can create at will (one counter per session, one cached answer per
``Accept`` header) lives in one of these, so no sequence of requests grows the server's
memory without bound.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Bounded(Generic[K, V]):
    """At most ``size`` entries; reading or writing a key makes it the most recent."""

    __slots__ = ("_items", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def __setitem__(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def setdefault(self, key: K, make: Callable[[], V]) -> V:
        """The value at ``key``, made (and stored) if there is none."""
        found = self.get(key)
        if found is None:
            found = make()
            self[key] = found
        return found

    def pop(self, key: K) -> None:
        self._items.pop(key, None)

    def __iter__(self) -> Iterator[K]:
        """The keys, oldest first, as a snapshot (popping while iterating is safe)."""
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)
