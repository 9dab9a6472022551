"""``NetworkEditor.from_model``: a Keras model (functional or Sequential) as cards and wires.

Every layer call of the model becomes a card named after the layer: the first call of a layer
is the layer's own card, each further call of the same layer object is an ``apply_layer`` card
fed by the layer card's 'Layer instance' output (one set of weights). A layer's configuration
becomes the card's parameters (and initializer / regularizer / constraint cards wired into its
ports where they differ from Keras's defaults); a value a card cannot hold is refused with a
``ModelImportError`` naming the layer and the argument. A ``keras.Model`` used as a layer is one
nested-model card (``custom.model_card``), a layer class the catalogue does not have is a custom
card (``custom.layer_card``). The weights of every layer are seeded into the editor, so that
``ed.build()`` right after the import computes what the model computes.

Cards are laid out left to right by depth (the longest path from an Input), each column stacked
top-down without overlaps.
"""

from __future__ import annotations

import inspect
import math
import re
import uuid

from . import catalog, custom
from .catalog import INITIALIZER, LAYER, REGULARIZER, TENSOR, CONSTRAINT
from .errors import ModelImportError
from .graph import CardData, Graph, WireData, name_problem

__all__ = ["graph_of_model", "import_model", "params_from_layer"]

#: Port types filled by a small object card (its class and config) when the layer's differs
#: from the Keras default.
_OBJECT_PORTS = {INITIALIZER: "initializers", REGULARIZER: "regularizers",
                 CONSTRAINT: "constraints"}

_OBJECT_SUFFIXES = ("_initializer", "_regularizer", "_constraint")

#: Config keys every layer has, handled apart from the card's parameters.
_COMMON_KEYS = ("name", "trainable", "dtype", "autocast")

#: Canvas layout: column width and gaps (cards are at most ``maxWidth`` wide).
_COLUMN_GAP = 80  # between the widest card of a column and the next column
_ROW_GAP = 30
_MISSING = object()


def _say(layer) -> str:
    return f"layer '{layer.name}' ({type(layer).__name__})"


# -- the graph -----------------------------------------------------------------------------------

