"""``ed.to_code()``: the card graph as Python source in the Keras functional API.

The source imports what it uses (``keras``; project-made layers and custom layer classes from
the module that defines them), then has one line per card in topological order: an Input card is
``x = keras.Input(...)``, a layer card called on tensors is ``h = keras.layers.Dense(...)(x)``, a
layer whose object is used elsewhere too (a wrapper's Layer port, a shared-layer call) is made
once and called by name, a nested model is a function building the sub-model. The last line
makes the ``model``. Constructor arguments are the ones the builder passes (``ModelBuilder``'s
rules: parameters left at None are left out, so Keras's default applies), written as literals.
A card whose value is Python code or an object (a Lambda's function) cannot be written out:
``CodeGenerationError`` names it.
"""

from __future__ import annotations

import keyword
import re

from . import catalog, custom
from .catalog import LAYER, TENSOR
from .errors import NNCardsError
from .graph import Graph, used_only_as_layer

__all__ = ["to_code", "CodeGenerationError"]


class CodeGenerationError(NNCardsError, ValueError):
    """A card that cannot be written as Python source; names the card and the value."""


_OBJECT_ROLES = ("initializer", "regularizer", "constraint")


def to_code(graph: Graph, model_name: str = "network") -> str:
    """Python source that, run on its own, leaves the network in a variable named ``model``."""
    writer = _Writer()
    body = writer.graph_lines(graph, "model", model_name)
    head = ["import keras"] + sorted(writer.imports)
    parts = ["\n".join(head)]
    parts += writer.functions
    parts.append("\n".join(body))
    return "\n\n\n".join(p for p in parts if p) + "\n"


