"""Inline inspection: run a sample through the built model once and show every card's output.

``ed.inspect(sample)`` uses ``ed.model`` as it is (after ``model.fit`` the trained network's
outputs show), building first when there is no model or the graph changed since the last build.
One forward pass of a "capture" model -- ``keras.Model(model.inputs, [output of every card's
layer])``, made once per model -- gives every card's output (``ed.outputs``). Each card then gets
``card.preview``: shape, dtype, min / mean / max / std, the share of zeros, and two pictures as
data URIs (``image`` small for the card, ``image_large`` for the inspector). The pictures fit the
tensor: a histogram of the values for any tensor, a heatmap of (features x steps) for a
sequence output such as an Embedding's, a grid of channel maps for a Conv2D-like (H, W, C) output
(both of the first sample of the batch). PNGs are written by the tiny encoder below (numpy + zlib,
indexed colour).

Previews are made when something asks for them, not by ``inspect``: the inspection leaves each
card a *pending* preview (shape, dtype and kind, ``"pending": true``) and keeps its output. A
view asks for the cards it shows (the ``previews`` request: cards on screen and in the
inspector); reading ``card.preview`` in Python makes every pending preview. Either way, the
previews asked for together are made in bulk (``previews()``) and published in one message.

Any change of the graph afterwards marks the previews stale (``card.stale``): the model they came
from no longer matches the graph. The next ``inspect`` (or, with ``live=True``, an automatic
re-run after each cell / change) refreshes them.
"""

from __future__ import annotations

import base64
import logging
import struct
import warnings
import zlib
from collections.abc import Mapping

import numpy as np

from ._after_cell import AfterCell
from .builder import shape_text
from .errors import NNCardsError

__all__ = ["Inspector", "InspectionError", "Outputs", "preview", "previews", "pending_preview",
           "encode_png"]

log = logging.getLogger(__name__)


class InspectionError(NNCardsError, ValueError):
    """A sample that does not fit the network's Input cards (names the card and both shapes)."""


# -- PNG -----------------------------------------------------------------------------------------

def _viridis(n=254) -> np.ndarray:
    stops = np.array([0.0, 0.13, 0.25, 0.38, 0.5, 0.63, 0.75, 0.88, 1.0])
    rgb = np.array([[68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
                    [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]], float)
    x = np.linspace(0, 1, n)
    return np.stack([np.interp(x, stops, rgb[:, i]) for i in range(3)], 1).round().astype(np.uint8)


N_COLORS = 254  # palette 0..253: viridis, 254: background, 255: bars
BACKGROUND, BAR = 254, 255
_PALETTE = np.vstack([_viridis(N_COLORS), [[255, 255, 255], [76, 114, 176]]]).astype(np.uint8)
_PLTE = _PALETTE.tobytes()
_PLTE_BARS = _PALETTE[[BACKGROUND, BAR]].tobytes()  # 1-bit histograms: 0 background, 1 bar


def _chunk(tag: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + tag + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))


def _png(rows: np.ndarray, width: int, depth: int, palette: bytes) -> bytes:
    """A PNG of ``rows`` (h x bytes per row, uint8: pixels packed at ``depth`` bits each)."""
    h = rows.shape[0]
    raw = np.zeros((h, rows.shape[1] + 1), np.uint8)  # filter type 0 (None) at each row's start
    raw[:, 1:] = rows
    return (b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, h, depth, 3, 0, 0, 0))
            + _chunk(b"PLTE", palette)
            + _chunk(b"IDAT", zlib.compress(raw.tobytes(), 1))
            + _chunk(b"IEND", b""))


def encode_png(indexed: np.ndarray, palette: bytes = _PLTE) -> bytes:
    """An 8-bit indexed-colour PNG of a 2-D uint8 array of palette indices."""
    return _png(indexed, indexed.shape[1], 8, palette)


def _uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _data_uri(indexed: np.ndarray) -> str:
    return _uri(encode_png(indexed))


# -- pictures ------------------------------------------------------------------------------------