class _Importer:
    def __init__(self, model):
        self.model = model
        self.graph = Graph()
        self.tensors: dict = {}  # id(KerasTensor) -> (card uid, output port)
        self.layer_cards: dict = {}  # id(layer) -> uid of the layer's own card
        self.weights: dict = {}  # uid -> list of numpy arrays
        self.names: set = set()

    def _uid(self, prefix: str) -> str:
        """A random id, as the editor makes them (unique across kernels)."""
        while True:
            ident = f"{prefix}-{uuid.uuid4().hex[:8]}"
            if ident not in self.graph.cards and ident not in self.graph.wires:
                return ident

    def _card(self, card_id: str, name: str, params: dict) -> str:
        uid = self._uid("card")
        self.graph.add_card(CardData(uid, card_id, name, params, {}))
        self.names.add(name)
        return uid

    def _wire(self, source: str, source_port: str, target: str, target_port: str) -> None:
        self.graph.add_wire(WireData(self._uid("wire"), source, source_port, target, target_port))

    def _free_name(self, base: str) -> str:
        """``base`` (a Keras layer name) as an unused card name; a name Keras took but a card
        cannot ('my dense') becomes a valid one ('my_dense')."""
        if name_problem(base) is not None:
            base = re.sub(r"[^A-Za-z0-9_.-]+", "_", base).strip("_-") or "layer"
            if name_problem(base) is not None:
                base = "layer_" + base
        name, i = base, 1
        while name in self.names:
            name, i = f"{base}_{i}", i + 1
        return name

    def run(self) -> Graph:
        model = _functional(self.model)
        for layer in model.inputs:
            self._input_card(layer)
        for node in _nodes_in_order(model):
            self._node_card(node)
        self._output_cards(model)
        _lay_out(self.graph)
        return self.graph

    # -- cards ---------------------------------------------------------------------------------
    def _input_card(self, tensor):
        layer = tensor._keras_history[0]
        params = {"shape": [-1 if d is None else int(d) for d in tensor.shape[1:]]}
        spec = catalog.get("input")
        for p in spec.params:
            if p.name in ("shape", "name"):
                continue
            value = {"dtype": None if tensor.dtype == _floatx() else tensor.dtype,
                     "sparse": bool(getattr(tensor, "sparse", False)),
                     "batch_size": tensor.shape[0]}.get(p.name, _MISSING)
            if value is not _MISSING and value != p.default:
                params[p.name] = _coerced(p, value, layer, p.name)
        params["name"] = self._free_name(layer.name)
        uid = self._card("input", params["name"], params)
        self.tensors[id(tensor)] = (uid, "data")

    def _node_card(self, node):
        import keras

        layer = node.operation
        if not isinstance(layer, keras.layers.Layer):
            self._outputs_of(self._operation_card(node), node)
            return
        if id(layer) in self.layer_cards:  # a further call of a shared layer
            uid = self._shared_call(layer, node)
        else:
            uid = self._layer_card(layer)
            self._wire_call(uid, catalog.get(self.graph.cards[uid].card_id), layer, node)
        self._outputs_of(uid, node)

    def _layer_card(self, layer, wrapped=False, name=None) -> str:
        """The card of a layer object (its parameters, object ports, weights); returns its uid."""
        import keras

        if isinstance(layer, keras.Model):
            inner, inner_weights = graph_of_model(layer)
            spec = custom.model_card(inner)
            params, objects = {"graph": custom.graph_document(inner)}, {}
            if isinstance(layer, keras.Sequential):
                params["sequential"] = True
            params.update(_common_params(spec, layer))
        else:
            spec, params, objects = card_for_layer(layer)
        uid = self._card(spec.id, self._free_name(name or layer.name), params)
        self.layer_cards[id(layer)] = uid
        for port, obj_card in objects.items():
            src = self._card(obj_card[0], self._free_name(f"{layer.name}_{port}"), obj_card[1])
            self._wire(src, "object" if _has_output(obj_card[0], "object") else
                       catalog.get(obj_card[0]).outputs[0].name, uid, port)
        for p in spec.ports:
            if p.type == LAYER:
                inner = _wrapped_layer(layer, p)
                if inner is not None:
                    inner_uid = self._layer_card(inner, wrapped=True,
                                                 name=inner.name.removeprefix("forward_"))
                    self._wire(inner_uid, _layer_output(self.graph.cards[inner_uid].card_id),
                               uid, p.name)
        if not wrapped:
            self.weights[uid] = _weights_in_card_order(spec, params, layer)
        return uid

    def _operation_card(self, node) -> str:
        """A keras.ops function or operator applied to tensors (``x + 1``): a kernel card that
        calls the same operation on its input tensors, other arguments as recorded."""
        op = node.operation
        if len(node.outputs) != 1:
            raise ModelImportError(f"Cannot import operation '{op.name}' "
                                   f"({type(op).__name__}): it returns {len(node.outputs)} "
                                   f"tensors, and an operation card gives one")
        tensors = []

        def slot(value):
            if isinstance(value, keras_tensor_class()):
                tensors.append(value)
                return custom.Slot(len(tensors) - 1)
            if isinstance(value, (list, tuple)):
                return type(value)(slot(v) for v in value)
            if isinstance(value, dict):
                return {k: slot(v) for k, v in value.items()}
            return value

        arguments = (slot(list(node.arguments.args)), slot(dict(node.arguments.kwargs)))
        uid = self._card(custom.OPERATION, self._free_name(op.name),
                         {"operation": op, "arguments": arguments})
        for t in tensors:
            self._wire_tensor(t, uid, "inputs", op)
        return uid

    def _shared_call(self, layer, node) -> str:
        owner = self.layer_cards[id(layer)]
        uid = self._card("apply_layer", self._free_name(f"{layer.name}_call"), {})
        self._wire(owner, _layer_output(self.graph.cards[owner].card_id), uid, "layer")
        spec = catalog.get("apply_layer")
        tensors = _node_tensor_args(node)
        port = next(p for p in spec.ports if p.type == TENSOR)
        for t in tensors:
            self._wire_tensor(t, uid, port.name, layer)
        return uid

    def _wire_tensor(self, tensor, uid, port, layer):
        source = self.tensors.get(id(tensor))
        if source is None:
            raise ModelImportError(f"Cannot import {_say(layer)}: one of its inputs is not a "
                                   f"tensor of the model (a constant or a tensor from outside)")
        self._wire(source[0], source[1], uid, port)

    def _wire_call(self, uid, spec, layer, node):
        """Wires into the card's Tensor ports, from the node's call arguments."""
        tensor_ports = [p for p in spec.ports if p.type == TENSOR]
        args, kwargs = _call_arguments(node)
        if any(p.call_name for p in tensor_ports):
            try:
                bound = inspect.signature(layer.call).bind(*args, **kwargs).arguments
            except TypeError as exc:
                raise ModelImportError(f"Cannot import {_say(layer)}: its call arguments do not "
                                       f"match call(): {exc}") from None
            for p in tensor_ports:
                value = bound.get(p.call_name or p.name)
                if value is None:
                    continue
                for t in (value if isinstance(value, (list, tuple)) else [value]):
                    self._wire_tensor(t, uid, p.name, layer)
            self._call_params(uid, spec, layer, bound)
            return
        given = args[0] if len(args) == 1 and not kwargs else None
        if given is None:
            raise ModelImportError(f"Cannot import {_say(layer)}: it is called with "
                                   f"{len(args)} positional and {len(kwargs)} keyword "
                                   f"arguments, which its card cannot take")
        if spec.call_inputs:  # the card calls the layer on one tensor given twice
            if not isinstance(given, (list, tuple)) or len(given) != len(spec.call_inputs) \
                    or any(t is not given[0] for t in given):
                raise ModelImportError(f"Cannot import {_say(layer)}: its card calls the layer "
                                       f"on one tensor as query and value (self-attention); "
                                       f"this call has different tensors")
            self._wire_tensor(given[0], uid, spec.call_inputs[0], layer)
            return
        if len(tensor_ports) == 1:
            port = tensor_ports[0]
            for t in (given if isinstance(given, (list, tuple)) else [given]):
                self._wire_tensor(t, uid, port.name, layer)
            return
        if len(given) != len(tensor_ports):
            raise ModelImportError(f"Cannot import {_say(layer)}: called on {len(given)} "
                                   f"tensors, its card takes {len(tensor_ports)}")
        for t, p in zip(given, tensor_ports, strict=True):
            self._wire_tensor(t, uid, p.name, layer)

    def _call_params(self, uid, spec, layer, bound):
        params = self.graph.cards[uid].params
        for p in spec.params:
            if p.call_arg and p.keras_arg in bound:
                params[p.name] = _coerced(p, bound[p.keras_arg], layer, p.keras_arg)

    def _outputs_of(self, uid, node):
        spec = catalog.get(self.graph.cards[uid].card_id)
        params = self.graph.cards[uid].params
        outputs = list(node.outputs)
        for o in spec.outputs:
            if o.type != TENSOR or (o.when and not params.get(o.when)):
                continue
            index = o.index or 0
            if index < len(outputs):
                self.tensors[id(outputs[index])] = (uid, o.name)

    def _output_cards(self, model):
        struct = getattr(model, "_outputs_struct", model.outputs)
        if isinstance(struct, dict):  # Keras flattens a dict of outputs in key order
            named = sorted(struct.items())
        else:
            named = list(zip(model.output_names, model.outputs, strict=True))
        used = set()
        for name, tensor in named:
            source = self.tensors.get(id(tensor))
            if source is None:
                raise ModelImportError(f"Cannot import output {name!r}: it is not the output of "
                                       f"a layer of the model")
            name = self._free_name(name) if name_problem(name) else name
            name = name if name not in used else f"{name}_{len(used)}"
            used.add(name)
            uid = self._card("output", name, {"name": name})
            self._wire(source[0], source[1], uid, "data")


