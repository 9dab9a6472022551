"""Inline inspection: run a sample through the built model once and show every card's output.

``ed.inspect(sample)`` uses ``ed.model`` as it is (after ``model.fit`` the trained network's
outputs show), building first when there is no model or the graph changed since the last build.
One forward pass of a "capture" model -- ``keras.Model(model.inputs, [output of every card's
layer])``, made once per model -- gives every card's output. Each card then gets
``card.preview``: shape, dtype, min / mean / max / std, the share of zeros, and two pictures as PNG
data URIs (``image`` small for the card, ``image_large`` for the inspector). The pictures fit the
tensor: a histogram of the values for any tensor, a heatmap of (features x steps) for a
sequence output such as an Embedding's, a grid of channel maps for a Conv2D-like (H, W, C) output
(both of the first sample of the batch). PNGs are written by the tiny encoder below (numpy + zlib,
indexed colour).

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

__all__ = ["Inspector", "InspectionError", "Outputs", "preview", "previews", "encode_png"]

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
HISTOGRAM_SAMPLE = 65536  # a histogram reads at most about this many values of a tensor


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


def _bar_masks(counts: np.ndarray, size) -> np.ndarray:
    """Bar charts of histograms: (n, h, w) booleans, True where a bar is, for (n, bins) counts.
    Each bar is as high as its count relative to the highest of its own histogram; a non-empty
    bin shows at least one pixel; one background column between bars when there is room."""
    h, w = size
    bins = counts.shape[1]
    top = counts.max(axis=1, keepdims=True)
    heights = np.ceil(counts / np.maximum(top, 1) * (h - 2)).astype(np.int32)
    col_bin = np.arange(w) * bins // w
    gap = np.r_[np.diff(col_bin) != 0, True] & (w >= 2 * bins)
    col_h = np.where(gap[None, :], 0, heights[:, col_bin])  # (n, w)
    return (h - 1 - np.arange(h))[None, :, None] < col_h[:, None, :]


def _histogram_pngs(counts: np.ndarray, size) -> list[str]:
    """One 1-bit PNG data URI per histogram (row of ``counts``): bars made for all at once."""
    h, w = size
    packed = np.packbits(_bar_masks(counts, size), axis=2)  # (n, h, ceil(w / 8))
    return [_uri(_png(rows, w, 1, _PLTE_BARS)) for rows in packed]


_BAR_COLOR = "#%02x%02x%02x" % tuple(_PALETTE[BAR])


def _histogram_svgs(counts: np.ndarray, size) -> list[str]:
    """One SVG data URI per histogram (row of ``counts``): the same bar chart as the PNG of
    ``_histogram_pngs``, one stroke per bar, so that its cost grows with the bins and not with
    the pixels (the inspector's large picture)."""
    h, w = size
    bins = counts.shape[1]
    pitch = w // bins
    bar = pitch - 1 if pitch >= 2 else pitch
    top = np.maximum(counts.max(axis=1, keepdims=True), 1)
    heights = np.ceil(counts / top * (h - 2)).astype(np.int64).tolist()
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}"><rect width="{w}" height="{h}" fill="#ffffff"/>'
            f'<path stroke="{_BAR_COLOR}" stroke-width="{bar}" d="')
    starts = [f"M{i * pitch + bar / 2:g} {h}v-" for i in range(bins)]
    lengths = [str(v) for v in range(h + 1)]
    uris = []
    for row in heights:
        d = "".join([m + lengths[v] for m, v in zip(starts, row, strict=True) if v])
        svg = f'{head}{d}"/></svg>'.encode()
        uris.append("data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"))
    return uris


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
    return a.size > 0 and (np.issubdtype(a.dtype, np.number) or a.dtype == bool)


