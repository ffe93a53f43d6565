"""A chart channel's buffer: what is drawn is the data in view, peak-decimated, broken at gaps."""

from __future__ import annotations

import numpy as np
import pytest

from console.ui.charts import SeriesBuffer


def _filled(x: np.ndarray, y: np.ndarray) -> SeriesBuffer:
    buffer = SeriesBuffer(16)
    buffer.extend(x, y)
    return buffer


def _columns(x: np.ndarray, left: float, right: float, pixels: int) -> np.ndarray:
    return np.floor((x - left) * pixels / (right - left))


@pytest.mark.parametrize(("left", "right", "pixels"), [
    (0, 43_200, 900), (-50, 44_000, 613), (1_000, 9_000, 700), (20_000, 23_600, 900),
    (100, 2_000, 300),
])
def test_every_pixel_column_keeps_its_minimum_and_maximum(left: float, right: float,
                                                         pixels: int) -> None:
    rng = np.random.default_rng(5)
    x = np.arange(43_200, dtype=np.float64)
    y = np.round(80 + np.cumsum(rng.normal(0, 1, x.size)))
    buffer = _filled(x, y)
    drawn_x, drawn_y = buffer.display(left, right, pixels)
    assert np.isfinite(drawn_y).all()  # no gaps in this series
    assert drawn_x.size <= 2 * pixels + 4
    assert np.all(np.diff(drawn_x) >= 0)
    inside = (x >= left) & (x <= right)
    assert drawn_y.min() <= y[inside].min()
    assert drawn_y.max() >= y[inside].max()
    # Every sample's extreme is drawn within a pixel of where it is, and nothing is drawn
    # that is not a sample there (bins of samples are at most a pixel wide).
    if inside.sum() > 2 * pixels:
        columns = _columns(x[inside], left, right, pixels)
        drawn_columns = _columns(drawn_x, left, right, pixels)
        for column in np.unique(columns)[1:-1:7]:
            samples = y[inside][np.abs(columns - column) <= 1]
            near = drawn_y[np.abs(drawn_columns - column) <= 1]
            here = y[inside][columns == column]
            assert near.min() <= here.min()
            assert near.max() >= here.max()
            drawn_here = drawn_y[drawn_columns == column]
            if drawn_here.size:
                assert samples.min() <= drawn_here.min()
                assert drawn_here.max() <= samples.max()


def test_the_drawn_size_does_not_grow_with_the_session() -> None:
    rng = np.random.default_rng(2)
    sizes = []
    for hours in (1, 4, 12, 24):
        x = np.arange(hours * 3600, dtype=np.float64)
        buffer = _filled(x, np.round(97 + rng.normal(0, 1, x.size)))
        drawn_x, _ = buffer.display(0, x[-1] * 1.02, 850)
        sizes.append(drawn_x.size)
    assert max(sizes[1:]) <= 2 * 850
    assert max(sizes[1:]) - min(sizes[1:]) <= 0.1 * 850


def test_one_sample_spikes_survive_every_zoom_level() -> None:
    x = np.arange(43_200, dtype=np.float64)
    y = np.full(x.size, 97.0)
    y[31_337] = 71.0
    y[12_345] = 100.0
    buffer = _filled(x, y)
    for left, right, pixels in ((0, 44_000, 400), (0, 44_000, 1_600), (30_000, 33_000, 200),
                                (31_000, 31_400, 900)):
        _, drawn = buffer.display(left, right, pixels)
        assert 71.0 in drawn
    _, drawn = buffer.display(0, 44_000, 400)
    assert 100.0 in drawn


