"""A stream of durations kept exactly while it is small, and in bounded memory once it is large.

Up to :data:`EXACT_LIMIT` values are kept in a compact array (8 bytes a
value), so percentiles are exact, as Rally's are. Past it (checked by
:meth:`Values.compact`, once per batch of results), the values move into an
HDR histogram (HdrHistogram, microsecond units, 3 significant digits):
memory stops growing (a long soak test at tens of thousands of iterations
per second would otherwise hold gigabytes), percentiles are then good to 3
significant digits, and min, max, count and average stay exact.

While exact, :meth:`Values.append` is the array's own (C) method: the
consumer calls it several times for every iteration.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from typing import Any

#: Values kept exactly before a stream switches to a histogram.
EXACT_LIMIT = 1_000_000
_UNIT = 1_000_000  # the histogram counts microseconds
_HIGHEST = 7 * 24 * 3600 * _UNIT  # a week: longer values are clamped (min and max stay exact)
_DIGITS = 3
_NUMPY_FROM = 20_000  # below this many values a plain sort is cheaper than importing numpy


class Values:
    """Durations (seconds) in arrival order: exact while few, a histogram once many."""

    __slots__ = ("_exact", "_hist", "_count", "_total", "_low", "_high", "limit", "append")

    def __init__(self, limit: int | None = None) -> None:
        self.limit = EXACT_LIMIT if limit is None else limit
        self._exact: array[float] | None = array("d")
        self._hist: Any = None
        self._count = 0
        self._total = 0.0
        self._low = math.inf
        self._high = -math.inf
        #: Add one value.
        self.append: Callable[[float], None] = self._exact.append

    @classmethod
    def constant(cls, value: float, count: int, limit: int | None = None) -> Values:
        """``count`` times ``value``, without a loop over them (idle times that start being kept late)."""
        values = cls(limit)
        if count and values._exact is not None:
            values._exact.extend(array("d", [value]) * min(count, values.limit + 1))
            if count > values.limit:
                values._switch()
                if count > values.limit + 1:
                    values._hist.record_value(_micros(value), count - values.limit - 1)
                values._count, values._total = count, value * count
        return values

    def copy(self) -> Values:
        """An independent copy."""
        other = Values(self.limit)
        if self._exact is not None:
            other._exact = array("d", self._exact)
            other.append = other._exact.append
            return other
        from hdrh.histogram import HdrHistogram

        other._exact, other.append = None, other._record
        other._hist = HdrHistogram.decode(self._hist.encode())
        other._count, other._total, other._low, other._high = self._count, self._total, self._low, self._high
        return other

    def __len__(self) -> int:
        return len(self._exact) if self._exact is not None else self._count

    @property
    def exact(self) -> bool:
        """Whether every value is still kept (percentiles exact)."""
        return self._exact is not None

    @property
    def low(self) -> float:
        """The smallest value (inf when empty)."""
        return (min(self._exact) if self._exact else math.inf) if self._exact is not None else self._low

    @property
    def high(self) -> float:
        """The largest value (-inf when empty)."""
        return (max(self._exact) if self._exact else -math.inf) if self._exact is not None else self._high

    @property
    def total(self) -> float:
        """The sum, in arrival order (as Rally's running mean)."""
        return sum(self._exact) if self._exact is not None else self._total

    def compact(self) -> None:
        """Move to the histogram once there are more than ``limit`` values."""
        if self._exact is not None and len(self._exact) > self.limit:
            self._switch()

    def extend(self, values: Any) -> None:
        """Add many values at once: an ``array('d')`` or a numpy array of float64 (a block of results)."""
        if not len(values):
            return
        if self._exact is not None and isinstance(values, array):
            self._exact.extend(values)
            return
        import numpy as np

        data = np.ascontiguousarray(values, dtype=np.float64)
        if self._exact is not None:
            self._exact.frombytes(data.tobytes())
            return
        self._count += len(data)
        self._total += float(data.sum())
        self._low = min(self._low, float(data.min()))
        self._high = max(self._high, float(data.max()))
        self._record_many(data)

    def _switch(self) -> None:
        from hdrh.histogram import HdrHistogram

        exact = self._exact or array("d")
        self._count, self._total, self._low, self._high = len(exact), 0.0, math.inf, -math.inf
        self._hist = HdrHistogram(1, _HIGHEST, _DIGITS)
        if exact:
            import numpy as np

            data = np.frombuffer(exact, dtype=np.float64)
            self._total, self._low, self._high = float(data.sum()), float(data.min()), float(data.max())
            self._record_many(data)
        self._exact = None
        self.append = self._record

    def _record_many(self, values: Any) -> None:
        # A million values, one record call per distinct microsecond count: the switch stays quick, so the
        # consumer does not fall behind the workers while it happens.
        import numpy as np

        micros = np.clip(np.rint(np.asarray(values, dtype=np.float64) * _UNIT), 1, _HIGHEST).astype(np.int64)
        distinct, counts = np.unique(micros, return_counts=True)
        for value, count in zip(distinct.tolist(), counts.tolist(), strict=True):
            self._hist.record_value(value, count)

    def _record(self, value: float) -> None:
        self._count += 1
        self._total += value
        if value < self._low:
            self._low = value
        if value > self._high:
            self._high = value
        self._hist.record_value(_micros(value))

    def to_wire(self) -> tuple[int, float, float, float, str]:
        """A compact, picklable form: ``(count, total, low, high, encoded histogram)``; an exact
        stream is turned into a histogram first (another process merges it with :meth:`merge_wire`)."""
        if self._exact is not None:
            self._switch()
        encoded = self._hist.encode() if self._count else b""
        return (self._count, self._total, self._low, self._high, encoded.decode("ascii"))

    def merge_wire(self, wire: tuple[int, float, float, float, str] | list[Any]) -> None:
        """Add another stream's values (from :meth:`to_wire`); this stream becomes a histogram."""
        from hdrh.histogram import HdrHistogram

        count, total, low, high, encoded = wire
        if count:
            self._add(HdrHistogram.decode(encoded.encode("ascii")), int(count), float(total), float(low),
                      float(high))

    def merge(self, other: Values) -> None:
        """Add another stream's values; both become histograms."""
        if other._exact is not None:
            other._switch()
        if other._count:
            self._add(other._hist, other._count, other._total, other._low, other._high)

    def _add(self, hist: Any, count: int, total: float, low: float, high: float) -> None:
        if self._exact is not None:
            self._switch()
        self._hist.add(hist)
        self._count += count
        self._total += total
        self._low = min(self._low, low)
        self._high = max(self._high, high)

    def linear_histogram(self, bins: int) -> tuple[list[float], list[int]]:
        """Counts in ``bins`` equal bins from the lowest to the highest value (numpy's ``histogram`` for an
        exact stream; a histogram stream's counts are placed by their recorded values)."""
        import numpy as np

        if not len(self):
            return [], []
        if self._exact is not None:
            counts, edges = np.histogram(np.asarray(self._exact, dtype=np.float64), bins=bins)
            return [float(e) for e in edges], [int(c) for c in counts]
        low, high = self._low, self._high
        edges = np.linspace(low, high if high > low else low + 1e-6, bins + 1)
        out = np.zeros(bins, dtype=np.int64)
        for item in self._hist.get_recorded_iterator():
            value = min(max(item.value_iterated_to / _UNIT, low), high)
            place = min(bins - 1, int(np.searchsorted(edges, value, side="right")) - 1)
            out[place] += item.count_added_in_this_iter_step
        return [float(e) for e in edges], [int(c) for c in out]

    def sorted_values(self) -> Any:
        """The exact values, sorted (a numpy array when many); only while :attr:`exact`."""
        assert self._exact is not None
        if len(self._exact) >= _NUMPY_FROM:
            import numpy as np

            return np.sort(np.asarray(self._exact, dtype=np.float64))
        return sorted(self._exact)

    def percentiles(self, fractions: tuple[float, ...]) -> list[float | None]:
        """Percentiles: exact (linear interpolation, one sort) while exact, else the histogram's, clamped to
        [min, max]."""
        if not len(self):
            return [None] * len(fractions)
        if self._exact is not None:
            ordered = self.sorted_values()
            return [exact_percentile(ordered, f) for f in fractions]
        return [float(min(max(self._hist.get_value_at_percentile(f * 100) / _UNIT, self._low), self._high))
                for f in fractions]

    def percentile(self, fraction: float) -> float | None:
        """One percentile (see :meth:`percentiles`)."""
        return self.percentiles((fraction,))[0]

    def count_above(self, threshold: float) -> int:
        """How many values are greater than ``threshold`` (to the histogram's precision once it is one)."""
        if self._exact is not None:
            return sum(1 for v in self._exact if v > threshold)
        limit = round(threshold * _UNIT)
        return int(sum(item.count_added_in_this_iter_step for item in self._hist.get_recorded_iterator()
                       if item.value_iterated_to > limit))


def _micros(value: float) -> int:
    # The histogram's range starts at 1 µs: shorter values (and zeros) count as 1 µs; the exact minimum
    # is kept apart, and percentiles are clamped to [min, max].
    return min(_HIGHEST, max(1, round(value * _UNIT)))


def exact_percentile(sorted_values: Any, fraction: float) -> float | None:
    """The ``fraction`` percentile of sorted values with linear interpolation (Rally's and numpy's)."""
    if len(sorted_values) == 0:
        return None
    k = (len(sorted_values) - 1) * fraction
    low, high = math.floor(k), math.ceil(k)
    if low == high:
        return float(sorted_values[int(k)])
    return float(sorted_values[low] * (high - k) + sorted_values[high] * (k - low))