def _common_params(spec, layer) -> dict:
    out = {}
    if not layer.trainable:
        out["trainable"] = False
    dtype = _dtype_of(layer)
    if dtype is not None:
        out["dtype"] = _coerced(spec.input("dtype"), dtype, layer, "dtype")
    return out


def _weights_in_card_order(spec, params, layer) -> list:
    """The layer's weights as the card's layer will hold them: a nested model's are put in
    the order of the sub-model its card builds (matched layer by layer, by name)."""
    if not custom.is_kernel_card(spec.id) or not spec.id.startswith("model:"):
        return [v.numpy() for v in layer.weights] if layer.weights else []
    rebuilt = custom.build_nested(graph=params["graph"], name=layer.name,
                                  sequential=params.get("sequential", False))
    _copy_weights(layer, rebuilt)
    return rebuilt.get_weights()


def _copy_weights(source, target) -> None:
    import keras

    for sub in target.layers:
        if not sub.weights:
            continue
        original = source.get_layer(sub.name)
        if isinstance(sub, keras.Model):
            _copy_weights(original, sub)
        else:
            sub.set_weights(original.get_weights())


class _ArgumentRefused(ModelImportError):
    """A layer argument that the card's typed row cannot hold (``argument`` names it)."""

    def __init__(self, message, argument):
        super().__init__(message)
        self.argument = argument


