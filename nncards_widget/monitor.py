"""The live training monitor: ``model.fit(..., callbacks=[ed.monitor()])``.

A Keras callback that records, for any model built from the editor:

* loss and metrics per batch (Keras reports the running mean of the epoch so far) and per epoch,
  for training and validation, and the progress (epoch, step, elapsed time, ETA);
* for each card whose layer has trainable weights, now and then: the weight norm, the
  update/weight ratio of one training step (``|W_after - W_before| / |W_before|`` over two
  consecutive steps) and, for its output on a small *probe* batch run through the network, the
  share of exact zeros, the mean and the standard deviation. From these the card gets a state,
  ``learning``, ``stalled``, ``dead`` or ``exploding``, by the rules in ``RULES``.

What the view reads: the editor's synced ``training_state`` (progress, the loss / metric series
for the chart, the rules) and each card's ``training`` (state, reason, latest statistics and short
series for sparklines); see docs/protocol.md. In Python after ``fit``: ``ed.history`` (epoch logs,
like Keras' ``History.history``), ``monitor.batch_history`` and ``card.training``.

Cost. Recording the logs of a batch is a few appends. Everything else is throttled: the
``training_state`` is synced at most every ``interval`` seconds, and weight / activation
statistics (reading the weights twice, one eager forward pass of the probe batch, publishing on
the cards) are taken only while the time spent on them stays under ``budget`` (a share of the
time since training began). ``benchmarks/monitor.py`` measures the overhead.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping

import keras
import numpy as np

from ._after_cell import running_loop

__all__ = ["TrainingMonitor", "RULES", "card_state"]

log = logging.getLogger(__name__)

#: Thresholds of the card states (the rules text below says the same in words).
DEAD_ZEROS = 0.95  # share of exact zeros in the card's output on the probe batch
STALLED_RATIO = 1e-6  # update/weight ratio of one step below which the weights do not move
EXPLODING_RATIO = 1.0  # one step moving the weights by more than their own norm
EXPLODING_GROWTH = 10.0  # weight norm grown this many times since training began

#: The rules, in the order they are applied (the first that holds decides), as shown in the
#: inspector.
RULES = [
    ("exploding", "a weight or output is NaN or infinite, or one training step changed the "
                  f"weights by more than {EXPLODING_RATIO:g}x their norm, or the weight norm "
                  f"grew more than {EXPLODING_GROWTH:g}x since training began"),
    ("dead", f"at least {DEAD_ZEROS:.0%} of the card's outputs on the probe batch are exactly "
             "zero"),
    ("stalled", f"one training step changed the weights by less than {STALLED_RATIO:g} of "
                "their norm"),
    ("learning", "none of the above"),
]

SERIES_LENGTH = 30  # samples kept per card for the sparklines
CHART_POINTS = 240  # points per series synced for the chart
PROBE_ROWS = 64  # the probe batch is cut to this many examples
DIGITS = 5  # significant digits of the numbers synced to the view


def _round(value):
    """A float with DIGITS significant digits for the view (None stays None, inf/nan -> None)."""
    if value is None or not math.isfinite(value):
        return None
    return float(f"{value:.{DIGITS}g}")


def _thin(values: list, n: int = CHART_POINTS) -> list:
    """At most ``n`` evenly spaced items of ``values``, the last one always included."""
    if len(values) <= n:
        return list(values)
    idx = np.linspace(0, len(values) - 1, n).round().astype(int)
    return [values[i] for i in idx]


def card_state(stats: dict) -> tuple:
    """``(state, reason)`` of a card from its latest statistics, by ``RULES``.

    ``stats`` has ``finite`` (bool), ``update_ratio`` (float or None), ``growth`` (weight norm now
    / at the first sample, or None) and ``zeros`` (share of zeros in the output, or None)."""
    ratio, growth, zeros = stats.get("update_ratio"), stats.get("growth"), stats.get("zeros")
    if not stats.get("finite", True):
        return "exploding", "a weight or output is NaN or infinite"
    if ratio is not None and ratio > EXPLODING_RATIO:
        return "exploding", (f"one step changed the weights by {ratio:.3g}x their norm "
                             f"(> {EXPLODING_RATIO:g})")
    if growth is not None and growth > EXPLODING_GROWTH:
        return "exploding", (f"the weight norm grew {growth:.3g}x since training began "
                             f"(> {EXPLODING_GROWTH:g}x)")
    if zeros is not None and zeros >= DEAD_ZEROS:
        return "dead", (f"{zeros:.0%} of its outputs on the probe batch are zero "
                        f"(>= {DEAD_ZEROS:.0%})")
    if ratio is not None and ratio < STALLED_RATIO:
        return "stalled", (f"one step changed the weights by {ratio:.2g} of their norm "
                           f"(< {STALLED_RATIO:g})")
    return "learning", "the weights move and the outputs are alive"


class _CardStats:
    """Statistics of one card's layer during one fit."""

    def __init__(self, uid: str, layer, output_index: int | None):
        self.uid = uid
        self.layer = layer
        self.output_index = output_index  # its place among the capture model's outputs
        self.first_norm = None
        self.before = None  # weights read one step earlier (to measure one update)
        self.latest: dict = {}
        self.series = {k: [] for k in ("x", "weight_norm", "update_ratio", "zeros", "mean", "std")}

    def read(self) -> list:
        return [np.asarray(v) for v in self.layer.trainable_weights]

    def record(self, x: float, weights: list, output) -> dict:
        flat = np.concatenate([w.ravel().astype(np.float64) for w in weights])
        finite = bool(np.isfinite(flat).all())
        norm = float(np.sqrt(np.dot(flat, flat))) if finite else math.inf
        ratio = self.latest.get("update_ratio")  # carried over when no step was measured
        if self.before is not None:
            prev = np.concatenate([w.ravel().astype(np.float64) for w in self.before])
            prev_norm = float(np.sqrt(np.dot(prev, prev)))
            delta = flat - prev
            step = float(np.sqrt(np.dot(delta, delta))) if finite else math.inf
            ratio = step / prev_norm if prev_norm > 0 else (0.0 if step == 0 else math.inf)
        if self.first_norm is None and finite:
            self.first_norm = norm
        growth = norm / self.first_norm if self.first_norm else None
        zeros = mean = std = None
        if output is not None:
            a = np.asarray(output)
            if a.size:
                finite = finite and bool(np.isfinite(a).all())
                zeros = float(np.count_nonzero(a == 0) / a.size)
                f = a.astype(np.float64, copy=False)
                mean, std = float(f.mean()), float(f.std())
        stats = {"finite": finite, "weight_norm": norm, "update_ratio": ratio, "growth": growth,
                 "zeros": zeros, "mean": mean, "std": std}
        state, reason = card_state(stats)
        self.latest = {**stats, "state": state, "reason": reason}
        for key, value in (("x", x), ("weight_norm", norm), ("update_ratio", ratio),
                           ("zeros", zeros), ("mean", mean), ("std", std)):
            series = self.series[key]
            series.append(value)
            del series[:-SERIES_LENGTH]
        return self.latest

    def trait(self) -> dict:
        """The ``card.training`` dict."""
        if not self.latest:
            return {}
        latest = self.latest
        return {"state": latest["state"], "reason": latest["reason"],
                "rule": dict(RULES)[latest["state"]],
                **{k: _round(latest[k]) for k in ("weight_norm", "update_ratio", "zeros",
                                                  "mean", "std")},
                "series": {k: [_round(v) for v in vals] for k, vals in self.series.items()}}