class _Writer:
    def __init__(self):
        self.imports: set = set()
        self.functions: list = []  # source of nested-model builder functions
        self._function_names: set = set()

    # -- one graph ------------------------------------------------------------------------------
    def graph_lines(self, graph: Graph, result: str, model_name: str) -> list:
        names = _Names()
        var = {}  # uid -> variable of the card's tensor(s) / object
        outputs = {}  # uid -> {output port: expression}
        lines = []
        inputs, model_outputs = [], {}
        for uid in graph.topological_order():
            card = graph.cards[uid]
            spec = card.spec
            if spec.role == "input":
                v = names.take(card.name)
                lines.append(f"{v} = keras.Input({self._input_args(card)})")
                outputs[uid] = {"data": v}
                inputs.append(v)
                continue
            if spec.role == "output":
                w = graph.wires_at(uid, "data")
                if not w:
                    raise CodeGenerationError(f"Output card '{card.name}' has nothing wired "
                                              f"into it")
                model_outputs[card.name] = outputs[w[0].source][w[0].source_port]
                continue
            if spec.role in _OBJECT_ROLES:
                continue  # written inline where they are used
            if spec.role == "apply":
                lines += self._apply_lines(graph, card, names, var, outputs)
                continue
            lines += self._layer_lines(graph, card, names, var, outputs)
        if not inputs or not model_outputs:
            raise CodeGenerationError("The network needs an Input card and an Output card to be "
                                      "written as a model")
        if len(model_outputs) == 1:
            out = next(iter(model_outputs.values()))
        else:
            out = "{" + ", ".join(f"{k!r}: {v}" for k, v in model_outputs.items()) + "}"
        ins = inputs[0] if len(inputs) == 1 else "[" + ", ".join(inputs) + "]"
        lines.append(f"{result} = keras.Model(inputs={ins}, outputs={out}, "
                     f"name={model_name!r})")
        return lines

    def _input_args(self, card) -> str:
        shape = tuple(None if d is not None and d < 0 else d for d in card.params["shape"])
        args = [f"shape={shape!r}", f"name={card.name!r}"]
        for p in card.spec.params:
            if p.name in ("shape", "name"):
                continue
            value = card.params.get(p.name, p.default)
            if value is not None and value != p.default:
                args.append(f"{p.keras_arg or p.name}={value!r}")
        return ", ".join(args)

    def _layer_lines(self, graph, card, names, var, outputs) -> list:
        spec = card.spec
        lines = []
        if spec.id.startswith("model:"):  # the function names the sub-model and sets it up
            ctor = f"{self._class_expr(card)}()"
        else:
            ctor = f"{self._class_expr(card)}({self._kwargs(graph, card, var)})"
        tensors = self._tensor_args(graph, card, outputs)
        shared = any(graph.cards[w.target].spec.role in ("apply", "wrapper")
                     or graph.cards[w.target].spec.input(w.target_port).type == LAYER
                     for w in graph.wires_from(card.uid)
                     if _source_type(graph, w) == LAYER)
        if tensors is None or used_only_as_layer(graph, card.uid):  # an object, not called
            v = names.take(card.name)
            var[card.uid] = v
            lines.append(f"{v} = {ctor}")
            return lines
        if shared:
            obj = names.take(f"{card.name}_layer")
            var[card.uid] = obj
            lines.append(f"{obj} = {ctor}")
            ctor = obj
        v = names.take(card.name)
        lines.append(f"{v} = {ctor}({tensors})")
        outputs[card.uid] = self._outputs(card, v, lines)
        return lines

    def _apply_lines(self, graph, card, names, var, outputs) -> list:
        layer_wire = graph.wires_at(card.uid, "layer")
        if not layer_wire or layer_wire[0].source not in var:
            raise CodeGenerationError(f"Card '{card.name}' calls no layer: wire a layer's "
                                      f"'Layer instance' into it")
        tensors = self._tensor_args(graph, card, outputs)
        v = names.take(card.name)
        lines = [f"{v} = {var[layer_wire[0].source]}({tensors})"]
        outputs[card.uid] = self._outputs(card, v, lines)
        return lines

    def _outputs(self, card, v, lines) -> dict:
        """Output port -> expression; several tensor outputs are unpacked from the call."""
        ports = [o for o in card.spec.outputs if o.type == TENSOR
                 and not (o.when and not card.params.get(o.when))]
        if len(ports) <= 1 or all(o.index is None for o in ports):
            return {o.name: v for o in ports}
        return {o.name: f"{v}[{o.index or 0}]" for o in ports}

    # -- expressions ----------------------------------------------------------------------------
    def _class_expr(self, card) -> str:
        spec = card.spec
        if spec.id.startswith("model:"):
            return self._nested_function(card)
        for p in spec.params:
            if p.keras_class_if_set and card.params.get(p.name) is not None:
                module, _, name = p.keras_class_if_set.rpartition(".")
                return self._import(module, name)
        module, name = spec.keras_module, spec.keras_class
        if custom.is_kernel_card(spec.id):
            cls = custom.layer_class(spec)
            module, name = cls.__module__, cls.__qualname__
        return self._import(module, name)

    def _import(self, module: str, name: str) -> str:
        if module in ("keras", "keras.layers", "keras.initializers", "keras.regularizers",
                      "keras.constraints"):
            return f"{module}.{name}"
        if module == "__main__" or "<locals>" in name:
            self.imports.add(f"# {name.split('.')[-1]}: defined in the notebook (__main__), "
                             f"run this code where it is defined")
            return name
        top = name.split(".")[0]
        self.imports.add(f"from {module} import {top}")
        return name

    def _kwargs(self, graph, card, var) -> str:
        """Constructor arguments as the builder passes them (``ModelBuilder.keras_kwargs``)."""
        spec = card.spec
        args = []
        packed = set()
        if spec.pack:
            for arg, layout in spec.pack.items():
                args.append(f"{arg}={_literal(_pack(layout, card.params, packed), card, arg)}")
        for p in spec.inputs:
            if p.name in packed or p.call_arg or p.keras_arg is None:
                continue
            if p.is_param:
                value = card.params.get(p.name, p.default)
                if p.name == "name" or (value is None and (p.optional or p.required)):
                    continue
                if p.type == custom.GRAPH:
                    continue  # the nested model's function builds it
                if p.name == "trainable" and value is True:
                    continue
                if p.name in ("trainable", "dtype") and not self._takes(spec, p.keras_arg):
                    continue
                if p.is_list:
                    value = tuple(value)
                    if p.name in ("axis", "axes") and len(value) == 1:
                        value = value[0]
                if _is_keras_default(card, p.keras_arg, value):
                    continue  # shorter, and the same layer
                args.append(f"{p.keras_arg}={_literal(value, card, p.name)}")
            elif p.type != TENSOR:
                wires = graph.wires_at(card.uid, p.name)
                if not wires:
                    continue
                source = graph.cards[wires[0].source]
                if p.type == LAYER:
                    if wires[0].source not in var:
                        raise CodeGenerationError(f"Card '{card.name}': the layer wired into "
                                                  f"'{p.label}' comes later in the graph")
                    args.append(f"{p.keras_arg}={var[wires[0].source]}")
                else:
                    expr = f"{self._class_expr(source)}({self._kwargs(graph, source, var)})"
                    args.append(f"{p.keras_arg}={expr}")
        if spec.role in ("layer", "merge", "wrapper") and self._takes(spec, "name"):
            args.append(f"name={card.name!r}")
        return ", ".join(args)

    @staticmethod
    def _takes(spec, argument) -> bool:
        """Whether the card's class takes ``argument`` (a custom class may not take 'name')."""
        return not custom.is_kernel_card(spec.id) or spec.id.startswith("model:") or \
            custom.accepts(custom.layer_class(spec), argument)

    def _tensor_args(self, graph, card, outputs) -> str | None:
        """The call's argument text, or None when nothing is wired into a Tensor port."""
        spec = card.spec
        ports = [p for p in spec.ports if p.type == TENSOR]
        given = {}
        for p in ports:
            wires = graph.wires_at(card.uid, p.name)
            if not wires:
                continue
            exprs = [outputs[w.source][w.source_port] for w in wires]
            given[p.name] = "[" + ", ".join(exprs) + "]" if p.is_list and (
                len(exprs) > 1 or spec.role in ("merge",)) else exprs[0]
        if not given:
            return None
        call_kwargs = [f"{p.keras_arg}={card.params[p.name]!r}" for p in spec.params
                       if p.call_arg]
        if any(p.call_name for p in ports):
            first = _first_call_parameter(spec)
            args, kwargs = [], []
            for p in ports:
                if p.name not in given:
                    continue
                name = p.call_name or p.name
                (args if name == first else kwargs).append(
                    given[p.name] if name == first else f"{name}={given[p.name]}")
            return ", ".join(args + kwargs + call_kwargs)
        if spec.call_inputs:
            text = "[" + ", ".join(given[n] for n in spec.call_inputs) + "]"
        elif len(ports) == 1:
            text = given[ports[0].name]
        else:
            text = "[" + ", ".join(given[p.name] for p in ports if p.name in given) + "]"
        return ", ".join([text] + call_kwargs)

    def _nested_function(self, card) -> str:
        """A function that builds the nested model (written once per card)."""
        base = "build_" + _identifier(card.name)
        name, i = base, 1
        while name in self._function_names:
            name, i = f"{base}_{i}", i + 1
        self._function_names.add(name)
        inner = custom.load_inner(card.params["graph"])
        body = self.graph_lines(inner, "sub_model", card.name)
        outs = [c.name for c in inner.cards.values() if c.card_id == "output"]
        if len(outs) > 1:  # the card's output ports index a list, in Output card order
            body[-1] = re.sub(r"outputs=\{.*\}, name=",
                              "outputs=[" + ", ".join(_Names.peek(body, o) for o in outs)
                              + "], name=", body[-1])
        if card.params.get("trainable") is False:
            body[-1] = body[-1].replace("sub_model = keras.Model(", "model = keras.Model(", 1)
            body += ["model.trainable = False", "return model"]
        else:
            body[-1] = body[-1].replace("sub_model = keras.Model(", "return keras.Model(", 1)
        self.functions.append(f"def {name}():\n    " + "\n    ".join(body))
        return f"{name}"