def _statistics(values: np.ndarray) -> dict:
    """min / mean / max / std and the histogram (``counts``, BINS bins over min..max, at most
    about HISTOGRAM_SAMPLE values read) of a 1-D float32 array, NaN and infinities left out."""
    lo, hi = values.min(), values.max()
    if not (np.isfinite(lo) and np.isfinite(hi)):
        values = values[np.isfinite(values)]
        if not values.size:
            return {"min": None, "mean": None, "max": None, "std": None,
                    "counts": np.zeros(BINS, np.int64)}
        lo, hi = values.min(), values.max()
    mean = values.mean()  # float32 with pairwise summation, as numpy gives it
    dev = values - np.float32(mean)  # the deviations: no cancellation when the mean is large
    std = np.sqrt(max(float(np.dot(dev, dev)) / values.size, 0.0))
    lo, hi = float(lo), float(hi)
    sample = values[:: values.size // HISTOGRAM_SAMPLE + 1] if values.size > HISTOGRAM_SAMPLE \
        else values
    a, b = (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)
    x = sample - np.float32(a)
    x *= np.float32(BINS / (b - a))
    counts = np.bincount(x.astype(np.intp), minlength=BINS + 1)
    counts[BINS - 1] += counts[BINS:].sum()  # the top value goes into the last bin
    counts = counts[:BINS]
    return {"min": lo, "mean": float(mean), "max": hi, "std": float(std), "counts": counts}


def _summary(a: np.ndarray) -> tuple[dict, dict | None]:
    """(the preview without pictures, the statistics with histogram counts) of one output;
    the statistics are None for an empty or non-numeric output."""
    info = {"shape": [int(d) for d in a.shape], "dtype": str(a.dtype), "kind": _kind(a)}
    if not _numeric(a):
        info.update(min=None, mean=None, max=None, std=None, zeros=None, kind="histogram",
                    image="", image_large="")
        return info, None
    flat = a.reshape(-1)
    stats = _statistics(flat if flat.dtype == np.float32 else flat.astype(np.float32))
    info.update((k, stats[k]) for k in ("min", "mean", "max", "std"))
    info["zeros"] = float((flat.size - np.count_nonzero(flat)) / flat.size)
    return info, stats


def preview(array) -> dict:
    """The ``card.preview`` dict for one card's output array (batch first)."""
    return previews([array])[0]


def previews(arrays) -> list[dict]:
    """``preview`` of many outputs (batch first), as one inspection makes them: statistics per
    output (one pass each for min, max, mean, std, zeros and the histogram), the histogram
    pictures of all outputs drawn together (small: one 1-bit PNG each, large: one SVG each);
    a heatmap for a sequence output, a channel grid for feature maps (first sample)."""
    infos, counts, bars = [], [], []
    for array in arrays:
        a = np.asarray(array)
        info, stats = _summary(a)
        infos.append(info)
        if stats is None:
            continue
        if info["kind"] == "histogram":
            bars.append(info)
            counts.append(stats["counts"])
            continue
        first = a[0].astype(np.float32, copy=False)
        if info["kind"] == "heatmap":
            small, large = _heatmap_image(first, SMALL), _heatmap_image(first, LARGE)
        else:
            small, large = _channels_image(first, SMALL, 8), _channels_image(first, LARGE, 32)
        info.update(image=_data_uri(small), image_large=_data_uri(large))
    if bars:
        counts = np.stack(counts)
        small = _histogram_pngs(counts.reshape(len(bars), BINS // 2, 2).sum(2), SMALL)
        large = _histogram_svgs(counts, LARGE)
        for info, s, big in zip(bars, small, large, strict=True):
            info.update(image=s, image_large=big)
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
        self._capture = (None, None, None)  # (model, capture model, [(uid, card name)])
        self._after_cell = AfterCell(self._live_refresh, "live inspection")
        editor.graph_model.on_change(self._on_change)

    # -- staleness / live -------------------------------------------------------------------------
    def _on_change(self, event):
        if event.kind == "move":
            return
        for uid in self._fresh:
            self.editor.publish(uid, stale=True)
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
        outputs, shown = {}, []
        present = self.editor.graph_model.cards
        for (uid, name), arr in zip(cards, arrays, strict=True):
            arr = np.asarray(arr)
            outputs[name] = arr
            if uid in present:
                shown.append((uid, arr))
        fresh = {uid for uid, _ in shown}
        for (uid, _), pv in zip(shown, previews([arr for _, arr in shown]), strict=True):
            self.editor.publish(uid, preview=pv, stale=False)
        for uid in self._shown - fresh:  # cards no longer in the model have nothing to show
            self.editor.publish(uid, preview={}, stale=False)
        self._fresh, self._shown = fresh, set(fresh)
        self.outputs = Outputs(outputs)
        return self.outputs


def _layer_output(model, name):
    """The output tensor of layer ``name`` of a model not built by the editor (or None)."""
    try:
        out = model.get_layer(name).output
    except (AttributeError, ValueError):
        if name in getattr(model, "output_names", ()):
            return model.outputs[model.output_names.index(name)]
        return None
    return out[0] if isinstance(out, (list, tuple)) else out
