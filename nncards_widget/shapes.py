"""Live shapes: after every change of the graph, the kernel recomputes output shapes symbolically,
only downstream of the change, and publishes them on the widget models the view reads.

What is published (see docs/protocol.md, "Live shapes and inspection"):

* ``card.output_shape`` -- the card's output tensor shape as text, ``"(None, 20, 16)"``;
* ``card.param_count`` -- trainable parameters of the card's own Keras layer;
* ``card.error`` -- the message when the card cannot be built (its shape is then cleared, and
  every other card keeps its shape);
* ``wire.shape`` on every Tensor wire, and ``ed.total_params`` for the whole graph.

How
---
``LiveShapes`` keeps one cache entry per card: the card's Keras object and its output
``KerasTensor`` (a ``builder.CardResult``), keyed by a *signature* -- the card's kind, name and
parameters, plus the serial numbers of the entries wired into it. A change marks the cards it
touches dirty; an update walks only the cards downstream of them (topological order) and rebuilds
a card only when its signature changed, calling the new layer on the cached tensors of its
upstream cards. Everything upstream of a change keeps its layer and tensor objects.

``build()`` reuses the same cache, so that live shapes do not make a build pay twice: the model is
made from the cached tensors (``keras.Model(cached inputs, cached outputs)``). Each entry that goes
into a model is then marked *in a model*; a later build never reuses such an entry, it gives the
card (and everything downstream) fresh layers. So every ``build()`` returns a model whose layers
are not shared with any previous build's model -- exactly what a Keras user expects from building
twice -- while the first build after editing costs no more than the Keras calls it needs.
(Live updates after a build may still *read* the tensors of cards that are in a model, which
changes nothing in that model.) A wrapped layer (a card wired into a wrapper's "Layer" port) is
rebuilt whenever its wrapper is, because Keras layers such as TimeDistributed keep the very layer
object they are given.

When
----
Two ways were measured (2-core machine shared with other jobs, Keras 3.15 / TF 2.21; a
300-card chain of Dense layers, CPU seconds, best of 3): plain Keras functional API 0.6-1.0 s;
the editor before live shapes 1.2-1.5 s; with live shapes updated *eagerly* after every
add/connect and a ``build()`` that reuses the cache, 0.9-2.0 s; with the updates *coalesced* into
one update run by ``build()``, 0.8-1.2 s. ``benchmarks/build.py`` (adding, wiring and building
300 cards through the editor against plain Keras) stays at about 1.0x with either. Both build each
card's Keras layer once when cards are added and wired in forward order, and ``build()`` then only
assembles the model (about 0.05 s instead of a full build); eager updates cost a little more per
change (one small update per add/connect). Where they differ is a cell that edits many cards high
up in the graph (``for c in cards: c.units = 8``): eager updates rebuild the part downstream once
per edit, a coalesced update once in all.

So updates are *coalesced* when an asyncio event loop is running in this thread -- that is, inside
a Jupyter kernel, where cells and the view's requests run on the kernel's loop: the first change
schedules one update with ``loop.call_soon`` and every further change of the same cell (or of the
same view request) only adds to the dirty set, so a cell costs one update, run right after it
(the next cell sees the shapes). Without a running loop (scripts, pytest) updates are eager, so
results are deterministic and ``card.output_shape`` is right after the call that changed it.
``ed.refresh_shapes()`` runs a pending update at once (``build()`` and ``inspect()`` do so too),
and ``ed.live_shapes.mode`` can be set to ``"eager"``, ``"deferred"`` (only on ``refresh()`` /
``build()`` / ``inspect()``) or ``"auto"`` (the default, as above). The time of one update after
one parameter edit is printed by ``benchmarks/inspect.py`` (300 cards: ~0.1 s for an edit in the
middle of a branch, against ~1.5-2.3 s for a full rebuild of every card's shape).
"""

from __future__ import annotations

import itertools
import logging

from ._after_cell import MODES, AfterCell
from .builder import CardResult, ModelBuilder, _first_line, _shape_text
from .errors import BuildError
from .graph import GraphData