SMALL = (48, 96)  # height, width
LARGE = (160, 320)
BINS = 64  # histogram bins of the large picture; the small one joins them in pairs
HISTOGRAM_SAMPLE = 4096  # a histogram reads at most about this many values, evenly spaced


def _levels(m: np.ndarray) -> np.ndarray:
    """Palette indices 0..253 for a 2-D array, scaled to its own min..max."""
    m = np.nan_to_num(m.astype(np.float32, copy=False))
    lo, hi = float(m.min()), float(m.max())
    if hi <= lo:
        return np.full(m.shape, N_COLORS // 2, np.uint8)
    return ((m - lo) * ((N_COLORS - 1) / (hi - lo))).astype(np.uint8)


def _resample(m: np.ndarray, h: int, w: int) -> np.ndarray:
    """Nearest-neighbour resize of a 2-D array to h x w."""
    rows = np.arange(h) * m.shape[0] // h
    cols = np.arange(w) * m.shape[1] // w
    return m[rows[:, None], cols[None, :]]


def _bar_bits(counts: np.ndarray, size) -> np.ndarray:
    """Bar charts of histograms as 1-bit pixels, 8 a byte (n, h, ceil(w / 8)) for (n, bins)
    counts. Each bar is as high as its count relative to the highest of its own histogram; a
    non-empty bin shows at least one pixel; one background column between bars when there is
    room. Made per bin and spread onto the columns' bits by a small matrix product."""
    h, w = size
    n, bins = counts.shape
    top = counts.max(axis=1, keepdims=True)
    heights = np.ceil(counts / np.maximum(top, 1) * (h - 2))
    lit = (heights[:, None, :] > np.arange(h - 1, -1, -1)[None, :, None]).astype(np.float32)
    col = np.arange(w)
    col_bin = col * bins // w
    gap = np.r_[np.diff(col_bin) != 0, True] & (w >= 2 * bins)
    spread = np.zeros((bins, (w + 7) // 8), np.float32)  # bin -> the bits of its columns
    np.add.at(spread, (col_bin[~gap], col[~gap] // 8), 2.0 ** (7 - col[~gap] % 8))
    # one small product per image (a single large one would start BLAS threads)
    return np.matmul(lit, spread).astype(np.uint8)


def _uris(files: np.ndarray, mime: str) -> list[str]:
    """Data URIs of equally long files, the rows of a uint8 array: encoded in one call when
    their length is a multiple of 3 (each file's base64 is then a slice of the whole)."""
    n, size = files.shape
    prefix = f"data:{mime};base64,"
    if size % 3:
        return [prefix + base64.b64encode(f).decode("ascii") for f in files]
    text = base64.b64encode(files).decode("ascii")
    k = size // 3 * 4
    return [prefix + text[i * k:(i + 1) * k] for i in range(n)]


def _histogram_pngs(counts: np.ndarray, size) -> list[str]:
    """One 1-bit PNG data URI per histogram (row of ``counts``), all made at once: the bars as
    bits, stored without compression (a few hundred bytes), so that every file has the same
    layout and only the pixels, the Adler-32 and the CRC differ."""
    h, w = size
    n, stride = len(counts), (w + 7) // 8
    raw_size = h * (stride + 1)  # each row starts with its filter type, 0 (None)
    head = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 1, 3, 0, 0, 0))
            + _chunk(b"PLTE", _PLTE_BARS)
            + struct.pack(">I", raw_size + 11) + b"IDAT"
            + b"\x78\x01" + struct.pack("<BHH", 1, raw_size, raw_size ^ 0xFFFF))  # stored block
    tail = _chunk(b"IEND", b"")
    files = np.zeros((n, len(head) + raw_size + 8 + len(tail)), np.uint8)
    files[:, :len(head)] = np.frombuffer(head, np.uint8)
    files[:, len(files[0]) - len(tail):] = np.frombuffer(tail, np.uint8)
    raw = files[:, len(head):len(head) + raw_size].reshape(n, h, stride + 1)
    raw[:, :, 1:] = _bar_bits(counts, size)
    # Adler-32 of the pixels (RFC 1950), for all files at once
    data = files[:, len(head):len(head) + raw_size].astype(np.int64)
    a = (1 + data.sum(axis=1)) % 65521
    b = (raw_size + data @ np.arange(raw_size, 0, -1, dtype=np.int64)) % 65521
    end = len(head) + raw_size
    files[:, end:end + 4] = ((b << 16) | a).astype(">u4").view(np.uint8).reshape(n, 4)
    start = len(head) - 7  # the CRC covers the IDAT data: the zlib stream from its header
    crc = [zlib.crc32(f[start:end + 4], _IDAT_CRC) for f in files]
    files[:, end + 4:end + 8] = np.array(crc, ">u4").view(np.uint8).reshape(n, 4)
    return _uris(files, "image/png")


_IDAT_CRC = zlib.crc32(b"IDAT")
_BAR_COLOR = "#%02x%02x%02x" % tuple(_PALETTE[BAR])


def _histogram_svgs(counts: np.ndarray, size) -> list[str]:
    """One SVG data URI per histogram (row of ``counts``): the same bar chart as the PNG of
    ``_histogram_pngs``, one stroke per bar (the inspector's large picture). Every file has
    the same text but the bars' heights, written as three digits (an empty bin's bar has
    length 000 and shows nothing), so all of them are made at once."""
    h, w = size
    bins = counts.shape[1]
    pitch = w // bins
    bar = pitch - 1 if pitch >= 2 else pitch
    top = np.maximum(counts.max(axis=1, keepdims=True), 1)
    heights = np.ceil(counts / top * (h - 2)).astype(np.int64)
    text = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}"><rect width="{w}" height="{h}" fill="#ffffff"/>'
            f'<path stroke="{_BAR_COLOR}" stroke-width="{bar}" d="')
    digits = []
    for i in range(bins):
        text += f"M{i * pitch + bar / 2:g} {h}v-"
        digits.append(len(text))
        text += "000"
    text += '"/></svg>'
    text += " " * (-len(text) % 3)  # whitespace after the root element: encoded in one call
    files = np.tile(np.frombuffer(text.encode(), np.uint8), (len(counts), 1))
    at = np.array(digits)
    for place, scale in enumerate((100, 10, 1)):
        files[:, at + place] = heights // scale % 10 + ord("0")
    return _uris(files, "image/svg+xml")


