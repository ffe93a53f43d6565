"""One channel of a live chart: a growable, time-sorted (x, y) series with its drawn form.

Storage is numpy, grown in steps of 8,192 samples (an eighth of the size past 65,536) when
full. ``x`` is float64 seconds and stays sorted: a late manual entry is inserted in its place.
``y`` is float32: charted readings are whole numbers, which float32 holds exactly. A
sample may carry the id of the vital-sign set it came from, so a corrected set can be taken off
the line.

What the chart draws comes from ``display(left, right, pixels)``:

- only the samples in view (plus one either side), found by binary search;
- at most two points per pixel: when more samples are in view than that, each pixel column
  keeps its minimum and maximum (peak decimation), so a single-sample spike is always drawn.
  The minima and maxima of bins of 8, 16, 32 … samples are cached (a min/max pyramid, updated
  lazily from the first changed sample) and gathered into columns, so a whole 12-hour session
  in view costs about as much as one hour: the view never walks every sample;
- a NaN between two samples further apart than the gap limit, so a line drawn with
  ``connect="finite"`` breaks there instead of bridging missing data. The gap limit is
  ``gap_factor`` times the channel's usual spacing (the median interval), never less than
  ``gap_minimum``; gap positions are cached and extended as samples arrive.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
ValueArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

NO_ID = -1
FIRST_LEVEL = 3  # the first cached pyramid level: bins of 2**3 = 8 samples
GROW_BY = 8192  # samples added to a full buffer (or an eighth of it, if that is more)


class SeriesBuffer:
    """Samples of one channel. ``x``, ``y`` and ``ids`` are views of the filled part."""

    __slots__ = ("_drawn", "_gap_limit", "_gaps", "_gaps_upto", "_ids", "_levels",
                 "_levels_valid", "_n", "_typical_at", "_x", "_y", "gap_factor",
                 "gap_fallback", "gap_minimum", "version")

    def __init__(self, capacity: int = 1024, *, gap_factor: float = 3.0,
                 gap_minimum: float = 30.0, gap_fallback: float = 2700.0) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._x: FloatArray = np.empty(capacity, dtype=np.float64)
        self._y: ValueArray = np.empty(capacity, dtype=np.float32)
        self._ids: IntArray | None = None  # allocated by the first sample that has an id
        self._n = 0
        self.version = 0  # bumped on every change: the chart redraws a channel only if it moved
        self.gap_factor = gap_factor
        self.gap_minimum = gap_minimum
        self.gap_fallback = gap_fallback  # the limit until there are a few intervals to go by
        # pyramid: level k (FIRST_LEVEL ≤ k) holds the min and max of bins of 2**k samples
        self._levels: list[tuple[ValueArray, ValueArray]] = []
        self._levels_valid = 0  # samples before this index are summarised correctly
        # gaps: indices i with x[i + 1] − x[i] > the gap limit, for the intervals before _gaps_upto
        self._gaps: IntArray = np.empty(0, dtype=np.int64)
        self._gaps_upto = 0
        self._typical_at = 4  # the usual spacing is re-measured when n reaches this
        self._gap_limit = gap_fallback
        # the last decimated drawing: (view key, x, y, first sample of its last column, points
        # before that column); valid while samples are only appended
        self._drawn: tuple[tuple[object, ...], FloatArray, FloatArray, int, int] | None = None

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return self._n

    @property
    def capacity(self) -> int:
        return int(self._x.shape[0])

    @property
    def x(self) -> FloatArray:
        return self._x[: self._n]

    @property
    def y(self) -> ValueArray:
        return self._y[: self._n]

    @property
    def ids(self) -> IntArray:
        """The set id of each sample (``NO_ID`` where none was given)."""
        if self._ids is None:
            return np.full(self._n, NO_ID, dtype=np.int64)
        return self._ids[: self._n]

    def nbytes(self) -> int:
        """Bytes held by this buffer's arrays (storage, pyramid and gap index)."""
        total = self._x.nbytes + self._y.nbytes + self._gaps.nbytes
        if self._ids is not None:
            total += self._ids.nbytes
        return total + sum(low.nbytes + high.nbytes for low, high in self._levels)

    def last(self) -> tuple[float, float] | None:
        if self._n == 0:
            return None
        return float(self._x[self._n - 1]), float(self._y[self._n - 1])

    def nearest(self, x: float) -> int | None:
        """Index of the sample closest in time to ``x`` (``None`` when empty)."""
        n = self._n
        if n == 0:
            return None
        xs = self._x[:n]
        at = int(np.searchsorted(xs, x))
        if at <= 0:
            return 0
        if at >= n:
            return n - 1
        return at if xs[at] - x < x - xs[at - 1] else at - 1

    # ------------------------------------------------------------------ changing
    def append(self, x: float, y: float, ident: int = NO_ID) -> None:
        """Add one sample; in time order this is O(1) amortised, out of order O(n)."""
        n = self._n
        if n == self._x.shape[0]:
            self._grow(n + 1)
        if ident != NO_ID and self._ids is None:
            self._ids = np.full(self._x.shape[0], NO_ID, dtype=np.int64)
        if n == 0 or x >= self._x[n - 1]:
            self._x[n] = x
            self._y[n] = y
            if self._ids is not None:
                self._ids[n] = ident
        else:
            at = int(np.searchsorted(self._x[:n], x, side="right"))
            self._x[at + 1: n + 1] = self._x[at:n]
            self._y[at + 1: n + 1] = self._y[at:n]
            self._x[at] = x
            self._y[at] = y
            if self._ids is not None:
                self._ids[at + 1: n + 1] = self._ids[at:n]
                self._ids[at] = ident
            self._changed_from(at)
        self._n = n + 1
        self.version += 1

    def extend(self, x: npt.ArrayLike, y: npt.ArrayLike, ids: npt.ArrayLike | None = None) -> None:
        """Add many samples at once (any order); they are merged into time order."""
        xs = np.asarray(x, dtype=np.float64).ravel()
        ys = np.asarray(y, dtype=np.float64).ravel()
        if xs.shape != ys.shape:
            raise ValueError("x and y must have the same length")
        if xs.size == 0:
            return
        new_ids = None if ids is None else np.asarray(ids, dtype=np.int64).ravel()
        n = self._n
        total = n + xs.size
        if total > self._x.shape[0]:
            self._grow(total)
        if new_ids is not None and self._ids is None:
            self._ids = np.full(self._x.shape[0], NO_ID, dtype=np.int64)
        added = (new_ids if new_ids is not None
                 else np.full(xs.size, NO_ID, dtype=np.int64))
        if (n == 0 or xs[0] >= self._x[n - 1]) and bool(np.all(np.diff(xs) >= 0)):
            self._x[n:total] = xs
            self._y[n:total] = ys
            if self._ids is not None:
                self._ids[n:total] = added
        else:
            all_x = np.concatenate((self._x[:n], xs))
            order = np.argsort(all_x, kind="stable")
            moved = np.flatnonzero(order != np.arange(total))
            self._x[:total] = all_x[order]
            self._y[:total] = np.concatenate((self._y[:n], ys))[order]
            if self._ids is not None:
                self._ids[:total] = np.concatenate((self._ids[:n], added))[order]
            if moved.size and moved[0] < n:
                self._changed_from(int(moved[0]))
        self._n = total
        self.version += 1

    def remove_ids(self, ident: int) -> int:
        """Take every sample of set ``ident`` off this channel; returns how many there were."""
        if self._ids is None or ident == NO_ID:
            return 0
        n = self._n
        hit = self._ids[:n] == ident
        count = int(np.count_nonzero(hit))
        if count == 0:
            return 0
        first = int(np.argmax(hit))
        keep = ~hit
        kept = n - count
        self._x[:kept] = self._x[:n][keep]
        self._y[:kept] = self._y[:n][keep]
        self._ids[:kept] = self._ids[:n][keep]
        self._n = kept
        self._changed_from(first)
        self.version += 1
        return count

    def shift(self, seconds: float) -> None:
        """Move every sample by ``seconds`` (the time zero of the chart moved)."""
        self._drawn = None
        self._x[: self._n] += seconds
        self.version += 1

    def clear(self) -> None:
        self._n = 0
        self._changed_from(0)
        self._typical_at = 4
        self._gap_limit = self.gap_fallback
        self.version += 1

    # ------------------------------------------------------------------ gaps
    def gap_limit(self) -> float:
        """Seconds between two samples beyond which the line breaks."""
        self._update_typical()
        return self._gap_limit

    def gaps(self) -> IntArray:
        """Indices ``i`` where the line breaks between sample ``i`` and ``i + 1``."""
        self._update_gaps()
        return self._gaps

    def set_gap_rule(self, *, factor: float, minimum: float, fallback: float) -> None:
        self._drawn = None
        self.gap_factor = factor
        self.gap_minimum = minimum
        self.gap_fallback = fallback
        self._typical_at = 4
        self._gap_limit = fallback
        self._gaps_upto = 0
        self._gaps = np.empty(0, dtype=np.int64)
        self.version += 1

    def _update_typical(self) -> None:
        n = self._n
        if n < self._typical_at:
            return
        # Re-measured when the series doubles: O(1) amortised, and the limit settles early.
        self._typical_at = max(4, 2 * n)
        intervals = np.diff(self._x[:n])
        typical = float(np.median(intervals)) if intervals.size >= 3 else None
        limit = (self.gap_fallback if typical is None
                 else max(self.gap_minimum, self.gap_factor * typical))
        if limit != self._gap_limit:
            self._gap_limit = limit
            self._gaps_upto = 0
            self._gaps = np.empty(0, dtype=np.int64)

    def _update_gaps(self) -> None:
        self._update_typical()
        n = self._n
        if self._gaps_upto >= n:
            return
        start = max(self._gaps_upto - 1, 0)
        found = np.flatnonzero(np.diff(self._x[start:n]) > self._gap_limit) + start
        if found.size:
            self._gaps = np.concatenate((self._gaps, found.astype(np.int64)))
        self._gaps_upto = n

    # ------------------------------------------------------------------ pyramid
    def _changed_from(self, index: int) -> None:
        """Samples from ``index`` on moved: their cached summaries must be rebuilt."""
        self._drawn = None
        self._levels_valid = min(self._levels_valid, index)
        if self._gaps_upto > index:
            self._gaps_upto = index
            self._gaps = self._gaps[self._gaps < index - 1] if index > 0 else self._gaps[:0]
        if index < self._n:
            self._typical_at = min(self._typical_at, self._n)  # re-measure next time

    def level(self, k: int) -> tuple[ValueArray, ValueArray]:
        """(minima, maxima) of the bins of ``2**k`` samples, ``k ≥ FIRST_LEVEL``."""
        self._update_levels(k)
        low, high = self._levels[k - FIRST_LEVEL]
        count = -(-self._n // (1 << k))
        return low[:count], high[:count]

    def _update_levels(self, top: int) -> None:
        n = self._n
        if len(self._levels) <= top - FIRST_LEVEL:
            # a deeper level is needed for the first time: rebuild all (rare: log2(n) times)
            while len(self._levels) <= top - FIRST_LEVEL:
                self._levels.append((np.empty(0, np.float32), np.empty(0, np.float32)))
            self._levels_valid = 0
        valid = self._levels_valid
        if valid >= n:
            return
        source_low: ValueArray = self._y[:n]
        source_high: ValueArray = source_low
        step = 1 << FIRST_LEVEL
        for index in range(len(self._levels)):
            shift = FIRST_LEVEL + index
            count = -(-n // (1 << shift))
            first = valid >> shift  # the first bin whose summary may have changed
            low, high = self._levels[index]
            if low.shape[0] < count:
                size = max(count, self._x.shape[0] >> shift)
                grown_low = np.empty(size, dtype=np.float32)
                grown_high = np.empty(size, dtype=np.float32)
                grown_low[:first] = low[:first]
                grown_high[:first] = high[:first]
                low, high = grown_low, grown_high
                self._levels[index] = (low, high)
            begin = first * step
            starts = np.arange(0, source_low.shape[0] - begin, step)
            low[first:count] = np.minimum.reduceat(source_low[begin:], starts)
            high[first:count] = np.maximum.reduceat(source_high[begin:], starts)
            source_low, source_high = low[:count], high[:count]
            step = 2
        self._levels_valid = n

    # ------------------------------------------------------------------ what is drawn
    def display(self, left: float, right: float, pixels: int,
                scale: float = 1.0) -> tuple[FloatArray, FloatArray]:
        """New (x, y) arrays to draw for the view ``[left, right]`` that is ``pixels`` wide.

        Samples in view plus one on each side. When more than two per pixel are in view, each
        pixel column is drawn as its minimum and maximum (so at most two points per pixel,
        whatever the session length). NaN where the line breaks at a gap; y times ``scale``.
        """
        n = self._n
        if n == 0 or right <= left:
            return np.empty(0), np.empty(0)
        xs = self._x[:n]
        first = max(int(np.searchsorted(xs, left, side="left")) - 1, 0)
        end = min(int(np.searchsorted(xs, right, side="right")) + 1, n)
        if end <= first:
            return np.empty(0), np.empty(0)
        pixels = max(int(pixels), 1)
        count = end - first
        gaps = self.gaps()
        lo = int(np.searchsorted(gaps, first, side="left"))
        hi = int(np.searchsorted(gaps, end - 1, side="left"))
        breaks = gaps[lo:hi]
        if count <= 2 * pixels:
            out_x = xs[first:end].copy()
            out_y = self._y[first:end].astype(np.float64) * scale
            if breaks.size:
                at = breaks - first + 1
                out_x = np.insert(out_x, at, xs[breaks])
                out_y = np.insert(out_y, at, np.nan)
            return out_x, out_y
        k = math.floor(math.log2(count / pixels))  # bins of 2**k samples: ≤ 1 pixel each
        per_pixel = pixels / (right - left)
        # With the same view and only samples added since the last call, every column but the
        # last one drawn is unchanged: start again from that column's first sample.
        key = (left, right, pixels, k, first, self._gap_limit)
        cache = self._drawn
        if cache is not None and cache[0] == key and cache[3] < end:
            _, kept_x, kept_y, start, kept = cache
            prefix: tuple[FloatArray, FloatArray] | None = (kept_x[:kept], kept_y[:kept])
        else:
            start, prefix = first, None
        breaks = breaks[breaks >= start]
        if breaks.size > pixels:  # pathological: more gaps than pixels; break at some only
            breaks = breaks[:: math.ceil(breaks.size / pixels)]
        pieces_x: list[FloatArray] = [] if prefix is None else [prefix[0]]
        pieces_y: list[FloatArray] = [] if prefix is None else [prefix[1]]
        length = 0 if prefix is None else prefix[0].size
        restart, kept = start, length
        for index, stop in enumerate((*(int(b) + 1 for b in breaks), end)):
            if index:  # a new segment: break the line
                pieces_x.append(self._x[start - 1: start].astype(np.float64))
                pieces_y.append(np.full(1, np.nan))
                length += 1
            px, py, restart = self._peaks(start, stop, k, left, per_pixel)
            kept = length + (px.size - 2 if restart > start else 0)
            pieces_x.append(px)
            pieces_y.append(py)
            length += px.size
            start = stop
        out_x = np.concatenate(pieces_x) if len(pieces_x) > 1 else pieces_x[0]
        out_y = np.concatenate(pieces_y) if len(pieces_y) > 1 else pieces_y[0]
        self._drawn = (key, out_x, out_y, restart, kept)
        return out_x, (out_y * scale if scale != 1.0 else out_y)

    def _peaks(self, start: int, stop: int, k: int, left: float,
               per_pixel: float) -> tuple[FloatArray, FloatArray, int]:
        """Min and max of each pixel column over samples [start, stop), as two points at the
        middle of the column's samples, and the first sample of the last column. Bins of
        ``2**k`` samples (from the pyramid where it has them) are gathered into the column
        their first sample falls in."""
        xs = self._x
        ys = self._y
        size = 1 << k
        # Bins are aligned to multiples of 2**k samples (a partial one at each end), whichever
        # way they are computed, so drawing again from any column start gives the same bins.
        head = -(-start // size)
        tail = stop // size
        if k < FIRST_LEVEL or tail - head < 4:
            firsts = np.arange(head * size, stop, size)
            if firsts.size == 0 or firsts[0] > start:
                firsts = np.concatenate((np.array([start]), firsts))
            lows = np.minimum.reduceat(ys[start:stop], firsts - start)
            highs = np.maximum.reduceat(ys[start:stop], firsts - start)
        else:
            # whole cached bins inside [start, stop), raw bins for the partial ends
            level_low, level_high = self.level(k)
            firsts_list: list[IntArray] = []
            lows_list: list[npt.NDArray[np.floating]] = []
            highs_list: list[npt.NDArray[np.floating]] = []
            if head * size > start:
                firsts_list.append(np.array([start], dtype=np.int64))
                lows_list.append(np.array([ys[start: head * size].min()]))
                highs_list.append(np.array([ys[start: head * size].max()]))
            firsts_list.append(np.arange(head, tail, dtype=np.int64) * size)
            lows_list.append(level_low[head:tail])
            highs_list.append(level_high[head:tail])
            if tail * size < stop:
                firsts_list.append(np.array([tail * size], dtype=np.int64))
                lows_list.append(np.array([ys[tail * size: stop].min()]))
                highs_list.append(np.array([ys[tail * size: stop].max()]))
            firsts = np.concatenate(firsts_list)
            lows = np.concatenate(lows_list)
            highs = np.concatenate(highs_list)
        # gather the bins into pixel columns
        column = np.floor((xs[firsts] - left) * per_pixel)
        groups = np.flatnonzero(np.diff(column)) + 1
        groups = np.concatenate((np.zeros(1, dtype=np.int64), groups))
        if groups.size < firsts.size:
            lows = np.minimum.reduceat(lows, groups)
            highs = np.maximum.reduceat(highs, groups)
            firsts = firsts[groups]
        lasts = np.empty_like(firsts)
        lasts[:-1] = firsts[1:] - 1
        lasts[-1] = stop - 1
        middle = (xs[firsts] + xs[lasts]) * 0.5
        out_x = np.repeat(middle, 2)
        out_y = np.empty(out_x.shape[0], dtype=np.float64)
        out_y[0::2] = lows
        out_y[1::2] = highs
        return out_x, out_y, int(firsts[-1])

    # ------------------------------------------------------------------ storage
    def _grow(self, needed: int) -> None:
        current = self._x.shape[0]
        capacity = max(needed, current + max(GROW_BY, current // 8))
        names = ("_x", "_y") if self._ids is None else ("_x", "_y", "_ids")
        for name in names:
            old = getattr(self, name)
            new = np.empty(capacity, dtype=old.dtype)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)