__all__ = ["LiveShapes", "shape_text"]

log = logging.getLogger(__name__)

TENSOR = "NeuralNetworkTensor"
LAYER = "NeuralNetworkLayer"


def shape_text(shape) -> str:
    """``(None, 20, 16)`` -- the text shown on cards and wires for a tensor shape."""
    return _shape_text(tuple(shape))


def _output_tensor(result: CardResult):
    out = result.output
    if isinstance(out, (list, tuple)):
        out = out[0] if out else None
    return out


class _Entry:
    """One card's cached build: its CardResult, under the signature it was built for."""

    __slots__ = ("serial", "signature", "result", "in_model", "param_count", "shape")

    def __init__(self, serial, signature, result: CardResult, param_count, shape):
        self.serial = serial
        self.signature = signature
        self.result = result
        self.in_model = False
        self.param_count = param_count
        self.shape = shape


class _CachedBuilder(ModelBuilder):
    """The strict model builder, taking each card from the live cache when it may be reused."""

    def __init__(self, graph: GraphData, live: "LiveShapes"):
        super().__init__(graph, strict=True)
        self.live = live
        self.current: dict = {}  # uid -> _Entry used in this build
        self.processed: list = []

    def run(self, order=None):
        for uid in order if order is not None else self.graph.topological_order():
            self.live._process(self, uid, strict=True)
        return self.results