def _is_keras_default(card, arg, value) -> bool:
    from .importer import same_value, signature_defaults

    if card.spec.id.startswith("model:"):
        return False
    defaults = signature_defaults(custom.layer_class(card.spec))
    if arg not in defaults:
        return False
    default = defaults[arg]
    if value == "linear" and default is None and (arg == "activation"
                                                  or arg.endswith("_activation")):
        return True  # Keras's None is the linear activation
    if isinstance(value, tuple) and isinstance(default, int) and not isinstance(default, bool):
        return all(v == default for v in value)
    return type(value) is type(default) and same_value(value, default)


def _source_type(graph, wire) -> str:
    return graph.cards[wire.source].spec.output(wire.source_port).type


def _first_call_parameter(spec):
    import inspect

    cls = custom.layer_class(spec)
    params = list(inspect.signature(cls.call).parameters.values())[1:]
    return params[0].name if params else None


def _pack(layout, params, used):
    if isinstance(layout, str):
        used.add(layout)
        return params[layout]
    return tuple(_pack(x, params, used) for x in layout)


def _literal(value, card, param) -> str:
    text = repr(value)
    try:
        import ast

        ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise CodeGenerationError(f"Card '{card.name}' ({card.spec.title}) cannot be written as "
                                  f"code: its parameter {param!r} is "
                                  f"{'Python code' if callable(value) else 'a Python object'} "
                                  f"({catalog.short_repr(value)}) with no literal form") from None
    return text


def _identifier(name: str) -> str:
    text = re.sub(r"\W", "_", name)
    if not text or text[0].isdigit():
        text = "_" + text
    if keyword.iskeyword(text) or text in ("keras", "model"):
        text += "_"
    return text


class _Names:
    """Unique Python variable names from card names."""

    def __init__(self):
        self.taken = {"keras", "model"}

    def take(self, name: str) -> str:
        base = _identifier(name)
        v, i = base, 1
        while v in self.taken:
            v, i = f"{base}_{i}", i + 1
        self.taken.add(v)
        return v

    @staticmethod
    def peek(body, output_name) -> str:
        last = body[-1]
        m = re.search(re.escape(repr(output_name)) + r": ([A-Za-z_][A-Za-z0-9_\[\]]*)", last)
        return m.group(1) if m else "None"
