"""Live shapes: after every change of the graph, the kernel recomputes output shapes symbolically,
only downstream of the change, and publishes them on the cards and wires the view reads.

What is published (see docs/protocol.md, "Live shapes and inspection"):

* ``card.output_shape`` -- the shape of the card's main output tensor as text, ``"(None, 20, 16)"``;
* ``card.param_count`` -- trainable parameters of the card's own Keras layer;
* ``card.error`` -- the message when the card cannot be built (its shape is then cleared, and
  every other card keeps its shape);
* ``wire.shape`` on every Tensor wire (the shape of the output port it leaves), and
  ``ed.total_params`` for the whole graph.

``LiveShapes`` owns the build cache: one entry per card, the ``builder.CardResult`` it was built
to and the *signature* it was built under (see ``ModelBuilder.signature``). A change marks the
cards it touches dirty; an update runs the one build loop, ``ModelBuilder.build_cards``, over the
cards downstream of them (topological order, from the graph), and the builder takes from the
cache every card whose kind, parameters and input *shapes* are unchanged: an edit rebuilds the
cards whose inputs change shape, not everything downstream. A layer card whose inputs changed
shape but which is otherwise the same gives its new shapes through the layer it has, where
Keras's input checks accept them (``ModelBuilder(reuse_layers=True)``): an Input edit that changes
every shape costs a shape inference per card, not a new layer per card. Layers are built without
their weights (``weights.deferred``): shapes and parameter counts cost no memory.

``build()`` runs the same loop over the whole graph with the same cache, taking only entries built
on the very upstream results (so the model's tensors are connected), so live shapes do not make a
build pay twice; an entry that went into a model is then marked *in a model*, and a later build
never takes it again (it gives the card, and everything downstream, fresh layers): every
``build()`` returns a model whose layers are not shared with a previous build's model, though
``weights`` (``ed.weights``) copies the previous model's weights into every card that did not
change. Live updates may still read the tensors of entries that are in a model, which changes
nothing in it. ``card.shared_by`` names the other cards calling a card's layer object.

When
----
Inside a Jupyter kernel (an asyncio loop runs in this thread) updates are *coalesced*: the first
change of a cell or view request schedules one update, run right after it, so a cell costs one
update and the next cell sees the shapes. Without a running loop (scripts, pytest) updates are
eager: ``card.output_shape`` is right after the call that changed it. ``ed.refresh_shapes()``
runs a pending update at once (``build()`` and ``inspect()`` do so too), and
``ed.live_shapes.mode`` can be ``"eager"``, ``"deferred"`` (only on ``refresh()`` / ``build()`` /
``inspect()``) or ``"auto"`` (the default, as above). The measurements behind this choice are in
docs/design.md ("Live shapes").
"""

from __future__ import annotations

from ._after_cell import MODES, AfterCell
from .builder import BuildCache, CardResult, ModelBuilder, shape_text, sharing
from .catalog import TENSOR
from .graph import Graph, GraphEvent
from .weights import WeightStore

__all__ = ["LiveShapes", "shape_text"]


class _Entry:
    """One card's cached build: its CardResult, the signature it was built under, and what is
    published from it."""

    __slots__ = ("signature", "result", "in_model", "param_count", "shapes", "weights")

    def __init__(self, signature, result: CardResult):
        self.signature = signature
        self.result = result
        self.in_model = False
        self.param_count, self.shapes, self.weights = _measure_weights(result)

    @property
    def shape(self) -> str | None:
        """Text of the main output's shape (None when the card has no tensor)."""
        if self.result.error is not None or not self.shapes:
            return None
        return self.shapes.get("output", next(iter(self.shapes.values())))