def card_for_layer(layer) -> tuple:
    """(spec, parameters, object cards) of a layer: its catalogue card, else (a value the
    catalogue card cannot hold) a kernel card of its class holding that argument as a Python
    value; a ModelImportError names the layer and argument when neither can."""
    spec = spec_for_layer(layer)
    try:
        return (spec, *params_from_layer(spec, layer))
    except _ArgumentRefused as exc:
        first = error = exc
    python_args = set()
    while error.argument not in python_args and len(python_args) < 16:
        python_args.add(error.argument)
        try:
            spec = custom.layer_card(type(layer), python_args)
        except catalog.UnknownCardError:
            raise first from None
        try:
            return (spec, *params_from_layer(spec, layer))
        except _ArgumentRefused as exc:
            error = exc
    raise first


def spec_for_layer(layer) -> catalog.CardSpec:
    """The card spec of a layer object: its catalogue card when the catalogue has the very
    class, else a custom card."""
    cls = type(layer)
    for key in (f"layer_{cls.__name__}", cls.__name__):
        try:
            spec = catalog.get(key)
        except catalog.UnknownCardError:
            continue
        if spec.role in ("layer", "merge", "wrapper") and spec.keras_class \
                and spec.keras_type() is cls and not (spec.call_inputs and "layer_" not in key):
            return spec
    return custom.layer_card(cls)


def _layer_output(card_id: str) -> str:
    for o in catalog.get(card_id).outputs:
        if o.type == LAYER:
            return o.name
    raise ModelImportError(f"Card {card_id!r} has no Layer instance output")


def _has_output(card_id: str, name: str) -> bool:
    return any(o.name == name for o in catalog.get(card_id).outputs)


def _wrapped_layer(layer, port):
    """The layer object a wrapper holds for its Layer port (``layer``, ``backward_layer``)."""
    arg = port.keras_arg or port.name
    if arg == "backward_layer":
        return None  # made by Keras from 'layer' unless given; see params_from_layer
    if arg == "layer" and getattr(layer, "layer", None) is None:
        return getattr(layer, "forward_layer", None)  # Bidirectional keeps only its copies
    return getattr(layer, arg, None)


def _call_arguments(node) -> tuple:
    """(args, kwargs) of a layer call, without the arguments Keras passes itself
    (``training``, ``mask``) and keyword arguments left at None."""
    from .catalog.keras_catalog import IMPLICIT_CALL_ARGS

    kwargs = {k: v for k, v in node.arguments.kwargs.items()
              if v is not None and k not in IMPLICIT_CALL_ARGS}
    return node.arguments.args, kwargs