def _heatmap_image(m: np.ndarray, size) -> np.ndarray:
    """Rows = features, columns = steps of the sequence."""
    return _resample(_levels(m.T), *size)


def _channels_image(x: np.ndarray, size, max_channels: int) -> np.ndarray:
    h, w = size
    n = min(x.shape[-1], max_channels)
    cols = int(np.ceil(np.sqrt(n * w / h)))
    cols = max(1, min(cols, n))
    rows = int(np.ceil(n / cols))
    ch, cw = (h - (rows - 1)) // rows, (w - (cols - 1)) // cols
    img = np.full((h, w), BACKGROUND, np.uint8)
    if ch < 1 or cw < 1:
        return img
    for i in range(n):
        r, c = divmod(i, cols)
        y, xx = r * (ch + 1), c * (cw + 1)
        img[y:y + ch, xx:xx + cw] = _resample(_levels(x[..., i]), ch, cw)
    return img


def _kind(a: np.ndarray) -> str:
    """Which picture fits an output: a heatmap of a sequence, a channel grid of feature maps,
    otherwise a histogram of the values."""
    if a.ndim == 3 and a.shape[1] > 1:
        return "heatmap"
    if a.ndim == 4:
        return "channels"
    return "histogram"


def _numeric(a: np.ndarray) -> bool:
    return a.size > 0 and a.dtype.kind in "biufc"  # booleans and numbers