class LiveShapes:
    """Per-card cache of Keras objects and symbolic outputs, kept up to date with the graph.

    Made by ``NetworkEditor`` (``ed.live_shapes``); listens to ``ed.on_change``.
    """

    def __init__(self, editor, mode: str = "auto"):
        self.editor = editor
        self.mode = mode
        self._entries: dict = {}  # uid -> _Entry
        self._data: dict = {}  # uid -> CardData (parameters as of the last edit)
        self._pkey: dict = {}  # uid -> hashable key of the parameters
        self._in: dict = {}  # uid -> {wire id: Wire} wires into the card
        self._out: dict = {}  # uid -> {wire id: Wire} wires out of the card
        self._wdata: dict = {}  # wire id -> WireData
        self._dirty: set = set()
        self._after_cell = AfterCell(self.refresh, "live shape update")
        self._total = 0  # sum of the entries' parameter counts
        self._counted = 0  # number of entries with a count
        self._serials = itertools.count(1)
        #: bumps on every change of the graph (inspection compares it with the build's)
        self.version = 0
        #: names of the cards whose Keras objects were (re)built by the last update or build
        self.last_rebuilt: list = []
        #: the model of the last successful build() and the ``version`` it was built at
        self.last_model = None
        self.built_version = -1
        editor.on_change(self._on_change)

    # -- public --------------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, value: str):
        if value not in MODES:
            raise ValueError(f"live_shapes.mode must be one of {', '.join(map(repr, MODES))}; "
                             f"received {value!r}")
        self._mode = value

    @property
    def pending(self) -> bool:
        """True when changes wait for an update (deferred mode)."""
        return bool(self._dirty)

    def refresh(self) -> None:
        """Run the pending update now (a no-op when nothing changed)."""
        if not self._dirty:
            return
        dirty, self._dirty = self._dirty, set()
        region = self._downstream(u for u in dirty if u in self._data)
        order = self._topological(region)
        self.last_rebuilt = []
        if order:
            builder = ModelBuilder(self._local_graph(order), strict=False)
            builder.current = {}
            for uid in order:
                self._process(builder, uid, strict=False)
        self._publish_total()

    def layer(self, card):
        """The cached Keras object of a card (None when it has none)."""
        e = self._entries.get(self.editor.card(card).uid)
        return e.result.obj if e else None

    def tensor(self, card):
        """The cached symbolic output (KerasTensor) of a card (None when it has none)."""
        e = self._entries.get(self.editor.card(card).uid)
        return _output_tensor(e.result) if e else None

    def build(self):
        """The functional model of the graph, reusing every cached entry that may be reused."""
        self.refresh()
        graph = GraphData(cards=dict(self._data), wires=list(self._wdata.values()))
        builder = _CachedBuilder(graph, self)
        self.last_rebuilt = []
        try:
            model = builder.build()
        finally:
            self._apply(builder.processed)
            self._publish_total()
        for entry in builder.current.values():
            entry.in_model = True
        self.last_model, self.built_version = model, self.version
        return model

    # -- events ----------------------------------------------------------------------------------
    def _on_change(self, event: dict):
        kind = event.get("kind")
        self.version += 1
        if kind == "add":
            card = event["card"]
            self._set_data(card)
            self._in.setdefault(card.uid, {})
            self._out.setdefault(card.uid, {})
            self._dirty.add(card.uid)
        elif kind == "remove":
            uid = event["card"].uid
            self._count(self._entries.get(uid), -1)
            for table in (self._entries, self._data, self._pkey, self._in, self._out):
                table.pop(uid, None)
            self._dirty.discard(uid)
            self._publish_total()
        elif kind in ("connect", "disconnect"):
            wire = event["wire"]
            src, dst = wire.data["source"], wire.data["target"]
            if kind == "connect":
                self._out.setdefault(src, {})[wire.id] = wire
                self._in.setdefault(dst, {})[wire.id] = wire
                self._wdata[wire.id] = wire.to_data()
            else:
                self._out.get(src, {}).pop(wire.id, None)
                self._in.get(dst, {}).pop(wire.id, None)
                self._wdata.pop(wire.id, None)
            self._dirty.update(u for u in (src, dst) if u in self._data)
        elif kind == "param":
            card = event["card"]
            if card.uid in self._data:
                self._set_data(card)
                self._dirty.add(card.uid)
        else:
            return
        self._schedule()

    def _set_data(self, card):
        data = card.to_data()
        self._data[card.uid] = data
        self._pkey[card.uid] = repr(sorted(data.params.items()))

    def _schedule(self):
        if self._dirty:
            self._after_cell.request(self._mode)  # deferred: waits for refresh(), build(), inspect()

    # -- graph helpers -------------------------------------------------------------------------
    def _downstream(self, uids) -> set:
        seen = set(uids)
        todo = list(seen)
        while todo:
            for w in self._out.get(todo.pop(), {}).values():
                t = w.data["target"]
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        return seen

    def _topological(self, region: set) -> list:
        indeg = {}
        for uid in region:
            indeg[uid] = sum(1 for w in self._in.get(uid, {}).values()
                             if w.data["source"] in region)
        ready = [u for u in self._data if u in region and indeg[u] == 0] if len(region) > 1 \
            else list(region)
        order = []
        while ready:
            u = ready.pop()
            order.append(u)
            for w in self._out.get(u, {}).values():
                t = w.data["target"]
                if t in indeg:
                    indeg[t] -= 1
                    if indeg[t] == 0:
                        ready.append(t)
        return order

    def _layer_sources(self, uid) -> list:
        return [w.data["source"] for w in self._in.get(uid, {}).values()
                if w.data["port_type"] == LAYER]

    def _local_graph(self, order) -> GraphData:
        """The part of the graph an update reads: the cards to build, the wrapped layers they
        take, the cards wired into those, and the wires in and out of them."""
        build = set(order)
        for uid in order:
            build.update(self._layer_sources(uid))
        cards, wires = {}, {}
        for uid in build:
            cards[uid] = self._data[uid]
            for wid, w in self._in.get(uid, {}).items():
                wires[wid] = self._wdata[wid]
                cards.setdefault(w.data["source"], self._data[w.data["source"]])
            for wid in self._out.get(uid, {}):
                wires[wid] = self._wdata[wid]
        return GraphData(cards=cards, wires=list(wires.values()))

    # -- building one card --------------------------------------------------------------------
    def _needs_tensor(self, uid) -> bool:
        outs = self._out.get(uid, {}).values()
        return not outs or any(w.data["source_port"] != "layer_instance" for w in outs)

    def _entry_of(self, builder, uid):
        return builder.current.get(uid) or self._entries.get(uid)

    def _signature(self, builder, uid):
        ins = []
        for w in self._in.get(uid, {}).values():
            e = self._entry_of(builder, w.data["source"])
            ins.append((w.data["target_port"], w.data["source_port"], e.serial if e else 0))
        d = self._data[uid]
        return (d.card_id, d.name, self._pkey[uid], self._needs_tensor(uid), tuple(sorted(ins)))

    def _process(self, builder, uid, strict: bool):
        """Take ``uid`` from the cache if its signature still holds, else build it anew."""
        sig = self._signature(builder, uid)
        entry = self._entries.get(uid)
        if (entry is not None and entry.signature == sig
                and not (strict and (entry.in_model or entry.result.error is not None))):
            builder.current[uid] = entry
            builder.results[uid] = entry.result
            return entry
        # Keras wrappers keep the layer they are given: a wrapper gets a fresh one each time.
        for src in self._layer_sources(uid):
            self._rebuild(builder, src, self._signature(builder, src), strict)
        return self._rebuild(builder, uid, self._signature(builder, uid), strict)

    def _rebuild(self, builder, uid, sig, strict: bool):
        card = builder.graph.cards[uid]
        for w in self._in.get(uid, {}).values():  # upstream results the builder reads
            src = w.data["source"]
            if src not in builder.results:
                e = self._entry_of(builder, src)
                if e is not None:
                    builder.results[src] = e.result
        builder.results.pop(uid, None)
        try:
            builder._build_card(card)
            result = builder.results.get(uid)
            if result is None:
                raise BuildError(f"The card '{card.name}' ({card.spec.title}) could not be built.",
                                 card=card.name)
        except BuildError as err:
            if strict:
                raise
            result = CardResult(error=err)
        except Exception as exc:  # Keras raised something the builder does not wrap
            err = BuildError(f"The card '{card.name}' ({card.spec.title}) could not be built: "
                             f"{_first_line(exc)}", card=card.name)
            if strict:
                raise err from exc
            result = CardResult(error=err)
        builder.results[uid] = result
        entry = _Entry(next(self._serials), sig, result, *self._measure(card, result))
        self._count(self._entries.get(uid), -1)
        self._count(entry, +1)
        self._entries[uid] = entry
        builder.current[uid] = entry
        if hasattr(builder, "processed"):
            builder.processed.append(uid)
        else:
            self._apply([uid])
        self.last_rebuilt.append(card.name)
        return entry

    @staticmethod
    def _measure(card, result: CardResult):
        """(trainable parameter count, shape text) of a built card."""
        if result.error is not None:
            return None, None
        out = _output_tensor(result)
        if out is None:
            return None, None  # a layer used only as a wrapper's "Layer" (or an initializer...)
        shape = shape_text(out.shape)
        layer = result.obj
        if layer is None:  # Input card
            return 0, shape
        count = 0
        for v in layer.trainable_weights:
            n = 1
            for d in v.shape:
                n *= int(d)
            count += n
        return count, shape

    # -- publishing ----------------------------------------------------------------------------
    def _apply(self, uids):
        """Copy the entries of ``uids`` onto their cards and wires (synced traits)."""
        cards = self.editor._cards
        for uid in uids:
            entry = self._entries.get(uid)
            card = cards.get(uid)
            if entry is None or card is None:
                continue
            err = entry.result.error
            with card.hold_sync():
                card.error = str(err) if err is not None else ""
                card.output_shape = entry.shape
                card.param_count = entry.param_count
            for w in self._out.get(uid, {}).values():
                if w.data["port_type"] == TENSOR:
                    w.shape = entry.shape or ""
            for w in self._in.get(uid, {}).values():
                if w.data["port_type"] == TENSOR:
                    src = self._entries.get(w.data["source"])
                    w.shape = (src.shape if src else None) or ""

    def _count(self, entry, sign: int):
        """Keep the running total of parameter counts (``ed.total_params``) up to date."""
        if entry is not None and entry.param_count is not None:
            self._total += sign * entry.param_count
            self._counted += sign

    def _publish_total(self):
        self.editor.total_params = self._total if self._counted else None
