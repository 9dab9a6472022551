"""Cards made in the kernel: custom layer classes and nested models.

*Custom layers.* ``ed.add(MyLayer, factor=0.5)`` with any ``keras.layers.Layer`` subclass makes a
card from the class's ``__init__`` signature, the way the catalogue makes its generated cards
(``keras_catalog.card_entry``). Parameters are typed from defaults / annotations / docstrings;
an argument no parameter type can hold is a row of type ``"Python"``: any Python value, kept in
the kernel, shown read-only on the canvas, refused by ``to_json``. The card id is
``"custom:<registered name>"`` (``keras.saving.get_registered_name``): a saved graph names the
class that way, and loading it looks the name up among the classes registered with Keras in
this kernel (``keras.saving.register_keras_serializable``) or exported by ``keras.layers`` --
nothing named in a file is ever imported or run.

*Nested models.* A ``keras.Model`` used as a layer is one card whose parameter ``graph`` holds
the inner model as a saved-graph document (``to_json`` form, kept inside the card entry when
saved). Its card id ``"model:[[inputs], [outputs]]"`` names the inner Input and Output cards, which
are the card's Tensor ports. It builds as a sub-model (``build_nested``) called on its inputs;
``card.inner`` opens the inner graph as an editor of its own (a copy). On the canvas the card is a
collapsible group (js/src/groups.ts): ``card.expanded`` (view state, synced) draws its inner cards
in a frame, with the shapes ``inner_shapes`` computes once per inner graph.
"""

from __future__ import annotations

import json

from . import catalog
from .catalog import TENSOR, UnknownCardError

__all__ = ["PYTHON", "GRAPH", "spec_for_class", "layer_card", "model_card", "resolve",
           "build_nested", "inner_shapes", "inner_card_ids", "python_value", "is_kernel_card",
           "saved_form_problem"]

#: Parameter type of a value kept in the kernel (any Python object).
PYTHON = "Python"
#: Parameter type of a nested model's inner graph (a saved-graph document).
GRAPH = "Graph"

_CUSTOM = "custom:"
_MODEL = "model:"


# -- value types -----------------------------------------------------------------------------

class _PythonValue:
    allowed = "any Python value (kept in the kernel; read-only on the canvas)"

    @staticmethod
    def coerce(spec, value):
        return value  # None on a required row: "needs a value" (the builder says so)


class _GraphValue:
    allowed = "a card graph (the document NetworkEditor.to_json writes)"

    @staticmethod
    def coerce(spec, value):
        from .graph import Graph

        if isinstance(value, Graph):
            value = graph_document(value)
        if value is None and spec.required:
            return None  # a new card: "needs a value" until it has a graph
        if not isinstance(value, dict):
            raise ValueError(f"expected {_GraphValue.allowed}; received "
                             f"{type(value).__name__}")
        inner = load_inner(value)
        expected = _ports_of_id(spec.card_id)
        found = _port_names(inner)
        if expected is not None and found != expected:
            raise ValueError(f"the inner graph's Input and Output cards are {found}, but this "
                             f"card's ports are {expected}")
        return value


catalog.VALUE_TYPES.update({PYTHON: _PythonValue, GRAPH: _GraphValue})


def load_inner(doc):
    """The inner graph of a nested-model card, checked as a saved graph is."""
    from . import serialization

    return serialization.loads(doc)


def graph_document(graph) -> dict:
    """A graph as the document ``to_json`` writes (Python values left as they are)."""
    from . import serialization

    return {"format": serialization.FORMAT, "schema": 2,
            "cards": [serialization.card_to_dict(c) for c in graph.cards.values()],
            "wires": [serialization.wire_to_dict(w) for w in graph.wires.values()]}


def is_kernel_card(card_id: str) -> bool:
    """A card made in the kernel (custom class or nested model), not a catalogue card."""
    return card_id.startswith((_CUSTOM, _MODEL))