def _node_tensor_args(node):
    args, kwargs = _call_arguments(node)
    if len(args) == 1 and not kwargs:
        return list(args[0]) if isinstance(args[0], (list, tuple)) else [args[0]]
    return list(node.arguments.keras_tensors)


# -- parameters ----------------------------------------------------------------------------------

def params_from_layer(spec: catalog.CardSpec, layer) -> tuple:
    """(card parameters, {port name: (object card id, its parameters)}) of a layer.

    Every constructor argument in the layer's config must land on the card, or equal the Keras
    default; otherwise ModelImportError names the layer and the argument.
    """
    kernel_card = custom.is_kernel_card(spec.id)
    try:
        config = layer.get_config()
    except NotImplementedError:
        config = {}
    consumed = set(_COMMON_KEYS) | {"zero_output_for_mask"}  # (set by Bidirectional itself)
    params = {}
    packed = {}
    state, state_keys = catalog.state.imported_state(spec, layer)  # preprocessing state
    consumed |= state_keys
    if spec.pack:
        for arg, layout in spec.pack.items():
            consumed.add(arg)
            _unpack(layout, config.get(arg), packed)
    for p in spec.params:
        if p.name == "name" or p.call_arg:
            continue
        arg = p.keras_arg or p.name
        if p.name in packed:
            value = packed[p.name]
        elif p.name in state:
            value = state[p.name]
        elif p.name == "trainable":
            value = layer.trainable
        elif p.name == "dtype":
            value = _dtype_of(layer)
        elif p.type == custom.PYTHON:
            value = (config.get(arg) if arg.endswith(_OBJECT_SUFFIXES) and arg in config
                     else custom.python_value(layer, arg, config))
            consumed.add(arg)
        elif arg in config:
            value = config[arg]
            consumed.add(arg)
        elif kernel_card and arg in layer.__dict__:
            value = layer.__dict__[arg]
        else:
            continue
        if p.type == custom.PYTHON:
            if value is not p.default:
                params[p.name] = value
            continue
        value = _coerced(p, _plain(value), layer, arg)
        if value != p.default:
            params[p.name] = value
    objects = {}
    for p in spec.ports:
        if p.type not in _OBJECT_PORTS:
            if p.type == LAYER:
                consumed.add(p.keras_arg or p.name)
            continue
        arg = p.keras_arg or p.name
        consumed.add(arg)
        value = config.get(arg)
        if value is None or _is_default(type(layer), arg, value, p.type):
            continue
        objects[p.name] = _object_card(value, p.type, layer, arg)
    backward = getattr(layer, "backward_layer", None)
    if backward is not None and type(backward) is type(getattr(layer, "forward_layer", None)):
        consumed.add("backward_layer")  # Keras's mirror of 'layer', which the card makes too
    if not kernel_card or type(layer).__module__.startswith("keras."):
        # (a custom class's config may hold what its constructor does not take)
        _check_rest(spec, layer, config, consumed)
    return params, objects


def _unpack(layout, value, out):
    if isinstance(layout, str):
        out[layout] = value
        return
    if not isinstance(value, (list, tuple)) or len(value) != len(layout):
        return
    for sub, v in zip(layout, value, strict=True):
        _unpack(sub, v, out)


def _dtype_of(layer):
    import keras

    policy = getattr(layer, "dtype_policy", None)
    name = getattr(policy, "name", None)
    if name is None or name == keras.config.dtype_policy().name:
        return None
    return name