class _LiveCache(BuildCache):
    """The live shapes' entries, seen by one run of the build loop (``for_model``: a build of a
    model, which never takes an entry that is already in a model)."""

    def __init__(self, live: "LiveShapes", for_model: bool):
        self.live = live
        self.for_model = for_model

    def lookup(self, uid, signature):
        entry = self.live._entries.get(uid)
        if entry is None or (self.for_model and (entry.in_model or entry.result.reused)):
            return None
        # A model takes only entries built on the very results upstream (connected tensors);
        # live shapes take an entry whose inputs have the same shapes (only shapes are shown).
        same = (entry.signature[:5] == signature[:5] if self.for_model
                else entry.signature[:4] == signature[:4] and entry.signature[5] == signature[5])
        return entry.result if same else None

    def latest(self, uid):
        entry = self.live._entries.get(uid)
        return entry.result if entry is not None else None

    def store(self, uid, signature, result):
        self.live._store(uid, signature, result)


class LiveShapes:
    """Per-card cache of Keras objects and symbolic outputs, kept up to date with the graph.

    Made by ``NetworkEditor`` (``ed.live_shapes``); listens to the editor's graph.
    """

    def __init__(self, editor, mode: str = "auto"):
        self.editor = editor
        self.mode = mode
        self.graph: Graph = editor.graph_model
        self._entries: dict = {}  # uid -> _Entry
        self._dirty: set = set()
        self._touched: list = []  # uids stored since the last publish
        self._regroup: set = set()  # layer cards whose set of callers changed (shared_by)
        self._after_cell = AfterCell(self.refresh, "live shape update")
        self._total = 0  # parameters of the entries' trainable weights, each variable once
        self._counted = 0  # number of entries with a count
        self._uses: dict = {}  # id of a weight variable -> number of entries counting it
        #: bumps on every change of the network (not on moves); inspection compares it with the
        #: build's
        self.version = 0
        #: names of the cards whose Keras objects were (re)built by the last update or build
        self.last_rebuilt: list = []
        #: the model of the last successful build() and the ``version`` it was built at
        self.last_model = None
        #: uid -> main output tensor of each card in ``last_model`` (what inspection captures)
        self.last_tensors: dict = {}
        #: trained weights kept across builds (``ed.weights``)
        self.weights = WeightStore()
        self.built_version = -1
        self.graph.on_change(self._on_change)

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
        graph = self.graph
        region = graph.downstream([u for u in dirty if u in graph.cards])
        self.last_rebuilt = []
        try:
            ModelBuilder(graph, strict=False, reuse_layers=True).build_cards(
                graph.topological_order(region), _LiveCache(self, for_model=False),
                changed=dirty)
        finally:
            self._publish()

    def layer(self, card):
        """The cached Keras object of a card (None when it has none)."""
        e = self._entries.get(self.editor.card(card).uid)
        return e.result.obj if e else None

    def tensor(self, card):
        """The cached symbolic output (KerasTensor) of a card (None when it has none)."""
        e = self._entries.get(self.editor.card(card).uid)
        return _main_tensor(e.result) if e else None

    def build(self):
        """The functional model of the graph, taking every cached entry that may be taken."""
        self.refresh()
        builder = ModelBuilder(self.graph, strict=True)
        self.last_rebuilt = []
        try:
            model = builder.build(_LiveCache(self, for_model=True))
        finally:
            self._publish()
        for uid, result in builder.results.items():
            entry = self._entries.get(uid)
            if entry is not None and entry.result is result:
                entry.in_model = True
        self.weights.restore({uid: (builder.content_signature(uid), r.obj,
                                    self.graph.cards[uid].name)
                              for uid, r in builder.results.items()
                              if getattr(r.obj, "weights", None)})
        self.last_tensors = {uid: t for uid, r in builder.results.items()
                             if (t := _main_tensor(r)) is not None}
        self.last_model, self.built_version = model, self.version
        return model

    # -- events ----------------------------------------------------------------------------------
    def _on_change(self, event: GraphEvent):
        kind = event.kind
        if kind == "move":
            return
        self.version += 1
        if kind in ("add", "param"):
            self._dirty.add(event.uid)
        elif kind == "remove":
            self._count(self._entries.pop(event.uid, None), -1)
            self._dirty.discard(event.uid)
            self._publish_total()
        elif kind in ("connect", "disconnect"):
            self._dirty.update(u for u in (event.wire.source, event.wire.target)
                               if u in self.graph.cards)
            if event.wire.source in self.graph.cards and not _carries_tensor(self.graph,
                                                                               event.wire):
                self._regroup.add(event.wire.source)
        if self._dirty:
            self._after_cell.request(self._mode)  # deferred: waits for refresh(), build(), ...

    # -- the cache -----------------------------------------------------------------------------
    def _store(self, uid, signature, result: CardResult):
        entry = _Entry(signature, result)
        self._count(self._entries.get(uid), -1)
        self._count(entry, +1)
        self._entries[uid] = entry
        self._touched.append(uid)
        self.last_rebuilt.append(self.graph.cards[uid].name)

    def _count(self, entry, sign: int):
        """Keep the running total of parameter counts (``ed.total_params``) up to date."""
        if entry is None or entry.param_count is None:
            return
        self._counted += sign
        uses = self._uses
        for key, size in entry.weights.items():  # a layer shared by two wrappers counts once
            n = uses.get(key, 0) + sign
            if n:
                uses[key] = n
            else:
                del uses[key]
            if n == (1 if sign > 0 else 0):
                self._total += sign * size

    # -- publishing ----------------------------------------------------------------------------
    def _publish(self):
        """Copy the entries built since the last publish onto their cards and wires, all in one
        ``publish_many`` (one message to the view)."""
        touched, self._touched = dict.fromkeys(self._touched), []
        graph = self.graph
        cards, wires = {}, {}
        for uid in touched:
            entry = self._entries.get(uid)
            if entry is None or uid not in graph.cards:
                continue
            err = entry.result.error
            cards[uid] = {"error": str(err) if err is not None else "",
                          "output_shape": entry.shape, "param_count": entry.param_count}
            for w in graph.wires_from(uid) + graph.wires_into(uid):
                if w.id in wires or not _carries_tensor(graph, w):
                    continue
                src = self._entries.get(w.source)
                shape = src.shapes.get(w.source_port) if src and src.result.error is None else None
                wires[w.id] = {"shape": shape or ""}
        regroup, self._regroup = self._regroup, set()
        for uid, names in self._sharing(list(touched) + list(regroup)).items():
            cards.setdefault(uid, {})["shared_by"] = names
        self.editor.publish_many(cards, wires)
        self._publish_total()

    def _sharing(self, touched) -> dict:
        """``card.shared_by`` of the cards built anew and of the cards sharing a layer with
        them (a wire into a wrapper or 'Call layer' card changes its whole group)."""
        graph = self.graph
        groups = {}
        for uid in touched:
            if uid in graph.cards:
                group = sharing(graph, uid)
                for u in group or [uid]:
                    groups[u] = group
        return {uid: [graph.cards[u].name for u in group if u != uid]
                for uid, group in groups.items()}

    def _publish_total(self):
        self.editor.total_params = self._total if self._counted else None


def _main_tensor(result: CardResult):
    out = result.output
    if isinstance(out, (list, tuple)):
        out = out[0] if out else None
    return out


def _measure(result: CardResult):
    """(trainable parameter count, {output port: shape text}) of a built card."""
    count, shapes, _ = _measure_weights(result)
    return count, shapes


def _measure_weights(result: CardResult):
    """``_measure`` and {id of each trainable weight variable: its size}."""
    if result.error is not None:
        return None, {}, {}
    shapes = {}
    for port, tensor in result.outputs.items():
        if isinstance(tensor, (list, tuple)):
            tensor = tensor[0] if tensor else None
        if tensor is not None:
            shapes[port] = shape_text(tensor.shape)
    if not shapes:
        return None, {}, {}  # a layer used only as a wrapper's "Layer" (or an initializer...)
    layer = result.obj
    if layer is None:  # Input and Output cards
        return 0, shapes, {}
    weights = {}
    for v in layer.trainable_weights:
        n = 1
        for d in v.shape:
            n *= int(d)
        weights[id(v)] = n
    return sum(weights.values()), shapes, weights


def _carries_tensor(graph: Graph, wire) -> bool:
    return graph.cards[wire.source].spec.output(wire.source_port).type == TENSOR