def saved_form_problem(card) -> str | None:
    """Why a card (CardData) cannot be saved as JSON, or None: a Python value is code or an
    object, which a saved graph cannot hold."""
    spec = card.spec
    for p in spec.params:
        value = card.params.get(p.name, p.default)
        if p.type == PYTHON and not _json_data(value):
            what = "Python code" if callable(value) else "a Python object"
            return (f"its parameter '{p.label}' ({p.name}) is {what} "
                    f"({catalog.short_repr(value)}), which a saved graph cannot hold; the card "
                    f"exists only in this kernel")
        if p.type == GRAPH:
            inner = load_inner(card.params[p.name])
            for c in inner.cards.values():
                problem = saved_form_problem(c)
                if problem:
                    return f"its inner card '{c.name}' cannot be saved: {problem}"
    return None


def _json_data(value) -> bool:
    """Plain JSON data (None, numbers, strings, lists, string-keyed dicts): savable as is."""
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return value == value and abs(value) != float("inf")
    if isinstance(value, (list, tuple)):
        return all(_json_data(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_data(v) for k, v in value.items())
    return False


# -- custom layer classes --------------------------------------------------------------------

def spec_for_class(cls) -> catalog.CardSpec:
    """The card of a layer class: its catalogue card when the catalogue has that very class,
    else a custom card made from the class."""
    import keras

    if not (isinstance(cls, type) and issubclass(cls, keras.layers.Layer)):
        raise UnknownCardError(f"Cannot make a card of {cls!r}: expected a card id, a Keras class "
                               f"name or a keras.layers.Layer subclass")
    if issubclass(cls, keras.Model):
        raise UnknownCardError(f"Cannot make a card of the model class {cls.__name__}: add a "
                               f"model instance (ed.add(model)) or import one with "
                               f"NetworkEditor.from_model")
    for key in (f"layer_{cls.__name__}", cls.__name__):
        try:
            spec = catalog.get(key)
        except UnknownCardError:
            continue
        if spec.keras_class and spec.keras_type() is cls and not spec.id.startswith("merge"):
            return spec
    return layer_card(cls)


def layer_card(cls, python_args=()) -> catalog.CardSpec:
    """Register (or refresh) the custom card of a layer class; returns its spec.

    ``python_args``: constructor arguments held as Python values even where a typed row could
    be made (an imported layer whose value the typed row cannot hold, e.g. a ``noise_shape``
    with None in it, or an initializer no card represents). They are part of the card id,
    ``"custom:Dropout?python=noise_shape"``, so a saved graph names the same card.
    """
    import keras

    from .catalog import keras_catalog

    python_args = tuple(sorted(set(python_args)))
    card_id = _CUSTOM + keras.saving.get_registered_name(cls)
    if python_args:
        card_id += "?python=" + ",".join(python_args)
    if getattr(catalog._registered_types.get(card_id), "layer_class", None) is cls:
        return catalog._registered[card_id]
    try:
        entry = keras_catalog.card_entry(cls.__name__, cls, python_rows=True)
    except (TypeError, ValueError) as exc:
        raise UnknownCardError(f"Cannot make a card of layer class {cls.__name__}: "
                               f"{exc}") from None
    builtin = cls.__module__.startswith("keras.")
    entry.update(id=card_id, title=f"{cls.__name__} layer ({'kernel' if builtin else 'custom'})",
                 keras_class=cls.__name__, keras_module=cls.__module__, keras_doc=None,
                 category=["Custom layers"])
    inputs = []
    for row in entry["inputs"]:
        if row.get("keras_arg", row["name"]) in python_args and row["type"] != TENSOR:
            row = {"label": row["label"], "name": row["name"], "type": PYTHON,
                   "multiplicity": "1", "kind": "param", "optional": True, "default": None,
                   "keras_arg": row.get("keras_arg", row["name"]),
                   "help": "A Python value, kept in the kernel (read-only on the canvas)."}
        inputs.append(row)
    entry["inputs"] = inputs
    keras_catalog._complete_layer(entry)
    for row in entry["inputs"]:
        row.setdefault("keras_arg", row["name"])
    spec = catalog.register(entry, _LayerFactory(cls))
    _forget_card_class(card_id)  # a class redefined in the notebook: a new Card class
    return spec


def accepts(cls, argument: str) -> bool:
    """Whether ``cls(...)`` takes ``argument`` (by name or through ``**kwargs``)."""
    import inspect

    params = inspect.signature(cls).parameters.values()
    return any(p.name == argument or p.kind is p.VAR_KEYWORD for p in params)


class _LayerFactory:
    """Makes a custom layer from card arguments. ``name``, ``trainable`` and ``dtype``, which
    every layer card has, are passed only when the class's constructor takes them (a class
    written as ``def __init__(self, units):`` does not); the name and trainable flag are then
    set on the layer made."""

    def __init__(self, layer_class):
        self.layer_class = layer_class

    def __call__(self, **kwargs):
        later = {k: kwargs.pop(k) for k in ("name", "trainable", "dtype")
                 if k in kwargs and not accepts(self.layer_class, k)}
        layer = self.layer_class(**kwargs)
        if "name" in later:
            layer.name = later["name"]
        if "trainable" in later:
            layer.trainable = later["trainable"]
        return layer


def layer_class(spec):
    """The class a kernel-made layer card builds (its catalogue class for other cards)."""
    made = spec.keras_type()
    return getattr(made, "layer_class", made)


def _forget_card_class(card_id: str) -> None:
    from . import cards

    cards._classes.pop(card_id, None)


def python_value(layer, arg: str, config: dict):
    """The value of constructor argument ``arg`` of a layer object: a function the layer keeps
    (``self.function``), else its config's value when that is plain data (savable), else the
    attribute the layer keeps it in (``self.factor = factor``)."""
    kept = _MISSING
    for attr in (arg, f"_{arg}"):
        if attr in getattr(layer, "__dict__", {}):
            kept = layer.__dict__[attr]
            break
    if callable(kept) and not isinstance(kept, type):
        return kept
    if arg in config and _json_data(config[arg]):
        return config[arg]
    return None if kept is _MISSING else kept


_MISSING = object()


# -- nested models ----------------------------------------------------------------------------

def _ports_of_id(card_id: str):
    if not card_id.startswith(_MODEL):
        return None
    try:
        ins, outs = json.loads(card_id[len(_MODEL):])
    except (ValueError, TypeError):
        return None
    return [list(ins), list(outs)]


def _port_names(graph) -> list:
    ins = [c.name for c in graph.cards.values() if c.card_id == "input"]
    outs = [c.name for c in graph.cards.values() if c.card_id == "output"]
    return [ins, outs]


def _model_spec(card_id: str, inputs: list, outputs: list) -> catalog.CardSpec:
    if card_id in catalog._registered:
        return catalog._registered[card_id]
    rows = [{"label": "Graph", "name": "graph", "type": GRAPH, "kind": "param",
             "required": True, "keras_arg": "graph",
             "help": "The inner model, as a card graph (card.inner opens it)."},
            {"label": "Sequential", "name": "sequential", "type": "Boolean", "kind": "param",
             "default": False, "keras_arg": "sequential",
             "help": "Build the inner model as a keras.Sequential (a chain of layers)."}]
    rows += [{"label": n, "name": f"in_{i}", "type": TENSOR, "kind": "port",
              "help": f"Input '{n}' of the inner model."} for i, n in enumerate(inputs)]
    outs = [{"label": "Layer instance", "name": "layer", "type": catalog.LAYER,
             "help": "The sub-model as a layer object."}]
    outs += [{"label": n, "name": "output" if i == 0 else f"out_{i}", "type": TENSOR,
              "index": i if len(outputs) > 1 else None,
              "help": f"Output '{n}' of the inner model."} for i, n in enumerate(outputs)]
    entry = {"id": card_id, "title": "Nested model", "category": ["Models"], "role": "layer",
             "keras_class": "Model", "keras_module": "keras", "keras_doc": None,
             "help": "A keras.Model used as a layer: its inner graph, built as a sub-model.",
             "inputs": rows, "outputs": outs}
    from .catalog import keras_catalog

    keras_catalog._complete_layer(entry)
    spec = catalog.register(entry, build_nested)
    _nested_card_class(spec)
    return spec


def _nested_card_class(spec):
    """The Card class of a nested-model card: the generated class plus ``inner`` and the group
    view state (``expanded``, ``inner_shapes``)."""
    from traitlets import Bool, Dict, observe

    from . import cards

    base = cards.card_class(spec)
    if getattr(base, "_nested", False):
        return base

    def _show_inner(card, _change=None):
        if card.expanded and card._shapes_of is not card.graph:
            card._shapes_of = card.graph
            card.set_trait("inner_shapes", inner_shapes(card.graph))

    cls = type(base.__name__, (base,), {
        "__doc__": f"{spec.title} card: ``card.inner`` opens its inner graph (a copy); "
                   f"``card.expanded`` draws it as a group on the canvas.",
        "_nested": True,
        "_shapes_of": None,
        "inner": property(inner_editor, doc=inner_editor.__doc__),
        #: Drawn on the canvas as an open group (its inner cards and wires in a frame). View
        #: state: synced with the canvas (its toggle sets it), not part of the saved graph.
        "expanded": Bool(False).tag(sync=True),
        #: Shape, parameter count and error of every inner card by inner uid (and the shape of
        #: each output port), computed when the group is first expanded.
        "inner_shapes": Dict(read_only=True).tag(sync=True),
        "_show_inner": observe("expanded", "graph")(_show_inner),
    })
    cards._classes[spec.id] = cls
    return cls


def model_card(graph) -> catalog.CardSpec:
    """The nested-model card spec for an inner graph (a ``keras.Model`` used as a layer)."""
    ins, outs = _port_names(graph)
    return _model_spec(_MODEL + json.dumps([ins, outs]), ins, outs)


def resolve(card_id: str) -> catalog.CardSpec:
    """The spec of a kernel-made card named in a saved graph, without importing anything."""
    if card_id in catalog._registered:  # e.g. the operation card, registered with this module
        return catalog._registered[card_id]
    if card_id.startswith(_MODEL):
        ports = _ports_of_id(card_id)
        if ports is None or not all(isinstance(n, str) for side in ports for n in side):
            raise UnknownCardError(f"Invalid nested-model card id {catalog.short_repr(card_id)}")
        return _model_spec(card_id, *ports)
    import keras

    name, _, python_args = card_id[len(_CUSTOM):].partition("?python=")
    cls = keras.saving.get_registered_object(name)
    if cls is None and "." not in name and ">" not in name:
        cls = getattr(keras.layers, name, None)
    if not (isinstance(cls, type) and issubclass(cls, keras.layers.Layer)):
        raise UnknownCardError(f"Custom layer class {name!r} is not registered in this kernel: "
                               f"define or import it with "
                               f"@keras.saving.register_keras_serializable() before loading (a "
                               f"saved graph never imports or runs code)")
    spec = layer_card(cls, tuple(a for a in python_args.split(",") if a))
    if spec.id != card_id:
        raise UnknownCardError(f"Custom layer class {name!r} is registered as "
                               f"{spec.id[len(_CUSTOM):]!r}")
    return spec


def build_nested(graph=None, name=None, trainable=True, dtype=None, sequential=False,
                 **_ignored):
    """The sub-model of a nested-model card: its inner graph built, outputs as a list in the
    order of the inner Output cards (what the card's output ports index); a keras.Sequential
    of the same layers when ``sequential``."""
    import keras

    from .builder import ModelBuilder

    inner = load_inner(graph)
    builder = ModelBuilder(inner)
    builder.build()
    ins = [builder.results[c.uid].output for c in inner.cards.values() if c.card_id == "input"]
    outs = [builder.results[c.uid].output for c in inner.cards.values() if c.card_id == "output"]
    model = keras.Model(ins if len(ins) > 1 else ins[0], outs if len(outs) > 1 else outs[0],
                        name=name)
    if sequential:
        first = ins[0]
        model = keras.Sequential([keras.Input(batch_shape=first.shape, dtype=first.dtype),
                                  *[layer for layer in model.layers
                                    if not isinstance(layer, keras.layers.InputLayer)]],
                                 name=name)
    model.trainable = trainable
    return model


def inner_shapes(doc) -> dict:
    """``{inner uid: {"output_shape", "param_count", "error", "ports"}}`` of a nested-model card's
    inner graph: what live shapes publish on cards, from one lenient build of the inner cards
    (layers without weights; the inner Input cards fix the shapes, whatever the card is wired
    to)."""
    from .builder import BuildCache, ModelBuilder
    from .shapes import _measure

    if not isinstance(doc, dict):
        return {}
    inner = load_inner(doc)
    builder = ModelBuilder(inner, strict=False)
    builder.build_cards(inner.topological_order(), BuildCache())
    out = {}
    for uid, result in builder.results.items():
        count, ports = _measure(result)
        main = ports.get("output", next(iter(ports.values()), None))
        out[uid] = {"output_shape": main, "param_count": count, "ports": ports,
                    "error": str(result.error) if result.error is not None else ""}
    return out


def inner_card_ids(card) -> list:
    """The card ids inside a nested-model card (a ``CardData``), nested ones included: the kinds
    the canvas needs to draw its group."""
    if not card.card_id.startswith(_MODEL):
        return []
    ids, docs = [], [card.params.get("graph")]
    while docs:
        doc = docs.pop()
        for c in doc.get("cards", []) if isinstance(doc, dict) else []:
            if isinstance(c, dict) and isinstance(c.get("card_id"), str):
                ids.append(c["card_id"])
                if c["card_id"].startswith(_MODEL):
                    docs.append((c.get("params") or {}).get("graph"))
    return list(dict.fromkeys(ids))


def inner_editor(card):
    """``card.inner`` of a nested-model card: its inner graph in an editor of its own (a copy;
    edits there do not change the card)."""
    from .editor import NetworkEditor

    graph = load_inner(card.params["graph"])
    editor = NetworkEditor()
    editor._load_graph(graph, None)
    editor._history.clear()
    return editor


# -- what the view is told ----------------------------------------------------------------------
# Not the catalogue (its version is the package's catalogue's hash alone): the editor sends the
# specs of the kernel-made cards on its canvas in ``card_specs`` (NetworkEditor._draw_add).

def view_dict(spec) -> dict:
    """The spec of a card made in this kernel as the view reads it (``card_specs``): a Python
    value's default shown as its repr."""
    d = spec.to_dict()
    for row, inp in zip(d["inputs"], spec.inputs, strict=True):
        if inp.type in (PYTHON, GRAPH):
            row["default"] = None if inp.default is None else catalog.short_repr(inp.default)
    return d


# -- operations applied to tensors --------------------------------------------------------------

#: Card id of an operation applied to tensors in an imported model (``x + 1``, ``keras.ops.*``).
OPERATION = _CUSTOM + "operation"


class Slot:
    """Where the ``index``-th input tensor goes in an operation's recorded call arguments."""

    def __init__(self, index: int):
        self.index = index

    def __repr__(self):
        return f"<input {self.index}>"


def fill_slots(value, tensors):
    """The recorded call arguments with each Slot replaced by its tensor."""
    if isinstance(value, Slot):
        return tensors[value.index]
    if isinstance(value, (list, tuple)):
        return type(value)(fill_slots(v, tensors) for v in value)
    if isinstance(value, dict):
        return {k: fill_slots(v, tensors) for k, v in value.items()}
    return value


class OperationCall:
    """What an operation card builds: calls the Keras operation (``keras.ops.add`` ...) on its
    input tensors, with the other call arguments as recorded. Not a layer (it has no weights),
    so the model it goes into has the same operation node as the imported one."""

    weights = trainable_weights = non_trainable_weights = variables = ()

    def __init__(self, operation=None, arguments=None, name=None, trainable=True, dtype=None):
        self.operation, self.arguments, self.name = operation, arguments, name

    def __call__(self, inputs):
        tensors = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        args, kwargs = self.arguments
        return self.operation(*fill_slots(args, tensors), **fill_slots(kwargs, tensors))


def _operation_spec() -> catalog.CardSpec:
    entry = {"id": OPERATION, "title": "Operation on tensors (kernel)", "category": ["Models"],
             "role": "layer", "keras_class": "Operation", "keras_module": "keras",
             "keras_doc": None,
             "help": "A Keras operation applied to tensors in an imported model (x + y, "
                     "keras.ops.*): code, kept in the kernel.",
             "inputs": [
                 {"label": "Operation", "name": "operation", "type": PYTHON, "kind": "param",
                  "required": True, "help": "The Keras operation object."},
                 {"label": "Arguments", "name": "arguments", "type": PYTHON, "kind": "param",
                  "optional": True, "help": "The call's arguments, inputs marked by position."},
                 {"label": "Inputs", "name": "inputs", "type": TENSOR, "kind": "port",
                  "multiplicity": "n", "help": "The tensors of the call, in argument order."}],
             "outputs": [{"label": "Output", "name": "output", "type": TENSOR,
                          "help": "What the operation returns."}]}
    return catalog.register(entry, OperationCall)


_operation_spec()