def _plain(value):
    """Tuples as lists (the card's form), recursively."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _coerced(p, value, layer, arg):
    try:
        return p.coerce(value)
    except ValueError as exc:
        raise _ArgumentRefused(f"Cannot import {_say(layer)}: its argument {arg!r} = "
                               f"{catalog.short_repr(value)} cannot be a card parameter "
                               f"('{p.label}': {exc})", arg.split(".")[0]) from None


def signature_defaults(cls) -> dict:
    """Default values of the constructor arguments of ``cls`` and its bases (most derived wins)."""
    out = {}
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            params = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            continue
        for a in params:
            if a.default is not inspect.Parameter.empty:
                out.setdefault(a.name, a.default)
        if not any(a.kind is a.VAR_KEYWORD for a in params):
            break
    return out


def _serialized_default(cls, arg, port_type):
    import keras

    default = signature_defaults(cls).get(arg)
    if default is None:
        return None
    module = getattr(keras, _OBJECT_PORTS[port_type])
    try:
        return module.serialize(module.get(default))
    except (ValueError, TypeError):
        return None


def _is_default(cls, arg, value, port_type) -> bool:
    return same_value(value, _serialized_default(cls, arg, port_type))


def same_value(a, b) -> bool:
    """Equal as configuration values: lists and tuples alike, dicts by key, NaN equal to NaN."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = set(a) | set(b)
        return all(same_value(a.get(k), b.get(k)) for k in keys)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _object_card(value, port_type, layer, arg) -> tuple:
    """(card id, parameters) of an initializer / regularizer / constraint config."""
    if isinstance(value, str):
        import keras

        module = getattr(keras, _OBJECT_PORTS[port_type])
        value = module.serialize(module.get(value))
    class_name = value.get("class_name") if isinstance(value, dict) else None
    role = {INITIALIZER: "initializer", REGULARIZER: "regularizer",
            CONSTRAINT: "constraint"}[port_type]
    spec = None
    for s in catalog.cards():
        if s.role == role and s.keras_class and s.keras_class.lower() == str(class_name).lower():
            spec = s
            break
    if spec is None:
        raise _ArgumentRefused(f"Cannot import {_say(layer)}: its argument {arg!r} is a "
                               f"{class_name} {role}, which no card represents", arg)
    config = dict(value.get("config") or {})
    params = {}
    for p in spec.params:
        key = p.keras_arg or p.name
        if key in config:
            v = config.pop(key)
            if v is not None or p.accepts_none:
                params[p.name] = _coerced(p, _plain(v), layer, f"{arg}.{key}")
    rest = {k: v for k, v in config.items() if v is not None}
    if rest:
        raise _ArgumentRefused(f"Cannot import {_say(layer)}: its {arg} ({class_name}) has "
                               f"settings no card holds: {catalog.short_repr(rest)}", arg)
    return spec.id, params


def _check_rest(spec, layer, config, consumed):
    defaults = signature_defaults(type(layer))
    for key, value in config.items():
        if key in consumed:
            continue
        if key in defaults and same_value(_plain(value), _plain(defaults[key])):
            continue
        if key not in defaults and (value in (None, False, {}, [], ())
                                    or custom.is_kernel_card(spec.id)):
            continue  # (a kernel card passes what its class's constructor takes)
        raise _ArgumentRefused(f"Cannot import {_say(layer)}: its argument {key!r} = "
                               f"{catalog.short_repr(value)} cannot be represented on the "
                               f"{spec.title} card (it differs from Keras's default "
                               f"{catalog.short_repr(defaults.get(key))})", key)


# -- the model's nodes ---------------------------------------------------------------------------

def _functional(model):
    """The model as a functional graph (a Sequential model's inner functional one)."""
    import keras

    if not isinstance(model, keras.Model):
        raise ModelImportError(f"from_model expects a keras.Model; received "
                               f"{type(model).__name__}")
    if isinstance(model, keras.Sequential):
        if not model.built or not getattr(model, "_functional", None):
            raise ModelImportError(f"Cannot import Sequential model '{model.name}': it has no "
                                   f"input shape yet (give it a keras.Input or call build())")
        return model._functional
    if not hasattr(model, "_nodes_by_depth"):
        raise ModelImportError(f"Cannot import model '{model.name}' ({type(model).__name__}): "
                               f"only functional and Sequential models have a graph of layers "
                               f"(a subclassed model's call() is code)")
    return model