def test_the_pyramid_follows_appends_inserts_and_removals() -> None:
    rng = np.random.default_rng(8)
    buffer = SeriesBuffer(8)
    xs: list[float] = []
    ys: list[float] = []
    for i in range(6_000):
        value = float(rng.integers(50, 150))
        buffer.append(float(i), value, ident=i)
        xs.append(float(i))
        ys.append(value)
        if i % 1_500 == 0:
            buffer.display(0, 6_000, 100)  # builds the pyramid part way through
    buffer.append(2_500.5, 10.0)  # a late entry, far below everything else
    buffer.display(0, 6_000, 100)
    buffer.remove_ids(4_000)
    buffer.append(3_000.25, 200.0)
    expected_x = np.array([*xs, 2_500.5, 3_000.25])
    expected_y = np.array([*ys, 10.0, 200.0])
    keep = expected_x != 4_000.0
    order = np.argsort(expected_x[keep], kind="stable")
    np.testing.assert_array_equal(buffer.x, expected_x[keep][order])
    np.testing.assert_array_equal(buffer.y, expected_y[keep][order])
    _, drawn = buffer.display(0, 6_000, 100)
    assert drawn.min() == 10.0
    assert drawn.max() == 200.0
    for k in (3, 4, 6):
        low, high = buffer.level(k)
        bins = -(-len(buffer) // (1 << k))
        padded = np.full(bins << k, np.nan)
        padded[: len(buffer)] = buffer.y
        np.testing.assert_array_equal(low, np.nanmin(padded.reshape(bins, -1), axis=1))
        np.testing.assert_array_equal(high, np.nanmax(padded.reshape(bins, -1), axis=1))


def test_a_device_dropout_breaks_the_line() -> None:
    x = np.concatenate((np.arange(0, 3_600.0), np.arange(4_200.0, 7_200.0)))  # 10 min lost
    buffer = _filled(x, np.full(x.size, 80.0))
    assert buffer.gap_limit() == 30.0  # 3 × 1 s, but never under 30 s
    for pixels in (300, 5_000):  # decimated and raw
        drawn_x, drawn_y = buffer.display(0, 7_200, pixels)
        breaks = np.flatnonzero(np.isnan(drawn_y))
        assert breaks.size == 1
        assert drawn_x[breaks[0] - 1] <= 3_599 < 4_200 <= drawn_x[breaks[0] + 1]


def test_manual_readings_every_fifteen_minutes_stay_joined() -> None:
    x = np.arange(0, 4 * 3600.0, 900.0)
    buffer = _filled(x, np.arange(x.size, dtype=np.float64))
    assert buffer.gap_limit() == 2_700.0  # 3 × 15 min
    _, drawn_y = buffer.display(0, 4 * 3600, 900)
    assert np.isfinite(drawn_y).all()
    buffer.append(4 * 3600 + 3_600.0, 1.0)  # an hour without a reading
    _, drawn_y = buffer.display(0, 6 * 3600, 900)
    assert np.isnan(drawn_y).sum() == 1


def test_set_ids_are_kept_only_once_given() -> None:
    buffer = SeriesBuffer(4)
    buffer.extend([0.0, 1.0], [5.0, 6.0])
    assert list(buffer.ids) == [-1, -1]
    buffer.append(2.0, 7.0, ident=42)
    buffer.append(1.5, 9.0, ident=43)
    assert list(buffer.ids) == [-1, -1, 43, 42]
    assert buffer.remove_ids(42) == 1
    assert buffer.remove_ids(42) == 0
    assert list(buffer.x) == [0.0, 1.0, 1.5]


def test_drawing_again_after_appends_equals_drawing_from_scratch() -> None:
    """The drawn form is reused from the last call when samples were only appended."""
    rng = np.random.default_rng(4)
    for _ in range(6):
        buffer = SeriesBuffer(16)
        steps = np.where(rng.random(20_000) > 0.0005, 1.0, rng.integers(40, 400, 20_000))
        buffer.extend(np.cumsum(steps), rng.integers(50, 150, 20_000))
        left = float(rng.uniform(-100, 5_000))
        right = float(buffer.x[-1] + rng.uniform(100, 5_000))
        pixels = int(rng.integers(100, 1_200))
        buffer.display(left, right, pixels)
        t = float(buffer.x[-1])
        for step in range(120):
            t += 1.0 if rng.random() > 0.02 else float(rng.integers(40, 400))
            buffer.append(t, float(rng.integers(50, 150)))
            if step % 6 == 0:
                again = buffer.display(left, right, pixels)
                buffer._drawn = None  # forget the last drawing
                scratch = buffer.display(left, right, pixels)
                np.testing.assert_array_equal(again[0], scratch[0])
                np.testing.assert_array_equal(again[1], scratch[1])