def _statistics(values: np.ndarray) -> dict:
    """min / mean / max / std and the histogram (``counts``, BINS bins over min..max, at most
    about HISTOGRAM_SAMPLE values read) of a 1-D float32 array, NaN and infinities left out.
    One output at a time: what ``_bulk_statistics`` falls back to for an output with NaN or
    infinities."""
    values = values[np.isfinite(values)]
    if not values.size:
        return {"min": None, "mean": None, "max": None, "std": None,
                "counts": np.zeros(BINS, np.int64)}
    lo, hi = values.min(), values.max()
    mean = values.mean(dtype=np.float64)
    dev = values - np.float32(mean)  # the deviations: no cancellation when the mean is large
    std = np.sqrt(max(float(np.dot(dev, dev)) / values.size, 0.0))
    sample = values[:: values.size // HISTOGRAM_SAMPLE + 1]
    a, b = _range(float(lo), float(hi))
    counts = np.bincount(_bins(sample, np.float32(a), np.float32(BINS / (b - a))),
                         minlength=BINS)
    return {"min": float(lo), "mean": float(mean), "max": float(hi), "std": float(std),
            "counts": counts}


def _range(lo, hi):
    """The histogram's range: min..max, or one unit around a constant."""
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def _bins(x: np.ndarray, a, scale) -> np.ndarray:
    """Bin indices 0..BINS-1 of values in a..b (``scale`` = BINS / (b - a), per value or one);
    the top value goes into the last bin."""
    k = ((x - a) * scale).astype(np.intp)
    np.minimum(k, BINS - 1, out=k)
    return k


CHUNK = 32768  # values stacked at once: arrays that stay in the CPU cache and need no new pages


def _bulk_statistics(flats: list) -> dict:
    """The statistics of many outputs (1-D float32 arrays) at once. Outputs of one size are
    stacked into rows (a few at a time, ``CHUNK`` values), so numpy's calls are per few outputs,
    not per output: min, max, the zero count, a float32 pairwise mean, the std from the
    deviations (no cancellation when the mean is large; one dot product per row), and the
    histograms (``counts``, n x BINS) from one ``bincount`` over an evenly spaced sample of at
    most about HISTOGRAM_SAMPLE values of each output. Per output: ``min`` ... ``std`` (None
    when it has no finite value) and ``zeros`` (a share); outputs with NaN or infinities go
    through ``_statistics`` one by one."""
    n = len(flats)
    lo, hi, mean, std, zeros = (np.empty(n, np.float32) for _ in range(5))
    counts = np.zeros((n, BINS), np.int64)
    groups: dict = {}
    for i, f in enumerate(flats):
        groups.setdefault(f.size, []).append(i)
    bad = []
    for size, members in groups.items():
        step = max(1, CHUNK // size)
        for c in range(0, len(members), step):
            rows = members[c:c + step]
            x = flats[rows[0]][None] if len(rows) == 1 else np.stack([flats[i] for i in rows])
            bad += _rows_statistics(x, rows, lo, hi, mean, std, zeros, counts)
    stats = {"min": lo.tolist(), "max": hi.tolist(), "mean": mean.tolist(), "std": std.tolist(),
             "zeros": zeros.tolist(), "counts": counts}
    for i in bad:  # NaN or infinities: left out, one output at a time
        one = _statistics(flats[i])
        for key in ("min", "max", "mean", "std"):
            stats[key][i] = one[key]
        counts[i] = one["counts"]
    return stats


def _rows_statistics(x, rows, lo, hi, mean, std, zeros, counts) -> list:
    """``_bulk_statistics`` of the outputs stacked in ``x`` (one per row), written at ``rows``;
    returns the rows with NaN or infinities."""
    size = x.shape[1]
    r_lo, r_hi, r_mean = x.min(axis=1), x.max(axis=1), x.mean(axis=1)
    dev = x - r_mean[:, None]
    ss = np.matmul(dev[:, None, :], dev[:, :, None]).reshape(-1)
    lo[rows], hi[rows], mean[rows] = r_lo, r_hi, r_mean
    std[rows] = np.sqrt(np.maximum(ss / size, 0))
    zeros[rows] = (x == 0).view(np.uint8).sum(axis=1, dtype=np.int32) / size
    good = np.isfinite(r_lo) & np.isfinite(r_hi)
    bad = []
    if not good.all():
        bad = [i for i, ok in zip(rows, good, strict=True) if not ok]
        x, r_lo, r_hi, rows = x[good], r_lo[good], r_hi[good], np.asarray(rows)[good]
        if not len(rows):
            return bad
    a = np.where(r_hi > r_lo, r_lo, r_lo - np.float32(0.5))
    b = np.where(r_hi > r_lo, r_hi, r_hi + np.float32(0.5))
    scale = (BINS / (b.astype(np.float64) - a)).astype(np.float32)
    k = _bins(x[:, :: size // HISTOGRAM_SAMPLE + 1], a[:, None], scale[:, None])
    k += (np.arange(len(rows)) * BINS)[:, None]
    counts[rows] = np.bincount(k.reshape(-1), minlength=len(rows) * BINS).reshape(-1, BINS)
    return bad


def _flat(a: np.ndarray) -> np.ndarray:
    flat = a.reshape(-1)
    return flat if flat.dtype == np.float32 else flat.astype(np.float32)


def _header(a: np.ndarray) -> dict:
    """The part of a preview known without reading the values: shape, dtype, picture kind."""
    numeric = _numeric(a)
    return {"shape": list(a.shape), "dtype": a.dtype.name if numeric else str(a.dtype),
            "kind": _kind(a) if numeric else "histogram"}


def pending_preview(array) -> dict:
    """What a card shows of an output whose preview is not made yet: shape, dtype and the kind
    of picture it will get, with ``"pending": True``."""
    return {**_header(np.asarray(array)), "pending": True}


def preview(array) -> dict:
    """The ``card.preview`` dict for one card's output array (batch first)."""
    return previews([array])[0]


def previews(arrays) -> list[dict]:
    """``preview`` of many outputs (batch first), as one inspection makes them: the statistics
    of all outputs together (``_bulk_statistics``), the histogram pictures of all outputs drawn
    together (small: one 1-bit PNG each, large: one SVG each); a heatmap for a sequence output,
    a channel grid for feature maps (first sample)."""
    arrays = [np.asarray(a) for a in arrays]
    infos, numeric = [], []
    for a in arrays:
        info = _header(a)
        infos.append(info)
        if _numeric(a):
            numeric.append(len(infos) - 1)
        else:
            info.update(min=None, mean=None, max=None, std=None, zeros=None, image="",
                        image_large="")
    if not numeric:
        return infos
    stats = _bulk_statistics([_flat(arrays[i]) for i in numeric])
    bars = []
    for j, i in enumerate(numeric):
        info = infos[i]
        for key in ("min", "mean", "max", "std", "zeros"):
            info[key] = stats[key][j]
        if info["kind"] == "histogram":
            bars.append(j)
            continue
        first = arrays[i][0].astype(np.float32, copy=False)
        if info["kind"] == "heatmap":
            small, large = _heatmap_image(first, SMALL), _heatmap_image(first, LARGE)
        else:
            small, large = _channels_image(first, SMALL, 8), _channels_image(first, LARGE, 32)
        info.update(image=_data_uri(small), image_large=_data_uri(large))
    if bars:
        counts = stats["counts"][bars]
        small = _histogram_pngs(counts.reshape(len(bars), BINS // 2, 2).sum(2), SMALL)
        large = _histogram_svgs(counts, LARGE)
        for j, s, big in zip(bars, small, large, strict=True):
            infos[numeric[j]].update(image=s, image_large=big)
    return infos


# -- outputs -------------------------------------------------------------------------------------

class Outputs(Mapping):
    """``ed.outputs``: each card's output array from the last ``inspect``, by card name."""

    def __init__(self, arrays: dict | None = None):
        self._arrays = dict(arrays or {})

    def __getitem__(self, name):
        name = getattr(name, "name", name)  # a Card works too
        try:
            return self._arrays[name]
        except KeyError:
            if not self._arrays:
                raise KeyError(f"No outputs yet: call ed.inspect(sample) first (asked for "
                               f"{name!r})") from None
            raise KeyError(f"No output for card {name!r} in the last inspect(); cards with an "
                           f"output: {', '.join(map(repr, self._arrays))}") from None

    def __iter__(self):
        return iter(self._arrays)

    def __len__(self):
        return len(self._arrays)

    def __repr__(self):
        items = ", ".join(f"{k!r}: {tuple(v.shape)}" for k, v in self._arrays.items())
        return f"Outputs({{{items}}})"


# -- the inspector -------------------------------------------------------------------------------

class Inspector:
    """Runs inspections for one ``NetworkEditor`` and keeps its previews' staleness."""

    def __init__(self, editor):
        self.editor = editor
        self.outputs = Outputs()
        self.sample = None
        self.live = False
        #: the message of the last failed automatic (live) refresh, "" when it worked
        self.last_error = ""
        self._fresh: set = set()  # uids whose preview is up to date
        self._shown: set = set()  # uids showing a preview (fresh or stale)
        self._pending: dict = {}  # uid -> output array whose preview is not made yet
        self._capture = (None, None, None)  # (model, capture model, [(uid, card name)])
        self._after_cell = AfterCell(self._live_refresh, "live inspection")
        editor.graph_model.on_change(self._on_change)

    # -- staleness / live -------------------------------------------------------------------------
    def _on_change(self, event):
        if event.kind == "move":
            return
        if self._fresh:
            self.editor.publish_many({uid: {"stale": True} for uid in self._fresh})
        self._fresh.clear()
        if self.live:
            self._schedule_live()

    def _schedule_live(self):
        self._after_cell.request(self.editor.live_shapes.mode)

    def _live_refresh(self):
        if not self.live or self.sample is None:
            return
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.run(self.sample, quiet=True)
            self.last_error = ""
        except Exception as exc:  # an unfinished graph: previews stay stale until it builds
            self.last_error = str(exc)
            log.debug("live inspection skipped: %s", exc)

    # -- inspecting -------------------------------------------------------------------------------
    def inspect(self, sample, live: bool = False):
        self.live = bool(live)
        self.sample = sample
        return self.run(sample)

    def _model(self, quiet=False):
        ed = self.editor
        shapes = ed.live_shapes
        shapes.refresh()
        model = ed.model
        if model is None:
            return ed.build()
        if model is shapes.last_model and shapes.built_version != shapes.version:
            if not quiet:
                warnings.warn("The graph changed since the last build(): inspect() builds the "
                              "network again (ed.model is replaced). Cards whose parameters "
                              "and input shapes did not change keep their weights; the others "
                              "start from fresh ones.", UserWarning, stacklevel=4)
            return ed.build()
        return model

    def _capture_model(self, model):
        import keras

        if self._capture[0] is model:
            return self._capture[1], self._capture[2]
        shapes = self.editor.live_shapes
        known = shapes.last_tensors if model is shapes.last_model else {}
        cards, tensors = [], []
        for card in self.editor.cards:
            out = known.get(card.uid) if known else _layer_output(model, card.name)
            if out is None:
                continue  # not in the model: a wrapped layer, an initializer, a dangling card
            cards.append((card.uid, card.name))
            tensors.append(out)
        capture = keras.Model(model.inputs, tensors, name=f"{model.name}_capture")
        self._capture = (model, capture, cards)
        return capture, cards

    def feed(self, model, sample) -> dict:
        """The sample as ``{input name: array}``, checked against the model's Input cards."""
        inputs = list(model.inputs)
        names = [t.name for t in inputs]
        if isinstance(sample, Mapping):
            unknown = [k for k in sample if k not in names]
            if unknown:
                raise InspectionError(f"The sample has entries {', '.join(map(repr, unknown))} "
                                      f"that are not Input cards of the network; its Input cards "
                                      f"are: {', '.join(map(repr, names))}")
            missing = [n for n in names if n not in sample]
            if missing:
                raise InspectionError(f"The sample has no array for Input card"
                                      f"{'s' if len(missing) > 1 else ''} "
                                      f"{', '.join(map(repr, missing))}: pass a dict with one "
                                      f"array per Input card ({', '.join(map(repr, names))})")
            arrays = {n: sample[n] for n in names}
        else:
            if len(names) != 1:
                raise InspectionError(f"The network has {len(names)} Input cards "
                                      f"({', '.join(map(repr, names))}): pass the sample as a dict "
                                      f"with one array per Input card name")
            arrays = {names[0]: sample}
        feed, batch = {}, None
        for t in inputs:
            a = np.asarray(arrays[t.name])
            expected = tuple(t.shape)
            want = "(" + ", ".join("batch" if i == 0 else ("any" if d is None else str(d))
                                   for i, d in enumerate(expected)) + ")"
            ok = a.ndim == len(expected) and all(
                d is None or d == s for d, s in zip(expected[1:], a.shape[1:], strict=True))
            if not ok:
                hint = ""
                if a.ndim == len(expected) - 1:
                    hint = " (a single example? add the batch axis: sample[None])"
                raise InspectionError(f"The sample for Input card '{t.name}' has shape "
                                      f"{tuple(a.shape)}, but the card expects {want}, i.e. "
                                      f"{shape_text(expected)} with the batch first{hint}")
            if batch is not None and a.shape[0] != batch:
                raise InspectionError(f"The sample arrays have different batch sizes: "
                                      f"'{t.name}' has {a.shape[0]}, another input {batch}")
            batch = a.shape[0]
            if a.dtype == np.float64:
                a = a.astype(np.float32)
            feed[t.name] = a
        return feed

    def run(self, sample, quiet=False):
        model = self._model(quiet=quiet)
        feed = self.feed(model, sample)
        capture, cards = self._capture_model(model)
        arrays = capture.predict_on_batch(feed)
        if not isinstance(arrays, (list, tuple)):
            arrays = [arrays]
        outputs, shown = {}, {}
        present = self.editor.graph_model.cards
        for (uid, name), arr in zip(cards, arrays, strict=True):
            arr = np.asarray(arr)
            outputs[name] = arr
            if uid in present:
                shown[uid] = arr
        # previews are made when asked for (make()); until then a card shows what is known
        published = {uid: {"preview": pending_preview(a), "stale": False}
                     for uid, a in shown.items()}
        for uid in self._shown - shown.keys():  # cards no longer in the model show nothing
            published[uid] = {"preview": {}, "stale": False}
        self._set_pending({})
        self.editor.publish_many(published)
        self._set_pending(shown)
        self._fresh, self._shown = set(shown), set(shown)
        self.outputs = Outputs(outputs)
        return self.outputs

    # -- previews, made when asked for ------------------------------------------------------------
    def _set_pending(self, arrays: dict) -> None:
        """Cards whose preview is still to be made from these outputs; reading their
        ``preview`` in Python makes it (``Card.preview`` calls ``made_on_read``)."""
        for uid in self._pending.keys() - arrays.keys():
            self._hook(uid, None)
        for uid in arrays.keys() - self._pending.keys():
            self._hook(uid, self)
        self._pending = dict(arrays)

    def _hook(self, uid, maker) -> None:
        widget = self.editor.card_widget(uid)
        if widget is not None:
            widget._preview_maker = maker

    def made_on_read(self, card) -> None:
        """``card.preview`` was read in Python: make every pending preview (in bulk: a loop
        over the cards makes them once)."""
        card._preview_maker = None
        self.make(list(self._pending))

    def make(self, uids) -> int:
        """Make the pending previews of these cards (a view's ``previews`` request, a read in
        Python) together, and publish them in one message; returns how many were made. Cards
        without a pending preview are left as they are."""
        todo = {uid: self._pending[uid] for uid in uids
                if uid in self._pending and self.editor.card_widget(uid) is not None}
        if not todo:
            return 0
        self._set_pending({u: a for u, a in self._pending.items() if u not in todo})
        made = previews(list(todo.values()))
        self.editor.publish_many({uid: {"preview": pv} for uid, pv in zip(todo, made, strict=True)})
        return len(todo)


def _layer_output(model, name):
    """The output tensor of layer ``name`` of a model not built by the editor (or None)."""
    try:
        out = model.get_layer(name).output
    except (AttributeError, ValueError):
        if name in getattr(model, "output_names", ()):
            return model.outputs[model.output_names.index(name)]
        return None
    return out[0] if isinstance(out, (list, tuple)) else out