def _nodes_in_order(model) -> list:
    """The model's layer calls (nodes) that its outputs depend on, inputs first, in a
    deterministic topological order (a mask computed on the side and not used is left out)."""
    nodes = []
    needed = _needed_nodes(model)
    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            if id(node) not in needed:
                continue
            if node.operation.__class__.__name__ == "InputLayer" or not node.input_tensors \
                    and _is_input(node):
                continue
            nodes.append(node)
    return nodes


def _needed_nodes(model) -> set:
    """ids of the nodes the model's outputs are computed from."""
    needed, todo = set(), list(model.outputs)
    while todo:
        tensor = todo.pop()
        op, node_index, _ = tensor._keras_history
        node = op._inbound_nodes[node_index]
        if id(node) in needed:
            continue
        needed.add(id(node))
        args, kwargs = _call_arguments(node)  # not a mask Keras passes on by itself
        todo.extend(_tensors_in([args, kwargs]))
    return needed


def _tensors_in(value) -> list:
    if isinstance(value, keras_tensor_class()):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _tensors_in(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tensors_in(v)]
    return []


def _is_input(node) -> bool:
    import keras

    return isinstance(node.operation, keras.layers.InputLayer)


# -- layout --------------------------------------------------------------------------------------

def _lay_out(graph: Graph) -> None:
    """Left to right by depth (longest path from a card without inputs); an object card
    (initializer, inner layer of a wrapper) one column before the card it feeds. Each column
    is as wide as its widest card, as drawn (``geometry.layout_card``)."""
    depth = {}
    order = graph.topological_order()
    for uid in order:
        ins = graph.wires_into(uid)
        depth[uid] = max((depth[w.source] + 1 for w in ins), default=0)
    for uid in reversed(order):  # feeders without inputs sit right before their first user
        if not graph.wires_into(uid):
            outs = graph.wires_from(uid)
            if outs and graph.cards[uid].card_id != "input":
                depth[uid] = max(0, min(depth[w.target] for w in outs) - 1)
    columns: dict = {}
    for uid in order:
        columns.setdefault(depth[uid], []).append(uid)
    x = 20.0
    for col in sorted(columns):
        widest = 0.0
        y = 20.0
        for uid in columns[col]:
            width, height = _drawn_size(graph.cards[uid])
            graph.cards[uid].position = {"x": x, "y": y}  # top-left corner
            y += height + _ROW_GAP
            widest = max(widest, width)
        x += widest + _COLUMN_GAP


def _drawn_size(card) -> tuple:
    """Width and placement height of a card's face on the canvas (its name as the subtitle)."""
    from .editor import card_height
    from .geometry import layout_card

    spec = catalog.get(card.card_id)
    width = layout_card(spec, card.params, subtitle=card.name).width
    return width, card_height(card.card_id, card.params)


# -- entry point ---------------------------------------------------------------------------------

def graph_of_model(model) -> tuple:
    """(Graph of cards and wires, {card uid: weights}) of a Keras model."""
    importer = _Importer(model)
    graph = importer.run()
    return graph, importer.weights


def import_model(editor_class, model, **kwargs):
    """A new editor holding ``model`` as cards, with its weights seeded (``from_model``)."""
    from . import serialization

    graph, weights = graph_of_model(model)
    checked = Graph(cards=[c.copy() for c in graph.cards.values()])
    serialization.add_wires_checked(checked, [w.copy() for w in graph.wires.values()])
    editor = editor_class(**kwargs)
    mode = editor.live_shapes.mode
    editor.live_shapes.mode = "deferred"  # one shape update after every card is in
    try:
        editor._load_graph(checked, "Import model")
    finally:
        editor.live_shapes.mode = mode
    editor._history.clear()
    _seed_weights(editor, weights)
    if mode != "deferred":
        editor.live_shapes.refresh()
    return editor


def _seed_weights(editor, weights: dict) -> None:
    """Give each card its layer's weights for the next builds (``ed.weights.seed``; later
    builds keep them while the card does not change)."""
    for uid, arrays in weights.items():
        if arrays:
            editor.weights.seed(uid, arrays)


def _floatx() -> str:
    import keras

    return keras.config.floatx()


def keras_tensor_class():
    import keras

    return keras.KerasTensor

