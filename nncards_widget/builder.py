"""Turn a card graph into a live functional ``keras.Model``.

The builder reads only ``GraphData`` (plain snapshots of cards and wires) and the catalogue: how
a card's parameters and ports become Keras arguments is derived from the card spec, not written
per card. Every error is a ``BuildError`` naming the card (and port or parameter) at fault.
"""

from __future__ import annotations

import importlib
import re
import warnings
from dataclasses import dataclass, field

from . import catalog
from .errors import BuildError, DanglingCardWarning
from .graph import CardData, GraphData, port_short

__all__ = ["ModelBuilder", "build_model", "CardResult"]

TENSOR = "NeuralNetworkTensor"
LAYER = "NeuralNetworkLayer"


def _shape_text(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _tensor_shape(t):
    return tuple(t.shape)


@dataclass
class CardResult:
    """What building one card gave: its Keras object and output tensor, or the error."""

    obj: object = None
    output: object = None  # KerasTensor of the card's tensor output
    error: BuildError | None = None
    inputs: dict = field(default_factory=dict)  # port name -> KerasTensor


class ModelBuilder:
    """Builds the Keras objects of a graph, card by card, in topological order.

    ``strict=True`` (``build()``) stops at the first error; ``strict=False`` records an error
    per card and goes on with every card whose inputs are still available, which is what live
    shapes need.
    """

    def __init__(self, graph: GraphData, strict: bool = True):
        self.graph = graph
        self.strict = strict
        self.results: dict = {}
        self._into = {}
        for w in graph.wires:
            self._into.setdefault(w.target, {})[w.target_port] = w

    # -- helpers --------------------------------------------------------------------------
    def _label(self, card: CardData) -> str:
        return f"card '{card.name}' ({card.spec.title})"

    def _fail(self, card: CardData, message: str, port=None, param=None):
        err = BuildError(message, card=card.name, port=port, param=param)
        if self.strict:
            raise err
        self.results[card.uid] = CardResult(error=err)
        return None

    def _wire(self, card: CardData, port: str):
        return self._into.get(card.uid, {}).get(port)

    def _port_object(self, card: CardData, inp: catalog.InputSpec):
        """The Keras object wired into a non-tensor port (initializer, layer, ...) or None."""
        wire = self._wire(card, inp.name)
        if wire is None:
            return None
        source = self.graph.cards[wire.source]
        if inp.type == LAYER:
            upstream = self.results.get(source.uid)
            if upstream is None or upstream.error is not None:
                raise _Upstream(source)
            return upstream.obj
        return self._make_object(source)  # a fresh initializer/regularizer/constraint per use

    def _check_params(self, card: CardData):
        for p in card.spec.ports:
            if p.required and p.type != TENSOR and self._wire(card, p.name) is None:
                return self._fail(card, f"The {self._label(card)} has nothing connected to its "
                                        f"input '{p.label}': connect a {port_short(p.type)} "
                                        f"output to it. {p.help}".strip(), port=p.name)
        for p in card.spec.params:
            value = card.params.get(p.name, p.default)
            if p.required and (value is None or value == []):
                return self._fail(card, f"The {self._label(card)} needs a value for parameter "
                                        f"'{p.label}' ({p.name}): {p.describe_allowed()}.",
                                  param=p.name)
        return True

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
        try:
            return cls(**kwargs)
        except _Upstream:
            raise
        except Exception as exc:  # Keras refused the arguments
            raise BuildError(f"The {self._label(card)} could not be created with "
                             f"{_kwargs_text(kwargs)}: {_first_line(exc)}", card=card.name) from exc

    # -- building -------------------------------------------------------------------------
    def _build_card(self, card: CardData):
        import keras

        spec = card.spec
        if self._check_params(card) is None:
            return
        if spec.role == "input":
            shape = tuple(None if d is not None and d < 0 else d for d in card.params["shape"])
            tensor = keras.Input(shape=shape, name=card.name)
            self.results[card.uid] = CardResult(output=tensor)
            return
        if spec.role in ("initializer", "regularizer", "constraint"):
            try:
                obj = self._make_object(card)
            except BuildError as err:
                return self._fail(card, str(err))
            self.results[card.uid] = CardResult(obj=obj)
            return
        # Tensor inputs of this card
        inputs = {}
        for p in spec.ports:
            if p.type != TENSOR:
                continue
            wire = self._wire(card, p.name)
            if wire is None:
                if self._needs_tensor(card):
                    return self._fail(card, f"The {self._label(card)} has nothing connected to its "
                                            f"input '{p.label}': connect a Tensor output to it.",
                                      port=p.name)
                continue
            upstream = self.results.get(wire.source)
            if upstream is None or upstream.error is not None or upstream.output is None:
                src = self.graph.cards[wire.source]
                return self._fail(card, f"The {self._label(card)} cannot be built because its input "
                                        f"'{p.label}' comes from card '{src.name}', which has an "
                                        f"error.", port=p.name)
            inputs[p.name] = upstream.output
        if spec.role == "output":
            tensor = keras.layers.Identity(name=card.name)(inputs["data"])
            self.results[card.uid] = CardResult(output=tensor, inputs=inputs)
            return
        try:
            layer = self._make_object(card)
        except _Upstream as up:
            return self._fail(card, f"The {self._label(card)} cannot be built because the layer "
                                    f"wired into it comes from card '{up.card.name}', which has an "
                                    f"error.")
        except BuildError as err:
            return self._fail(card, str(err))
        result = CardResult(obj=layer, inputs=inputs)
        self.results[card.uid] = result
        if inputs:
            try:
                result.output = self._call(card, layer, inputs)
            except Exception as exc:
                shapes = ", ".join(f"'{spec.input(k).label}' has shape "
                                   f"{_shape_text(_tensor_shape(v))}" for k, v in inputs.items())
                return self._fail(card, f"The {self._label(card)} cannot be applied to its "
                                        f"input{'s' if len(inputs) > 1 else ''}: {shapes}. "
                                        f"Keras says: {_first_line(exc)}")

    def _needs_tensor(self, card: CardData) -> bool:
        """A layer card used only as a 'Layer instance' (wrapped) needs no tensor input."""
        wires = self.graph.wires_from(card.uid)
        if card.spec.role == "output":
            return True
        return not wires or any(w.source_port != "layer_instance" for w in wires)

    def _call(self, card: CardData, layer, inputs: dict):
        spec = card.spec
        call_kwargs = {p.keras_arg: card.params[p.name] for p in spec.params if p.call_arg}
        names = spec.call_inputs or tuple(p.name for p in spec.ports if p.type == TENSOR)
        if len(names) == 1 and not spec.call_inputs:
            return layer(inputs[names[0]], **call_kwargs)
        return layer([inputs[n] for n in names], **call_kwargs)

    def run(self, order=None):
        """Build every card (all of them, or ``order``) and return the results by uid."""
        for uid in order or self.graph.topological_order():
            self._build_card(self.graph.cards[uid])
        return self.results

    def build(self):
        """The functional model of the graph (strict): inputs = Input cards, outputs = Output cards."""
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
        seen = {}
        for c in graph.cards.values():
            if c.name in seen:
                other = seen[c.name]
                kind = ("Input/Output name" if {c.spec.role, other.spec.role} & {"input", "output"}
                        else "card name")
                raise BuildError(f"Duplicate {kind} '{c.name}': card '{c.name}' ({c.spec.title}) "
                                 f"and card '{other.name}' ({other.spec.title}) have the same name; "
                                 f"rename one of them.", card=c.name, param="name")
            seen[c.name] = c
        used = set()
        for c in outputs:
            used |= graph.upstream(c.uid)
        for uid in graph.cards:
            if uid not in used:
                c = graph.cards[uid]
                warnings.warn(f"Card '{c.name}' ({c.spec.title}) is not connected to any Output "
                              f"card; it is left out of the model.", DanglingCardWarning,
                              stacklevel=5)
        for c in inputs:
            if c.uid not in used:
                raise BuildError(f"Input card '{c.name}' is not connected to any Output card: "
                                 f"wire it into the network or remove it.", card=c.name)
        self.run([u for u in graph.topological_order() if u in used])
        # One Output card: the model's output is that tensor, so predict() gives an array and
        # fit() takes an array of targets, as for any single-output Keras model. Several: a dict
        # keyed by Output card name (predict() gives a dict, fit(y={"name": ...}) matches them).
        tensors = {c.name: self.results[c.uid].output for c in outputs}
        model = keras.Model(inputs=[self.results[c.uid].output for c in inputs],
                            outputs=tensors if len(tensors) > 1 else next(iter(tensors.values())),
                            name="network")
        return model


class _Upstream(Exception):
    """A port object could not be made because the card feeding it failed."""

    def __init__(self, card):
        super().__init__(card.name)
        self.card = card


def _pack(layout, params, used):
    if isinstance(layout, str):
        used.add(layout)
        return params[layout]
    return tuple(_pack(x, params, used) for x in layout)


def _first_line(exc) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip() or type(exc).__name__  # no ANSI bold
    lines = [l for l in text.splitlines() if l.strip()]
    return " ".join(lines[:3])[:600]


def _kwargs_text(kwargs) -> str:
    shown = {k: v for k, v in kwargs.items() if k != "name" and not hasattr(v, "get_config")}
    return ", ".join(f"{k}={v!r}" for k, v in shown.items()) or "its parameters"


def build_model(graph: GraphData):
    """Build the functional ``keras.Model`` of a graph snapshot."""
    return ModelBuilder(graph, strict=True).build()
