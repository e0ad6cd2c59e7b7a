"""A short, growing wait after repeated failures, kept per key (a typed user name, a
client address) in this process's memory.

Why not a lock stored with the account: anyone could lock any account (the administrator
included) for a quarter of an hour by typing its name five times, and only names that
exist would lock, which tells which names exist. A back-off per typed name treats known
and unknown names alike, stays short, and is not written anywhere (a password typed into
the name field never reaches the disk)."""

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_KEYS = 10_000  # the oldest are forgotten first: random names cannot grow memory without bound


@dataclass
class _Entry:
    failures: int
    last_failed: datetime


class Backoff:
    """After `free` failures within `forget` of each other, each further attempt must wait
    first_seconds, then twice that, … up to max_seconds after the last failure."""

    def __init__(self, free: int, first_seconds: int, max_seconds: int, forget: timedelta):
        self.free, self.first, self.max, self.forget = free, first_seconds, max_seconds, forget
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def _delay(self, failures: int) -> int:
        over = failures - self.free
        return 0 if over < 0 else min(self.first * 2 ** over, self.max)

    def wait(self, key: str, at: datetime) -> int:
        """Whole seconds `key` must still wait at `at` (0: it may try now)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return 0
            if at - entry.last_failed > self.forget:
                del self._entries[key]
                return 0
            ready = entry.last_failed + timedelta(seconds=self._delay(entry.failures))
            return max(0, math.ceil((ready - at).total_seconds()))

    def failed(self, key: str, at: datetime) -> None:
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is None or at - entry.last_failed > self.forget:
                entry = _Entry(0, at)
            entry.failures += 1
            entry.last_failed = at
            self._entries[key] = entry
            while len(self._entries) > MAX_KEYS:
                self._entries.popitem(last=False)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
