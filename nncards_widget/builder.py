"""Turn a card graph into Keras objects and a functional ``keras.Model``.

One build loop, ``ModelBuilder(graph).build_cards(order, cache)``, serves ``ed.build()``, the
live shapes and inspection. The ``cache`` (a ``BuildCache``) is the seam: before building a card
the builder asks it for a result made earlier under the same *signature* (the card's kind, name,
parameters and the results wired into it), and hands it every card it builds anew. The live
shapes own such a cache; ``build()`` with no cache builds every card.

The builder reads the graph only through its public API (``cards``, ``wires_into``,
``wires_at``, ``wires_from``, ``topological_order``, ``upstream``) and the catalogue: how a
card's parameters and ports become Keras arguments is derived from the card spec, not written per
card. A card may have several Tensor inputs (passed to ``call()`` by their ``call_name``, or as a
list) and several Tensor outputs (elements of what ``call()`` returns), so ``CardResult.outputs``
holds the card's tensors by output-port name. Every error is a ``BuildError`` naming the card (and
port or parameter) at fault.

The model is exactly the drawn network: Output cards add no layer (the model's outputs are the
tensors wired into them, ``model.output_names`` their names). A layer object may be called by
several cards -- its own, wrappers fed by its Layer instance, 'Call layer' cards -- and is one set
of weights (``sharing``). Layers are built without their weights (``weights.deferred``); ``build``
checks sizes and makes the weights of the model's layers where it is called (inside a
``tf.distribute`` scope, for that strategy).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import itertools
import os
import re
import sys
import warnings
from dataclasses import dataclass, field

from . import catalog, weights
from .catalog import LAYER, TENSOR, port_short
from .errors import BuildError, DanglingCardWarning
from .graph import CardData, used_only_as_layer

__all__ = ["ModelBuilder", "BuildCache", "CardResult", "shape_text", "sharing"]

_serials = itertools.count(1)


def shape_text(shape) -> str:
    """``(None, 20, 16)``: the text shown for a tensor shape on cards, wires and in messages."""
    shape = tuple(shape)
    dims = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({dims},)" if len(shape) == 1 else f"({dims})"


@dataclass(eq=False)
class CardResult:
    """What building one card gave: its Keras object and output tensors, or the error.

    ``outputs`` maps output-port names to KerasTensors (an Input card's ``"data"``, a layer's
    ``"output"`` and any further Tensor outputs; an Output card's model output is ``"output"``).
    ``serial`` is unique per result: the signatures of the cards downstream name it.
    """

    obj: object = None  # the card's Keras object (layer, initializer, ...), None for Input/Output
    outputs: dict = field(default_factory=dict)  # output-port name -> KerasTensor
    error: BuildError | None = None
    inputs: dict = field(default_factory=dict)  # Tensor input-port name -> KerasTensor (or list)
    serial: int = field(default_factory=lambda: next(_serials))
    #: what the card was (kind, name, parameters, how it is used: ``signature()[:4]``)
    made_for: tuple = ()
    #: shapes only: the card's existing layer gave these outputs for new input shapes (see
    #: ``ModelBuilder(reuse_layers=True)``); its tensors belong in no model
    reused: bool = False

    @property
    def output(self):
        """The card's main tensor: its ``"output"`` port, else its first Tensor output."""
        if "output" in self.outputs:
            return self.outputs["output"]
        return next(iter(self.outputs.values()), None)


class BuildCache:
    """Where ``ModelBuilder.build_cards`` finds cards built before, and keeps the ones it builds.

    Override any of the three methods; this base class keeps nothing, so every card is built:

    * ``lookup(uid, signature)`` -> a ``CardResult`` made earlier for exactly this signature, to
      use again, or None;
    * ``latest(uid)`` -> the newest result of a card that is not being built now (a card upstream
      of ``order``), or None;
    * ``store(uid, signature, result)`` -- a card was built anew (``result.error`` may be set).
    """

    def lookup(self, uid: str, signature: tuple) -> CardResult | None:
        return None

    def latest(self, uid: str) -> CardResult | None:
        return None

    def store(self, uid: str, signature: tuple, result: CardResult) -> None:
        return None


class ModelBuilder:
    """Builds the Keras objects of a graph, card by card, in topological order.

    ``strict=True`` (``build()``) stops at the first error; ``strict=False`` records an error
    per card and goes on with every card whose inputs are still available, which is what live
    shapes need. With ``defer=True`` (the default) layers get uninitialized variables (no
    memory, see ``weights.deferred``); ``build()`` makes the weights of the model's layers.
    """

    def __init__(self, graph, strict: bool = True, defer: bool = True,
                 reuse_layers: bool = False):
        self.graph = graph
        self.strict = strict
        self.defer = defer
        #: live shapes: a layer card whose input shapes changed but which is otherwise the same
        #: gives its new shapes through its existing layer where Keras's input checks accept them
        #: (no layer made anew); the results are marked ``reused`` and go into no model
        self.reuse_layers = reuse_layers
        #: uid -> CardResult of every card built or taken from the cache by this builder
        self.results: dict = {}
        #: uids of the cards built anew (not taken from the cache), in build order
        self.rebuilt: list = []
        self._cache = BuildCache()

    # -- the build loop ---------------------------------------------------------------------
    def build_cards(self, order=None, cache: BuildCache | None = None, changed=None) -> dict:
        """Build the cards ``order`` (default: every card, in topological order); return the
        results by uid. Each card comes from ``cache`` when its signature is unchanged.

        ``changed``: the cards whose own content (parameters, wires) changed since the cache's
        results, when the caller knows them (live shapes): any other card of ``order`` whose
        inputs all gave the very results they gave before keeps its latest result without its
        signature being computed, so an update stops where results stop changing.

        A layer object may be called by several cards (its own card, wrappers, 'Call layer'
        cards): one set of weights. When a cached layer no longer fits a new call (its input
        shape changed), the layer is made anew and every card downstream of it is built again.
        """
        self._cache = cache if cache is not None else BuildCache()
        order = list(self.graph.topological_order() if order is None else order)
        self._force, self._fresh = set(), set()
        self._roots = None if changed is None else set(changed)
        self._moved: set = set()  # cards whose result is not the one they had before
        while True:
            try:
                with weights.deferred() if self.defer else contextlib.nullcontext():
                    for uid in order:
                        self._take_or_build(uid)
                return self.results
            except _Remake as again:
                self._force.add(again.uid)
                self._roots = None  # a layer made anew: every card of the new order is looked at
                self.results = {}
                order = self.graph.topological_order(
                    set(order) | self.graph.downstream([again.uid]))

    def signature(self, uid: str) -> tuple:
        """What a card's build depends on: kind, name, parameters, how it is used, and the
        results wired into it -- twice: by serial (``[4]``: the very upstream results) and by
        what they carry (``[5]``: the shape, dtype of each Tensor wired in; serials for other
        wires). A cache may take an entry whose ``[5]`` matches for shapes only (live shapes);
        a model needs ``[4]`` to match (its tensors must be connected)."""
        card = self.graph.cards[uid]
        by_serial, by_shape = [], []
        for w in self.graph.wires_into(uid):
            up = self._result_of(w.source)
            serial = up.serial if up is not None else 0
            by_serial.append((w.target_port, w.source_port, serial))
            tensor = up.outputs.get(w.source_port) if up is not None and up.error is None \
                else None
            if self._port_type(w) == TENSOR and tensor is not None \
                    and not isinstance(tensor, (list, tuple)):
                key = (tuple(tensor.shape), str(tensor.dtype), bool(getattr(tensor, "sparse", 0)))
            else:
                key = serial
            by_shape.append((w.target_port, w.source_port, key))
        by_serial.sort(key=lambda t: t[0])  # stable: the wire order within a port stays
        by_shape.sort(key=lambda t: t[0])
        return (card.card_id, card.name, repr(sorted(card.params.items())),
                self._needs_tensor(card), tuple(by_serial), tuple(by_shape))

    def _result_of(self, uid: str) -> CardResult | None:
        result = self.results.get(uid)
        return result if result is not None else self._cache.latest(uid)

    def _take_or_build(self, uid: str) -> CardResult:
        before = self._cache.latest(uid)
        if (self._roots is not None and before is not None and uid not in self._roots
                and not any(w.source in self._moved for w in self.graph.wires_into(uid))):
            self.results[uid] = before  # same content, same inputs: same result
            return before
        result = self._take_or_build_anew(uid)
        if result is not before:
            self._moved.add(uid)
        return result

    def _take_or_build_anew(self, uid: str) -> CardResult:
        signature = self.signature(uid)
        if uid not in self._force:
            hit = self._cache.lookup(uid, signature)
            if hit is not None and not (self.strict and hit.error is not None):
                self.results[uid] = hit
                return hit
        stale = self._stale_shared_layer(uid)
        if stale is not None:
            raise _Remake(stale)
        return self._build_anew(uid, signature)

    def _stale_shared_layer(self, uid: str) -> str | None:
        """The card whose (cached, already built) layer object ``uid`` calls, when that layer
        must be made anew: ``uid`` is new or its input shapes changed since its last build (a
        built layer keeps the shapes it was built for, e.g. a Dense kernel in a wrapper)."""
        wires = [w for w in self.graph.wires_into(uid)
                 if self._port_type(w) == LAYER and w.source not in self._fresh]
        if not wires:
            return None
        before = self._cache.latest(uid)
        if before is None or before.error is not None \
                or _input_shapes(before.inputs) != self._wired_shapes(uid):
            return wires[0].source
        return None

    def _wired_shapes(self, uid: str):
        """{Tensor port: [shapes of the tensors wired into it]} (None when one is missing)."""
        shapes = {}
        for w in self.graph.wires_into(uid):
            if self._port_type(w) != TENSOR:
                continue
            up = self._result_of(w.source)
            tensor = up.outputs.get(w.source_port) if up is not None else None
            if tensor is None or isinstance(tensor, (list, tuple)):
                return None
            shapes.setdefault(w.target_port, []).append(tuple(tensor.shape))
        return shapes

    def _build_anew(self, uid: str, signature: tuple) -> CardResult:
        result = self._shapes_through_layer(uid, signature) if self.reuse_layers else None
        if result is None:
            result = self._build_fresh(self.graph.cards[uid])
            self.rebuilt.append(uid)
            self._fresh.add(uid)
        result.made_for = signature[:4]
        self.results[uid] = result
        self._cache.store(uid, signature, result)
        return result

    def _build_fresh(self, card: CardData) -> CardResult:
        """The card built with new Keras objects; an error is raised (strict) or recorded."""
        try:
            return self._build_card_once(card)
        except _Remake:
            raise
        except BuildError as err:
            if self.strict:
                raise
            return CardResult(error=err)
        except Exception as exc:  # Keras raised something the steps below do not name
            err = BuildError(f"The {_label(card)} could not be built: {_first_line(exc)}",
                             card=card.name)
            if self.strict:
                raise err from exc
            return CardResult(error=err)

    def _shapes_through_layer(self, uid: str, signature: tuple) -> CardResult | None:
        """The outputs of a layer card for its new input shapes, from the layer it already has:
        ``compute_output_spec`` after the input checks a call makes (``layer.input_spec``, set by
        Keras layers when they build, pins what their weights depend on). None when that does not
        apply: the card changed, its layer is called by other cards or takes objects through
        ports, it has no input spec, or Keras refuses the new shapes (then it is made anew).
        An Input edit that changes every shape (a rank change) costs a shape inference per card
        instead of a new layer per card."""
        before = self._cache.latest(uid)
        card = self.graph.cards[uid]
        if (uid in self._force or before is None or before.error is not None
                or before.made_for != signature[:4]
                or card.spec.role != "layer" or not before.outputs or not before.inputs):
            return None
        layer = before.obj
        if getattr(layer, "input_spec", None) is None or not getattr(layer, "built", False):
            return None
        if any(self._port_type(w) != TENSOR for w in self.graph.wires_into(uid)) or any(
                card.spec.output(w.source_port).type != TENSOR
                for w in self.graph.wires_from(uid)):
            return None  # objects wired in, or its layer object called by other cards too
        inputs = self._tensor_inputs(card)
        if isinstance(inputs, CardResult):
            return None
        try:
            returned = self._call(card, layer, inputs, call=_shapes_only(layer))
        except Exception:  # the layer does not take the new shapes: made anew below
            return None
        outputs = self._split_outputs(card, returned)
        if isinstance(outputs, CardResult):
            return None
        return CardResult(obj=layer, outputs=outputs, inputs=inputs, reused=True)

    # -- one card -------------------------------------------------------------------------------
    def _build_card_once(self, card: CardData) -> CardResult:
        """``_build_card``; a layer that must assign values while it is built (which deferred
        variables do not allow) is built again with its weights made at once."""
        try:
            result = self._build_card(card)
        except BuildError as err:
            if not (self.defer and _NEEDS_VALUES in str(err)):
                raise
            result = CardResult(error=err)
        if result.error is not None and self.defer and _NEEDS_VALUES in str(result.error):
            with weights.concrete():
                return self._build_card(card)
        return result

    def _port_type(self, wire) -> str:
        return self.graph.cards[wire.target].spec.input(wire.target_port).type

    def _fail(self, card: CardData, message: str, port=None, param=None) -> CardResult:
        err = BuildError(message, card=card.name, port=port, param=param)
        if self.strict:
            raise err
        return CardResult(error=err)

    def _needs_tensor(self, card: CardData) -> bool:
        """A card used only as a wrapper's 'Layer instance' is not called on a tensor."""
        return card.spec.role == "output" or not used_only_as_layer(self.graph, card.uid)

    def _build_card(self, card: CardData) -> CardResult:
        spec = card.spec
        problem = self._check_ports_and_params(card)
        if problem is not None:
            return problem
        if spec.role == "input":
            return CardResult(outputs={"data": self._input_tensor(card)})
        if spec.role in ("initializer", "regularizer", "constraint"):
            return CardResult(obj=self._make_object(card))
        inputs = self._tensor_inputs(card)
        if isinstance(inputs, CardResult):
            return inputs  # an error
        if spec.role == "output":  # adds no layer: the model's output is the tensor wired in
            return CardResult(outputs={"output": inputs["data"]}, inputs=inputs)
        if spec.role == "apply":
            return self._apply_shared(card, inputs)
        try:
            layer = self._make_object(card)
        except _Upstream as up:
            return self._fail(card, f"The {_label(card)} cannot be built because the layer "
                                    f"wired into it comes from card '{up.card.name}', which has "
                                    f"an error.")
        result = CardResult(obj=layer, inputs=inputs)
        if not inputs:
            return result  # a layer used only as a wrapper's Layer instance
        try:
            returned = self._call(card, layer, inputs)
        except Exception as exc:
            return self._call_failed(card, inputs, exc)
        outputs = self._split_outputs(card, returned)
        if isinstance(outputs, CardResult):
            return outputs
        result.outputs = outputs
        return result

    def _apply_shared(self, card: CardData, inputs: dict) -> CardResult:
        """A 'Call layer' card: the layer object of the card wired into its Layer port, called
        on the card's own inputs (one tensor as is, several as a list in wire order)."""
        port = next(p for p in card.spec.ports if p.type == LAYER)
        try:
            layer = self._port_object(card, port)
        except _Upstream as up:
            return self._fail(card, f"The {_label(card)} cannot be built because the layer "
                                    f"wired into it comes from card '{up.card.name}', which has "
                                    f"an error.", port=port.name)
        if layer is None or not callable(layer):
            source = self.graph.cards[self.graph.wires_at(card.uid, port.name)[0].source]
            return self._fail(card, f"The {_label(card)} needs a layer, but card "
                                    f"'{source.name}' ({source.spec.title}) gives none.",
                              port=port.name)
        tensors = [inputs[p.name] for p in card.spec.ports if p.type == TENSOR and p.name in inputs]
        args = [t[0] if isinstance(t, list) and len(t) == 1 else t for t in tensors]
        try:
            returned = layer(*args)
        except Exception as exc:
            return self._call_failed(card, inputs, exc)
        return CardResult(outputs={"output": returned}, inputs=inputs)

    def _call_failed(self, card: CardData, inputs: dict, exc: Exception) -> CardResult:
        """A layer refused the card's inputs. When the layer came, already built, from another
        card (a shared layer taken from the cache), it is made anew first (``_Remake``)."""
        for w in self.graph.wires_into(card.uid):
            if self._port_type(w) == LAYER and w.source not in self._fresh:
                raise _Remake(w.source) from exc
        shapes = ", ".join(f"'{card.spec.input(k).label}' has shape {_shapes_of(v)}"
                           for k, v in inputs.items())
        shared = [self.graph.cards[u].name for u in sharing(self.graph, card.uid)
                  if u != card.uid]
        note = (f" (its layer is shared with card{'s' if len(shared) > 1 else ''} "
                f"{', '.join(map(repr, shared))}, which fixes the shapes it accepts)"
                if shared else "")
        return self._fail(card, f"The {_label(card)} cannot be applied to its "
                                f"input{'s' if len(inputs) > 1 else ''}: {shapes}{note}. "
                                f"Keras says: {_first_line(exc)}")

    def _check_ports_and_params(self, card: CardData) -> CardResult | None:
        for p in card.spec.ports:
            if p.required and p.type != TENSOR and not self.graph.wires_at(card.uid, p.name):
                return self._fail(card, f"The {_label(card)} has nothing connected to its "
                                        f"input '{p.label}': connect a {port_short(p.type)} "
                                        f"output to it. {p.help}".strip(), port=p.name)
        for p in card.spec.params:
            value = card.params.get(p.name, p.default)
            if p.required and (value is None or value == []):
                return self._fail(card, f"The {_label(card)} needs a value for parameter "
                                        f"'{p.label}' ({p.name}): {p.describe_allowed()}.",
                                  param=p.name)
        return None

    def _input_tensor(self, card: CardData):
        import keras

        shape = tuple(None if d is not None and d < 0 else d for d in card.params["shape"])
        accepted = _parameters(keras.Input)
        extra = {p.keras_arg or p.name: card.params[p.name] for p in card.spec.params
                 if p.name not in ("shape", "name") and (p.keras_arg or p.name) in accepted
                 and card.params.get(p.name) is not None}
        return keras.Input(shape=shape, name=card.name, **extra)

    def _tensor_inputs(self, card: CardData):
        """Port name -> tensor (a list in wire order on an 'n' port), or a failed CardResult."""
        inputs = {}
        for p in card.spec.ports:
            if p.type != TENSOR:
                continue
            wires = self.graph.wires_at(card.uid, p.name)
            if not wires:
                if p.optional or not self._needs_tensor(card):
                    continue
                return self._fail(card, f"The {_label(card)} has nothing connected to its "
                                        f"input '{p.label}': connect a Tensor output to it.",
                                  port=p.name)
            tensors = []
            for w in wires:
                src = self.graph.cards[w.source]
                up = self._result_of(w.source)
                if up is None or up.error is not None:
                    return self._fail(card, f"The {_label(card)} cannot be built because its "
                                            f"input '{p.label}' comes from card '{src.name}', "
                                            f"which has an error.", port=p.name)
                tensor = up.outputs.get(w.source_port)
                if tensor is None:
                    out = src.spec.output(w.source_port)
                    return self._fail(card, f"The {_label(card)} cannot be built because its "
                                            f"input '{p.label}' comes from output '{out.label}' "
                                            f"of card '{src.name}', which gives no tensor"
                                            f"{_when_off(src, out)}.", port=p.name)
                tensors.append(tensor)
            inputs[p.name] = tensors if p.is_list else tensors[0]
        return inputs

    def _call(self, card: CardData, layer, inputs: dict, call=None):
        """Call the layer: Tensor ports with a ``call_name`` by that name (the one naming
        ``call()``'s first parameter positionally), else one tensor as is, several as a list.
        ``call``: what is called in the layer's place with those arguments (default: the layer)."""
        spec = card.spec
        call = call or layer
        kwargs = {p.keras_arg: card.params[p.name] for p in spec.params if p.call_arg}
        tensor_ports = [p for p in spec.ports if p.type == TENSOR]
        if any(getattr(p, "call_name", None) for p in tensor_ports):
            first = _first_call_parameter(type(layer))
            args = []
            for p in tensor_ports:
                if p.name not in inputs:
                    continue  # an optional port left unconnected: Keras's default
                name = getattr(p, "call_name", None) or p.name
                if name == first:
                    args.append(inputs[p.name])
                else:
                    kwargs[name] = inputs[p.name]
            return call(*args, **kwargs)
        if spec.call_inputs:
            return call([inputs[n] for n in spec.call_inputs], **kwargs)
        if len(tensor_ports) == 1:
            return call(inputs[tensor_ports[0].name], **kwargs)
        return call([inputs[p.name] for p in tensor_ports if p.name in inputs], **kwargs)

    def _split_outputs(self, card: CardData, returned):
        """Output-port name -> tensor, from what ``call()`` returned.

        A port with an ``index`` takes that element of a returned tuple/list (index 0 of a single
        tensor is the tensor: LSTM returns a list only with ``return_state``); a port whose
        ``when`` parameter is off is left out.
        """
        outputs = {}
        for o in card.spec.outputs:
            if o.type != TENSOR:
                continue
            when = getattr(o, "when", None)
            if when and not card.params.get(when):
                continue
            index = getattr(o, "index", None)
            if index is None:
                outputs[o.name] = returned
            elif isinstance(returned, (list, tuple)):
                if index >= len(returned):
                    return self._fail(card, f"The {_label(card)} returned {len(returned)} "
                                            f"tensors, so its output '{o.label}' (element "
                                            f"{index}) has none.")
                outputs[o.name] = returned[index]
            elif index == 0:
                outputs[o.name] = returned
            else:
                return self._fail(card, f"The {_label(card)} returned one tensor, so its output "
                                        f"'{o.label}' (element {index}) has none.")
        return outputs

    # -- Keras objects ------------------------------------------------------------------------
    def _port_object(self, card: CardData, inp: catalog.InputSpec):
        """The Keras object wired into a non-tensor port (initializer, layer, ...) or None."""
        wires = self.graph.wires_at(card.uid, inp.name)
        if not wires:
            return None
        source = self.graph.cards[wires[0].source]
        if inp.type == LAYER:
            upstream = self._result_of(source.uid)
            if upstream is None or upstream.error is not None:
                raise _Upstream(source)
            return upstream.obj
        return self._make_object(source)  # a fresh initializer/regularizer/constraint per use

    def keras_kwargs(self, card: CardData) -> dict:
        """Constructor arguments for the card's Keras class, from its parameters and ports."""
        spec = card.spec
        packed = set()
        kwargs = {}
        if spec.pack:
            for arg, layout in spec.pack.items():
                kwargs[arg] = _pack(layout, card.params, packed)
        for p in spec.inputs:
            if p.name in packed or p.call_arg or p.keras_arg is None:
                continue
            if p.is_param:
                value = card.params.get(p.name, p.default)
                if value is None and (p.optional or p.required):
                    continue  # leave Keras its own default
                if p.is_list:
                    value = tuple(value)
                    if p.name in ("axis", "axes") and len(value) == 1:
                        value = value[0]
                kwargs[p.keras_arg] = value
            elif p.type != TENSOR:
                obj = self._port_object(card, p)
                if obj is not None:
                    kwargs[p.keras_arg] = obj
        if spec.role in ("layer", "merge", "wrapper"):
            kwargs["name"] = card.name
        return kwargs

    def _keras_class(self, card: CardData):
        for p in card.spec.params:
            if p.keras_class_if_set and card.params.get(p.name) is not None:
                module, _, name = p.keras_class_if_set.rpartition(".")
                return getattr(importlib.import_module(module), name)
        return card.spec.keras_type()

    def _make_object(self, card: CardData):
        kwargs = self.keras_kwargs(card)
        cls = self._keras_class(card)
        # Every layer has a settable ``trainable``, though a few constructors do not take it.
        later = {}
        if "trainable" in kwargs and not _accepts(cls, "trainable"):
            later["trainable"] = kwargs.pop("trainable")
        try:
            obj = cls(**kwargs)
        except Exception as exc:  # Keras refused the arguments
            raise BuildError(f"The {_label(card)} could not be created with "
                             f"{_kwargs_text(kwargs)}: {_first_line(exc)}", card=card.name) from exc
        for name, value in later.items():
            setattr(obj, name, value)
        return obj

    def content_signature(self, uid: str) -> tuple:
        """What a built card's weights depend on: its kind, its parameters but its name, and the
        shapes of its inputs (``WeightStore`` keeps the weights of a card while it holds)."""
        card = self.graph.cards[uid]
        result = self.results.get(uid)
        shapes = _input_shapes(result.inputs) if result is not None else {}
        return (card.card_id, repr(sorted((k, v) for k, v in card.params.items() if k != "name")),
                repr(sorted(shapes.items())), self._object_ports(uid, frozenset([uid])))

    def _object_ports(self, uid: str, seen: frozenset) -> tuple:
        """What is wired into a card's non-Tensor ports (initializer, regularizer, constraint,
        wrapped layer), as kinds and parameters: re-initialising a layer with another initializer
        is a change of its weights' meaning, so it must not keep the old weights."""
        ports = []
        for w in self.graph.wires_into(uid):
            if self._port_type(w) == TENSOR or w.source in seen:
                continue
            src = self.graph.cards[w.source]
            params = repr(sorted((k, v) for k, v in src.params.items() if k != "name"))
            ports.append((w.target_port, src.card_id, params,
                          self._object_ports(w.source, seen | {w.source})))
        return tuple(sorted(ports))

    # -- the model ------------------------------------------------------------------------------
    def build(self, cache: BuildCache | None = None):
        """The functional model of the graph (strict): inputs = Input cards, outputs = Output
        cards. Cards come from ``cache`` where their signature allows."""
        import keras

        graph = self.graph
        inputs = [c for c in graph.cards.values() if c.spec.role == "input"]
        outputs = [c for c in graph.cards.values() if c.spec.role == "output"]
        if not inputs:
            raise BuildError("The network has no Input card: add an 'input' card, set its Shape "
                             "and wire its Data output into the first layer.")
        if not outputs:
            raise BuildError("The network has no Output card: add an 'output' card and wire the "
                             "last layer's Output into its Data input.")
        _check_names(graph)
        used = set()
        for c in outputs:
            used |= graph.upstream(c.uid)
        for uid, c in graph.cards.items():
            if uid not in used:
                warnings.warn(f"Card '{c.name}' ({c.spec.title}) is not connected to any Output "
                              f"card; it is left out of the model.", DanglingCardWarning,
                              stacklevel=_caller_stacklevel())
        for c in inputs:
            if c.uid not in used:
                raise BuildError(f"Input card '{c.name}' is not connected to any Output card: "
                                 f"wire it into the network or remove it.", card=c.name)
        self.build_cards([u for u in graph.topological_order() if u in used], cache)
        # One Output card: the model's output is that tensor, so predict() gives an array and
        # fit() takes an array of targets, as for any single-output Keras model. Several: a dict
        # keyed by Output card name (predict() gives a dict, fit(y={"name": ...}) matches them).
        # Output cards add no layer; ``model.output_names`` are their names all the same.
        layers = {graph.cards[uid].name: r.obj for uid, r in self.results.items()
                  if isinstance(r.obj, keras.layers.Layer)}
        weights.check_sizes(layers)  # before any weight is made
        tensors = {c.name: self.results[c.uid].output for c in outputs}
        model = keras.Model(inputs=[self.results[c.uid].output for c in inputs],
                            outputs=tensors if len(tensors) > 1 else next(iter(tensors.values())),
                            name="network")
        model.output_names = keras.tree.flatten({name: name for name in tensors})
        weights.initialize(model.variables)
        return model


def _check_names(graph) -> None:
    """Names must be unique among the cards that become layers (Input cards included) and
    among Output cards; an Output card may share its name with the layer it follows."""
    seen = {}
    for c in graph.cards.values():
        key = (c.spec.role == "output", c.name)
        other = seen.get(key)
        if other is not None:
            kind = ("Input/Output name" if {c.spec.role, other.spec.role} & {"input", "output"}
                    else "card name")
            raise BuildError(f"Duplicate {kind} '{c.name}': card '{c.name}' ({c.spec.title}) "
                             f"and card '{other.name}' ({other.spec.title}) have the same "
                             f"name; rename one of them.", card=c.name, param="name")
        seen[key] = c


_NEEDS_VALUES = "while in a stateless scope"  # what Keras says when a layer needs real values


class _Remake(Exception):
    """A cached layer must be made anew: ``build_cards`` starts again, building ``uid`` and
    everything downstream of it."""

    def __init__(self, uid):
        super().__init__(uid)
        self.uid = uid


def sharing(graph, uid: str) -> list:
    """The uids of the cards that share one layer object with card ``uid``: the card that makes
    it and the wrappers and 'Call layer' cards fed by its Layer instance, in graph order; ``[]``
    when the layer is called only once."""
    owner = uid
    for w in graph.wires_into(uid):
        spec = graph.cards[w.target].spec
        if spec.input(w.target_port).type == LAYER:
            owner = w.source
            break
    users = [w.target for w in graph.wires_from(owner)
             if graph.cards[owner].spec.output(w.source_port).type == LAYER]
    callers = ([] if used_only_as_layer(graph, owner) else [owner]) + users
    if len(callers) < 2:
        return []
    order = {u: i for i, u in enumerate(graph.cards)}
    return sorted(dict.fromkeys([owner] + users), key=order.get)


class _Upstream(Exception):
    """A port object could not be made because the card feeding it failed."""

    def __init__(self, card):
        super().__init__(card.name)
        self.card = card


def _label(card: CardData) -> str:
    return f"card '{card.name}' ({card.spec.title})"


def _when_off(card: CardData, out) -> str:
    when = getattr(out, "when", None)
    if when and not card.params.get(when):
        return f" while its parameter '{card.spec.input(when).label}' is off"
    return ""


def _input_shapes(inputs: dict) -> dict:
    """{port: [shapes]} of a CardResult's ``inputs``."""
    return {port: [tuple(t.shape) for t in (v if isinstance(v, (list, tuple)) else [v])]
            for port, v in inputs.items()}


def _shapes_of(value) -> str:
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(shape_text(t.shape) for t in value) + "]"
    return shape_text(value.shape)


def _shapes_only(layer):
    """A stand-in for calling a built ``layer``: the input checks of a call, then its output
    spec; unlike a call it adds no node to the layer, so shape updates do not pile up on it."""
    from keras.src.layers.input_spec import assert_input_compatibility

    def call(*args, **kwargs):
        first = args[0] if args else next(iter(kwargs.values()))
        assert_input_compatibility(layer.input_spec, first, layer_name=layer.name)
        return layer.compute_output_spec(*args, **kwargs)

    return call


@functools.lru_cache(maxsize=None)
def _first_call_parameter(layer_class) -> str | None:
    """The name of the first parameter of ``layer_class.call`` after ``self``."""
    params = list(inspect.signature(layer_class.call).parameters.values())[1:]
    return params[0].name if params else None


@functools.lru_cache(maxsize=None)
def _parameters(function) -> frozenset:
    return frozenset(inspect.signature(function).parameters)


@functools.lru_cache(maxsize=None)
def _accepts(cls, argument: str) -> bool:
    """Whether ``cls(...)`` takes ``argument`` (by name or through ``**kwargs``)."""
    params = inspect.signature(cls).parameters.values()
    return any(p.name == argument or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def _pack(layout, params, used):
    if isinstance(layout, str):
        used.add(layout)
        return params[layout]
    return tuple(_pack(x, params, used) for x in layout)


def _first_line(exc) -> str:
    """The first lines of an exception's message, without ANSI colours (for BuildErrors)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip() or type(exc).__name__
    lines = [line for line in text.splitlines() if line.strip()]
    return " ".join(lines[:3])[:600]


def _kwargs_text(kwargs) -> str:
    shown = {k: v for k, v in kwargs.items() if k != "name" and not hasattr(v, "get_config")}
    return ", ".join(f"{k}={v!r}" for k, v in shown.items()) or "its parameters"


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _caller_stacklevel() -> int:
    """The ``stacklevel`` of the first frame outside this package (the user's call)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) \
            == _PACKAGE_DIR:
        frame, level = frame.f_back, level + 1
    return level