class TrainingMonitor(keras.callbacks.Callback):
    """A Keras callback that shows training on the editor: ``callbacks=[ed.monitor()]``.

    Made by ``NetworkEditor.monitor``; see the module docstring for what it records.
    """

    def __init__(self, editor, probe=None, interval: float = 0.25, budget: float = 0.02):
        super().__init__()
        if not (isinstance(interval, (int, float)) and not isinstance(interval, bool)
                and math.isfinite(interval) and interval > 0):
            raise ValueError(f"monitor(): interval must be a positive number of seconds; "
                             f"received {interval!r}")
        if not (isinstance(budget, (int, float)) and not isinstance(budget, bool)
                and 0 < budget < 1):
            raise ValueError(f"monitor(): budget must be a share of the fit time between 0 and 1 "
                             f"(e.g. 0.02); received {budget!r}")
        self.editor = editor
        self.probe = probe
        self.interval = float(interval)
        self.budget = float(budget)
        #: Epoch logs of the last fit, like ``keras.callbacks.History.history``.
        self.history: dict = {}
        #: Batch logs of the last fit: ``{"epoch": [...], "step": [...], "loss": [...], ...}``
        #: (train), and the same for the validation batches in ``val_batch_history``.
        self.batch_history: dict = {}
        self.val_batch_history: dict = {}
        #: Time spent by the monitor on statistics and syncing (seconds), and samples taken.
        self.overhead = 0.0
        self.samples = 0
        self._reset()

    def _reset(self):
        self.history, self.batch_history, self.val_batch_history = {}, {}, {}
        self.overhead, self.samples = 0.0, 0
        self._cards: list = []
        self._capture = None
        self._feed = None
        self._epoch = 0
        self._step = 0
        self._done_steps = 0
        self._start = time.perf_counter()
        self._first_step_end = None  # the first step also traces the train function
        self._last_sync = -math.inf
        self._measure_next = False  # weights were read at the last batch: measure one step
        self._sample_cost = 0.0  # time of the last whole sample (read + measure)
        self._sample_began = 0.0
        self._status = "idle"
        self._warning = ""

    # -- setup --------------------------------------------------------------------------------
    def _probe_feed(self, model):
        probe = self.probe
        inspector = self.editor._inspector
        if probe is None:
            probe = inspector.sample
        if probe is None:
            return None
        if isinstance(probe, Mapping):
            probe = {k: np.asarray(v)[:PROBE_ROWS] for k, v in probe.items()}
        else:
            probe = np.asarray(probe)[:PROBE_ROWS]
        return inspector.feed(model, probe)

    def _watch_cards(self, model):
        """The cards whose layer in ``model`` has trainable weights, and a capture model of
        their outputs when there is a probe batch."""
        feed = self._probe_feed(model)
        cards, outputs = [], []
        for card in self.editor.cards:
            if card.spec.role in ("input", "output"):
                continue  # no layer of their own (an Output card may share a layer's name)
            try:
                layer = model.get_layer(card.name)
            except ValueError:
                continue  # not a layer of this model (initializer, wrapped layer, other model)
            if not layer.trainable_weights:
                continue
            index = None
            if feed is not None:
                try:
                    out = layer.output
                except (AttributeError, ValueError):
                    out = None
                if isinstance(out, (list, tuple)):
                    out = out[0]
                if out is not None:
                    index = len(outputs)
                    outputs.append(out)
            cards.append(_CardStats(card.uid, layer, index))
        self._cards = cards
        if feed is not None and outputs:
            self._capture = keras.Model(model.inputs, outputs, name=f"{model.name}_monitor")
            self._feed = feed

    # -- Keras hooks ----------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._reset()
        t0 = time.perf_counter()
        self.editor._training_monitor = self
        self._status = "training"
        loop = running_loop()
        if loop is not None:  # fit runs in the kernel's loop: look again when the cell is over
            loop.call_soon(self._check_ended)
        self.editor.publish_many({card.uid: {"training": {}} for card in self.editor.cards
                                  if card.training})
        self._watch_cards(self.model)
        self.overhead += time.perf_counter() - t0
        self._sync(force=True)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._step = 0

    def on_train_batch_end(self, batch, logs=None):
        self._step = batch + 1
        steps = self.params.get("steps") if self.params else None
        # (with steps_per_execution > 1 Keras calls this once per execution, at its last step)
        self._done_steps = self._epoch * steps + batch + 1 if steps else self._done_steps + 1
        if self._first_step_end is None:
            self._first_step_end = time.perf_counter()
        _append(self.batch_history, logs, epoch=self._epoch, step=batch)
        now = time.perf_counter()
        if self._measure_next:
            self._measure_next = False
            self._sample(measure=True)
        elif self._cards and self._within_budget(now):
            self._sample(measure=False)
        if now - self._last_sync >= self.interval:
            self._sync()

    def on_test_batch_end(self, batch, logs=None):
        if self._status == "training":  # validation inside fit (not a separate evaluate)
            _append(self.val_batch_history, {f"val_{k}": v for k, v in (logs or {}).items()},
                    epoch=self._epoch, step=batch)

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        # the epoch's logs (with validation) show now, unless a sync was just sent
        if time.perf_counter() - self._last_sync >= self.interval:
            self._sync()

    def on_train_end(self, logs=None):
        self._status = "stopped" if getattr(self.model, "stop_training", False) else "done"
        if self._cards and (self.samples == 0 or self._within_budget(time.perf_counter())):
            self._sample(measure=False, final=True)
        self._sync(force=True)

    def _check_ended(self):
        """After the cell that ran ``fit``: still training means the fit was interrupted
        (Keras calls no ``on_train_end`` when an error or Ctrl+C ends it)."""
        if self._status != "training":
            return
        self._status = "interrupted"
        self._warning = (f"Training was interrupted at epoch {self._epoch + 1}, step "
                         f"{self._step} (an error or Ctrl+C ended fit).")
        self._sync(force=True)

    # -- statistics -----------------------------------------------------------------------------
    def _within_budget(self, now: float) -> bool:
        """True when one more sample (costing what the last one did) keeps the monitor's time
        within ``budget`` of the time since training began."""
        return self.overhead + self._sample_cost <= self.budget * (now - self._start)

    def _x(self) -> float:
        steps = self.params.get("steps") if self.params else None
        return self._epoch + (self._step / steps if steps else 1.0)

    def _sample(self, measure: bool, final: bool = False):
        """Read every watched card's weights; when ``measure`` (one step after a read) or at the
        end, also run the probe and record the statistics."""
        t0 = time.perf_counter()
        if not measure:
            self._sample_began = self.overhead
        try:
            weights = [c.read() for c in self._cards]
            if final:  # no step after the last batch: keep the last measured update ratio
                for card in self._cards:
                    card.before = None
            if measure or final:
                outputs = self._probe_outputs()
                x = self._x()
                for card, w in zip(self._cards, weights, strict=True):
                    out = outputs[card.output_index] if card.output_index is not None else None
                    card.record(x, w, out)
                    card.before = None
                self._publish_cards()
                self.samples += 1
            else:
                for card, w in zip(self._cards, weights, strict=True):
                    card.before = w
                self._measure_next = True
        except Exception as exc:  # statistics never stop a fit; the panel says what went wrong
            log.warning("training monitor: statistics failed: %s", exc)
            self._warning = f"Card statistics stopped: {exc}"
            self._cards = []
        self.overhead += time.perf_counter() - t0
        if measure:
            self._sample_cost = self.overhead - self._sample_began

    def _probe_outputs(self) -> list:
        if self._capture is None:
            return []
        outs = self._capture(self._feed, training=False)
        if not isinstance(outs, (list, tuple)):
            outs = [outs]
        return [keras.ops.convert_to_numpy(o) for o in outs]

    def _publish_cards(self):
        self.editor.publish_many({card.uid: {"training": card.trait()} for card in self._cards})

    # -- the editor's training_state ------------------------------------------------------------
    def state(self) -> dict:
        """The ``training_state`` dict the view draws (see docs/protocol.md)."""
        params = self.params or {}
        steps, epochs = params.get("steps"), params.get("epochs")
        elapsed = time.perf_counter() - self._start
        eta = None
        if self._status == "training" and steps and epochs and self._done_steps > 1:
            remaining = epochs * steps - self._done_steps
            per_step = (time.perf_counter() - self._first_step_end) / (self._done_steps - 1)
            eta = _round(max(0.0, remaining) * per_step)
        batch = self.batch_history
        x = [e + (s + 1) / steps if steps else e + 1
             for e, s in zip(batch.get("epoch", []), batch.get("step", []), strict=True)]
        keep = _thin(list(range(len(x))))
        batch_series = {"x": [_round(x[i]) for i in keep]}
        for key, values in batch.items():
            if key not in ("epoch", "step"):
                batch_series[key] = [_round(values[i]) for i in keep]
        n_epochs = len(next(iter(self.history.values()), []))
        keep_e = _thin(list(range(n_epochs)))
        epoch_series = {"x": [i + 1 for i in keep_e],
                        **{k: [_round(v[i]) for i in keep_e] for k, v in self.history.items()}}
        names = [k for k in [*batch, *self.history] if k not in ("epoch", "step")]
        metrics = list(dict.fromkeys(k[4:] if k.startswith("val_") else k for k in names))
        metrics.sort(key=lambda k: k != "loss")  # loss first, then the metrics as Keras gives
        return {"status": self._status, "epoch": self._epoch + 1, "epochs": epochs,
                "step": self._step, "steps": steps, "elapsed": _round(elapsed), "eta": eta,
                "metrics": metrics, "batch": batch_series, "epoch_log": epoch_series,
                "cards": len(self._cards), "probe": self._capture is not None,
                "warning": self._warning, "rules": [list(r) for r in RULES]}

    def _sync(self, force: bool = False):
        now = time.perf_counter()
        if not force and now - self._last_sync < self.interval:
            return
        self.editor.set_trait("training_state", self.state())
        self._last_sync = time.perf_counter()
        self.overhead += self._last_sync - now


def _append(store: dict, logs, **extra):
    """Append one batch's logs (and ``extra``) to the columns of ``store``."""
    row = {**extra, **{k: float(v) for k, v in (logs or {}).items()}}
    n = len(next(iter(store.values()), []))
    for key, value in row.items():
        column = store.get(key)
        if column is None:  # a key first seen now: earlier batches did not have it
            column = store[key] = [None] * n
        column.append(value)
    for column in store.values():  # a key missing from this batch
        if len(column) == n:
            column.append(None)
