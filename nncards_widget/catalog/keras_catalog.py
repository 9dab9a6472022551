"""Cards generated from the installed Keras: one per public class of ``keras.layers``.

Each card is derived from the class itself, never written out: the constructor signature gives
the parameters (typed from their defaults, else their annotations, else the class docstring;
initializer/regularizer/constraint arguments become ports, as on the curated cards), ``call()``
gives the Tensor ports with the ``call()`` argument each feeds, and a few documented conventions
give the extra outputs (``return_state``, ``return_attention_scores``). An RNN cell is a card with
only a Layer-instance output, wired into the RNN card's Cell port. The result is plain data in
the form of ``cards.json`` entries, so the catalogue loads generated and curated cards the same
way. Keras is imported only when the cards are asked for.

What cannot be a card is left out by name, with the reason (:data:`EXCLUDED`); constructor
arguments that cannot be shown on a card are left at their Keras default and named in the card's
help.
"""

from __future__ import annotations

import copy
import functools
import inspect
import re

from . import state

__all__ = ["EXCLUDED", "RENAMED_ARGS", "COMMON_PARAMS", "catalogue_entries", "generated_cards",
           "aliases", "public_layer_classes"]

#: Public classes of ``keras.layers`` that are not cards, and why.
EXCLUDED = {
    "Layer": "the base class of every layer: it computes nothing by itself (a custom "
             "subclass of it is what becomes a card)",
    "Wrapper": "the abstract base of the layer wrappers; Bidirectional, TimeDistributed and "
               "SpectralNormalization are cards",
    "InputLayer": "made by the Input card (keras.Input)",
    "InputSpec": "not a layer: it describes the input a layer expects",
    "Lambda": "its argument is Python code (a function), which a card can neither show nor "
              "save",
    "Pipeline": "its argument is a list of layer objects: draw those layers as a chain of cards",
    "StackedRNNCells": "its argument is a list of RNN cell objects, which one Layer port cannot "
                       "carry; wire a single cell into an RNN card, or chain recurrent cards",
    "TorchModuleWrapper": "wraps a PyTorch module object (torch backend only); code, not data",
    "JaxLayer": "wraps JAX functions (jax backend only); code, not data",
    "FlaxLayer": "wraps a Flax module object (jax backend only); code, not data",
    "TFSMLayer": "loads a TensorFlow SavedModel from a file path: the network would depend on "
                 "files outside it",
}

#: Documentation link of generated cards: the keras.io index of layers (page addresses of single
#: classes do not follow from their names).
KERAS_LAYERS_DOC = "https://keras.io/api/layers/"

#: Deprecated argument names Keras still accepts, per class: old name -> current name.
RENAMED_ARGS = {
    "LeakyReLU": {"alpha": "negative_slope"},
}

#: Constructor arguments that are never card parameters: the card itself provides them
#: (``name``) or the catalogue adds them to every layer card (``trainable``, ``dtype``).
COMMON_ARGS = ("name", "trainable", "dtype", "autocast")

#: Rows every layer card has (curated ones too), after its own parameters.
COMMON_PARAMS = (
    {"label": "Trainable", "name": "trainable", "type": "Boolean", "multiplicity": "1",
     "kind": "param", "default": True, "from_keras": True,
     "help": "Whether the layer's weights are updated by training (False freezes them)."},
    {"label": "Dtype", "name": "dtype", "type": "String", "multiplicity": "1", "kind": "param",
     "default": None, "optional": True, "from_keras": True,
     "choices": ["float32", "float16", "bfloat16", "float64"],
     "help": "Dtype of the layer's weights and computations. None: Keras's global dtype policy "
             "(keras.config.set_dtype_policy, e.g. for mixed precision)."},
)

#: Layers whose dtype Keras sets itself (the common Dtype row would be refused or ignored).
OWN_DTYPE = {
    "Hashing": "the output dtype follows output_mode (an integer type for 'int')",
    "IntegerLookup": "Keras sets the dtype from the vocabulary and output_mode",
    "StringLookup": "Keras sets the dtype from the vocabulary and output_mode",
}

#: Input card rows added when ``keras.Input`` takes the argument: name -> row fields.
INPUT_ARGS = {
    "dtype": {"type": "String", "default": None, "optional": True,
              "choices": ["float32", "float16", "bfloat16", "float64", "int8", "int16", "int32",
                          "int64", "uint8", "bool", "string"]},
    "batch_size": {"type": "Integer", "default": None, "optional": True, "minimum": 1},
    "sparse": {"type": "Boolean", "default": False},
}

#: Attributes of the card objects (the editor's Card widgets): an argument of the same name is a
#: parameter named ``keras_<name>`` on the card, the Keras name staying accepted as an alias.
RESERVED_NAMES = ("output_shape", "param_count", "error", "stale", "preview", "card_id", "data",
                  "classes", "position", "selected", "selectable", "locked", "grabbed",
                  "grabbable", "removed", "pannable", "params", "spec", "uid", "keys", "comm",
                  "log")

#: ``call()`` arguments that never become ports: Keras passes them itself.
IMPLICIT_CALL_ARGS = ("self", "training", "mask", "kwargs", "args")

#: Classes whose ``call()`` takes a list of tensors (one port taking any number of wires).
LIST_CALLS = ("HashedCrossing",)

#: State outputs a recurrent layer returns after its output when ``return_state=True``.
STATE_OUTPUTS = {
    "LSTM": ("state_h", "state_c"),
    "ConvLSTM1D": ("state_h", "state_c"),
    "ConvLSTM2D": ("state_h", "state_c"),
    "ConvLSTM3D": ("state_h", "state_c"),
    "GRU": ("state",),
    "SimpleRNN": ("state",),
}

#: Extra outputs returned after the main output when a Boolean call argument is set.
CALL_FLAG_OUTPUTS = {
    "return_attention_scores": ("attention_scores",),
}

#: Where the docstring cannot tell: (class, argument) -> row fields.
ARG_OVERRIDES = {
    ("EinsumDense", "equation"): {"type": "String"},
    ("EinsumDense", "output_shape"): {"type": "Integer", "multiplicity": "n"},
    ("EinsumDense", "bias_axes"): {"type": "String"},
    ("MultiHeadAttention", "output_shape"): {"type": "Integer", "multiplicity": "n"},
    ("MultiHeadAttention", "attention_axes"): {"type": "Integer", "multiplicity": "n"},
    ("MaxNumBoundingBoxes", "max_number"): {"type": "Integer"},
    ("Normalization", "axis"): {"type": "Integer", "multiplicity": "n"},
    ("UnitNormalization", "axis"): {"type": "Integer", "multiplicity": "n"},
    ("RMSNormalization", "axis"): {"type": "Integer", "multiplicity": "n"},
    ("GroupNormalization", "axis"): {"type": "Integer"},
    ("TextVectorization", "ngrams"): {"type": "Integer", "multiplicity": "1"},
    ("Rescaling", "scale"): {"type": "Float"},
    ("Rescaling", "offset"): {"type": "Float"},
    # None in the signature, but Keras refuses to build without it.
    ("CategoryEncoding", "num_tokens"): {"required": True},
    # The docstrings list a mode these layers refuse ("mirror").
    ("RandomShear", "fill_mode"): {"choices": ["reflect", "wrap", "constant", "nearest"]},
    ("RandomTranslation", "fill_mode"): {"choices": ["reflect", "wrap", "constant", "nearest"]},
    ("RandomZoom", "fill_mode"): {"choices": ["reflect", "wrap", "constant", "nearest"]},
}

#: Help for common arguments some Keras docstrings leave undescribed.
GENERIC_ARG_HELP = {
    "data_format": "Ordering of the axes of the input: \"channels_last\" (..., height, width, "
                   "channels) or \"channels_first\" (..., channels, height, width). None: "
                   "Keras's image_data_format setting (channels_last unless changed).",
    "seed": "Seed of the layer's random operations (None: a different one each run).",
    "value_range": "Range of the input values, [low, high] (e.g. [0, 255] or [0, 1]).",
}

#: Activation names offered for ``activation`` arguments (all accepted by keras.activations).
ACTIVATIONS = ("linear", "relu", "relu6", "elu", "selu", "gelu", "silu", "swish", "mish",
               "leaky_relu", "sigmoid", "hard_sigmoid", "hard_silu", "tanh", "softmax",
               "log_softmax", "softplus", "softsign", "exponential")

_PORT_SUFFIXES = {"_initializer": "NeuralNetworkInitializer",
                  "_regularizer": "NeuralNetworkRegularizer",
                  "_constraint": "NeuralNetworkConstraint"}

#: Category of a generated card, from the Keras module that defines the class.
_CATEGORIES = (
    ("preprocessing.image_preprocessing", ("Layers", "Image preprocessing layers")),
    ("preprocessing", ("Layers", "Preprocessing layers")),
    ("activations", ("Layers", "Activation layers")),
    ("attention", ("Layers", "Attention layers")),
    ("convolutional", ("Layers", "Convolution layers")),
    ("merging", ("Layers", "Merge layers")),
    ("normalization", ("Layers", "Normalization layers")),
    ("pooling", ("Layers", "Pooling layers")),
    ("regularization", ("Layers", "Regularization layers")),
    ("reshaping", ("Layers", "Reshaping layers")),
    ("rnn", ("Layers", "Recurrent layers")),
    ("core", ("Layers", "Core layers")),
)

_LAYER_INSTANCE = {"label": "Layer instance", "name": "layer_instance",
                   "type": "NeuralNetworkLayer", "multiplicity": "1",
                   "help": "Instance of this layer; it can be wrapped by a layer wrapper card."}


def public_layer_classes() -> dict:
    """Canonical class name -> class, for every public class of ``keras.layers``."""
    import keras

    names = {}
    for attr in sorted(dir(keras.layers)):
        obj = getattr(keras.layers, attr)
        if not attr.startswith("_") and inspect.isclass(obj):
            names.setdefault(obj, []).append(attr)
    # The class's own name when it is public, else its first public name
    # (GroupedQueryAttention is public only as GroupQueryAttention).
    return {(cls.__name__ if cls.__name__ in public else public[0]): cls
            for cls, public in names.items()}


def aliases() -> dict:
    """Every other name of a ``keras.layers`` class -> the name its card uses: its other public
    names (``"Convolution2D" -> "Conv2D"``, ``"AvgPool2D" -> "AveragePooling2D"``), and its own
    class name when that is not public (``"GroupedQueryAttention" -> "GroupQueryAttention"``)."""
    import keras

    table = {}
    for name, cls in public_layer_classes().items():
        if cls.__name__ != name:
            table[cls.__name__] = name
        for attr in dir(keras.layers):
            if attr != name and getattr(keras.layers, attr) is cls:
                table[attr] = name
    return table


def catalogue_entries(curated: list) -> list:
    """The whole catalogue as card entries: the curated ones (completed with the rows every card
    has and with the extra tensor ports and outputs Keras gives their class), then one generated
    entry per other public ``keras.layers`` class. Curated cards win for their class; generated
    merge cards (any number of inputs) are kept beside the curated 2-input ones."""
    generated = {c["keras_class"]: c for c in generated_cards()}
    entries, curated_classes = [], set()
    for entry in copy.deepcopy(curated):
        cls = entry.get("keras_class")
        if entry["role"] in ("layer", "merge", "wrapper"):
            if entry.get("keras_module") == "keras.layers":
                curated_classes.add(cls)
                if cls in generated and entry["role"] != "merge":
                    _extend_curated(entry, generated[cls])
            _add_missing_args(entry, generated.get(cls) if entry.get("keras_module")
                              == "keras.layers" else None)
            _complete_layer(entry)
        elif entry["role"] in ("initializer", "regularizer", "constraint"):
            _add_missing_args(entry)
        elif entry["role"] == "input":
            _complete_input(entry)
        entries.append(entry)
    taken = {e["id"] for e in entries}
    for cls, entry in generated.items():
        if entry["id"] in taken or (cls in curated_classes and entry["role"] != "merge"):
            continue
        _complete_layer(entry)
        entries.append(entry)
    return entries


def _tensor_ports(entry) -> list:
    return [r for r in entry["inputs"]
            if r.get("kind") == "port" and r["type"] == "NeuralNetworkTensor"]


def _insert_params(entry, rows):
    """Insert parameter rows before the card's Tensor ports (which stay last on the card)."""
    tensors = _tensor_ports(entry)
    at = entry["inputs"].index(tensors[0]) if tensors else len(entry["inputs"])
    entry["inputs"][at:at] = rows


def _complete_layer(entry):
    names = {r["name"] for r in entry["inputs"]}
    if entry.get("keras_class") in OWN_DTYPE:
        names.add("dtype")
        entry["help"] = (entry.get("help", "") + f" No Dtype row: "
                         f"{OWN_DTYPE[entry['keras_class']]}.").strip()
    _insert_params(entry, [dict(r) for r in COMMON_PARAMS if r["name"] not in names])
    for old, new in RENAMED_ARGS.get(entry.get("keras_class"), {}).items():
        for row in entry["inputs"]:
            if row["name"] == new and old not in row.get("aliases", ()):
                row["aliases"] = [*row.get("aliases", []), old]


def _complete_input(entry):
    import keras

    accepted = inspect.signature(keras.Input).parameters
    docs = arg_docs(keras.Input)
    names = {r["name"] for r in entry["inputs"]}
    entry["inputs"] += [dict({"label": _label(name), "name": name, "multiplicity": "1",
                              "kind": "param", "from_keras": True,
                              "help": docs.get(name, "")}, **fields)
                        for name, fields in INPUT_ARGS.items()
                        if name in accepted and name not in names]


def _extend_curated(entry, generated):
    """Give a curated card the extra tensor ports and conditional outputs of its Keras class
    (an LSTM's ``initial_state`` port, its ``return_state`` switch and state outputs)."""
    if entry.get("call_inputs"):
        return  # the card calls Keras in its own way (attention on [input, input])
    mine, theirs = _tensor_ports(entry), _tensor_ports(generated)
    extra_ports = [dict(r) for r in theirs[1:]]
    extra_outputs = [dict(o, from_keras=True) for o in generated["outputs"] if o.get("when")]
    if len(mine) != 1 or not theirs or not (extra_ports or extra_outputs):
        return
    names = {r["name"] for r in entry["inputs"]}
    switches = {o["when"] for o in extra_outputs}
    _insert_params(entry, [dict(r) for r in generated["inputs"]
                           if r["name"] in switches and r["name"] not in names])
    mine[0]["call_name"] = theirs[0]["call_name"]
    entry["inputs"] += extra_ports
    if extra_outputs:
        for out in entry["outputs"]:
            if out["name"] == "output":
                out["index"] = 0
    entry["outputs"] += extra_outputs


def _add_missing_args(entry, generated=None):
    """Give a curated card a row (or port) for every constructor argument of its class that it
    lacks (Conv2D ``groups``, Dense ``lora_rank``...), derived as on generated cards and placed
    after the card's own rows; arguments no row can hold go to its ``left_out`` with the reason.
    """
    if generated is None:
        cls = _class_of(entry)
        if cls is None:
            return
        generated = card_entry(entry["keras_class"], cls)
    covered = set(COMMON_ARGS) | set(entry.get("pack") or ())
    for row in entry["inputs"]:
        covered |= {row["name"], row.get("keras_arg") or row["name"], *row.get("aliases", ())}
    rows = [dict(r) for r in generated["inputs"]
            if not r.get("call_arg") and r.get("type") != "NeuralNetworkTensor"
            and (r.get("keras_arg") or r["name"]) not in covered]
    _insert_params(entry, rows)
    missing = {a: why for a, why in generated.get("left_out", {}).items() if a not in covered}
    if missing:
        entry["left_out"] = {**entry.get("left_out", {}), **missing}
        entry["help"] = (entry.get("help", "") + " " + _left_out_text(missing)).strip()


def _class_of(entry):
    import importlib

    try:
        cls = getattr(importlib.import_module(entry["keras_module"]), entry["keras_class"])
    except (KeyError, TypeError, ImportError, AttributeError):
        return None
    return cls if inspect.isclass(cls) else None


def _left_out_text(left_out: dict) -> str:
    return ("Not on the card (Keras's default is used): "
            + "; ".join(f"`{a}` ({why})" for a, why in left_out.items()) + ".")


def generated_cards() -> list:
    """Card entries (``cards.json`` form) for every public ``keras.layers`` class not excluded."""
    return [card_entry(name, cls) for name, cls in public_layer_classes().items()
            if name not in EXCLUDED]


# -- one card ---------------------------------------------------------------------------------
def card_entry(class_name: str, cls, python_rows: bool = False) -> dict:
    """The card entry for one Keras layer class.

    ``python_rows``: a constructor argument that cannot be a card parameter becomes a row of
    type ``"Python"`` (a kernel-side value, shown read-only) instead of being left out or
    refused -- how custom layer classes defined in the kernel become cards.
    """
    docs = arg_docs(cls)
    role = _role(cls)
    inputs, left_out = [], {}
    init = inspect.signature(cls.__init__).parameters
    for arg in init.values():
        if arg.name in ("self",) + COMMON_ARGS or arg.kind in (arg.VAR_POSITIONAL,
                                                                arg.VAR_KEYWORD):
            continue
        if arg.name in state.STATE_ARGS.get(class_name, ()):
            inputs.append(_python_row(arg, state.help_text(class_name, arg.name)))
            continue
        row = _row_for(class_name, arg.name, arg.default, docs.get(arg.name, ""),
                       arg.annotation)
        if row is None and python_rows:
            row = _python_row(arg, docs.get(arg.name, ""))
        if row is None:
            if arg.default is inspect.Parameter.empty:
                raise ValueError(f"{class_name}: required argument {arg.name!r} cannot be a "
                                 f"card parameter")
            left_out[arg.name] = left_out_reason(class_name, arg.name, arg.default)
            continue
        inputs.append(row)
    renamed = RENAMED_ARGS.get(class_name, {})
    for old, new in renamed.items():
        for row in inputs:
            if row["name"] == new:
                row["aliases"] = [*row.get("aliases", []), old]
    tensor_ports, call_params, when_outputs = _call_rows(class_name, cls, role, docs)
    inputs += call_params + tensor_ports
    outputs = [dict(_LAYER_INSTANCE)]
    if tensor_ports:
        main = {"label": "Output", "name": "output", "type": "NeuralNetworkTensor",
                "multiplicity": "1", "help": "Output tensor of this layer."}
        state_names = STATE_OUTPUTS.get(class_name, ()) if "return_state" in init else ()
        if state_names or when_outputs:
            main["index"] = 0
        outputs.append(main)
        extra = [(n, "return_state") for n in state_names] + when_outputs
        for i, (name, flag) in enumerate(extra, start=1):
            outputs.append({"label": _label(name), "name": name,
                            "type": "NeuralNetworkTensor", "multiplicity": "1", "index": i,
                            "when": flag, "from_keras": True,
                            "help": f"{_label(name)} returned by the layer while "
                                    f"'{_label(flag)}' is set."})
    doc = inspect.cleandoc(cls.__doc__ or "")
    summary = doc.split("\n\n")[0].replace("\n", " ").strip()
    help_ = summary
    if left_out:
        help_ += " " + _left_out_text(left_out)
    return {"id": f"layer_{class_name}", "title": _title(class_name, role),
            "category": list(_category(cls)), "role": role, "keras_class": class_name,
            "keras_module": "keras.layers", "keras_doc": KERAS_LAYERS_DOC, "generated": True,
            "help": help_, "left_out": left_out, "inputs": inputs, "outputs": outputs}


def left_out_reason(class_name: str, arg: str, default) -> str:
    """Why a constructor argument is not a row of its card, in a few words."""
    if arg == "weights":
        return "initial weight arrays: weights come from training or an imported model"
    if arg.endswith("_layer") or arg.endswith("_config"):
        return "a Python object, not a value a card parameter holds"
    return (f"no card parameter type holds its values (Keras's default is "
            f"{default!r}); a model using another value imports as a kernel card holding it")


def _python_row(arg, doc: str) -> dict:
    """A row holding any Python value (required when the argument has no default)."""
    required = arg.default is inspect.Parameter.empty
    name = f"keras_{arg.name}" if arg.name in RESERVED_NAMES else arg.name
    row = {"label": _label(arg.name), "name": name, "keras_arg": arg.name, "type": "Python",
           "multiplicity": "1", "kind": "param", "required": required, "optional": not required,
           "default": None if required else arg.default, "from_keras": True,
           "help": doc or "A Python value, kept in the kernel (read-only on the canvas)."}
    if name != arg.name:
        row["aliases"] = [arg.name]
    return row


def _role(cls) -> str:
    from keras.src.layers.merging.base_merge import Merge

    if issubclass(cls, Merge):
        return "merge"
    if "layer" in inspect.signature(cls.__init__).parameters:
        return "wrapper"
    return "layer"


def _title(class_name: str, role: str) -> str:
    if role == "merge":
        return f"{class_name} layer (any number of inputs)"
    if role == "wrapper":
        return f"{class_name} layer wrapper"
    return f"{class_name} layer"


def _category(cls) -> tuple:
    module = cls.__module__
    if _is_cell(cls):
        return ("Layers", "Recurrent cells")
    for key, category in _CATEGORIES:
        if f".{key}." in module or module.endswith(f".{key}"):
            return category
    return ("Layers",)


def _is_cell(cls) -> bool:
    call = inspect.signature(cls.call).parameters if hasattr(cls, "call") else {}
    return "states" in call


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _row_for(class_name, name, default, doc, annotation=inspect.Parameter.empty) -> dict | None:
    """The card row of one constructor argument, or None when it cannot be shown."""
    row = {"label": _label(name), "name": name, "multiplicity": "1", "from_keras": True}
    required = default is inspect.Parameter.empty
    for suffix, port_type in _PORT_SUFFIXES.items():
        if name.endswith(suffix):
            if required:
                return None
            return dict(row, type=port_type, kind="port")
    if name in ("layer", "cell"):
        return dict(row, type="NeuralNetworkLayer", kind="port", required=True,
                    help=f"The {name} to use: connect the 'Layer instance' output of a "
                         f"{'recurrent cell' if name == 'cell' else 'layer'} card.")
    row["kind"] = "param"
    override = ARG_OVERRIDES.get((class_name, name), {})
    type_, multiplicity, length = _type_of(name, default, doc, annotation)
    type_ = override.get("type", type_)
    multiplicity = override.get("multiplicity", multiplicity)
    if type_ is None:
        return None
    required = override.get("required", required)
    row.update(type=type_, multiplicity=multiplicity, required=required,
               optional=not required and default is None)
    if not doc:
        row["help"] = GENERIC_ARG_HELP.get(name, f"Keras argument `{name}` of {class_name} "
                                                 f"(its docstring does not describe it).")
    rank = re.search(r"([123])D", class_name)
    if multiplicity == "n" and length and rank:
        length = int(rank.group(1))  # the docstrings of a few nD classes say otherwise
    if length and multiplicity == "n":
        row["length"] = length
    if isinstance(default, int) and multiplicity == "n":
        default = [default] * (length or 1)  # Keras repeats an integer along the axes
    if not required and default is not None:
        row["default"] = list(default) if isinstance(default, (tuple, list)) else default
    else:
        row["default"] = None
    choices = override.get("choices") or _choices(name, default, doc, type_)
    if choices:
        row["choices"] = list(choices)
    if name in RESERVED_NAMES:
        row.update(name=f"keras_{name}", keras_arg=name, aliases=[name])
    return row


_INT_WORDS = re.compile(r"\b(int|ints|integer|integers|number of|size of)\b")
_FLOAT_WORDS = re.compile(r"\b(float|floats|number)\b")
_BOOL_WORDS = re.compile(r"\b(bool|boolean)\b")
_STR_WORDS = re.compile(r"\b(str|string)\b")
_LIST_OF = re.compile(r"(tuple|list)(?:/(?:tuple|list))? of (\d+|two|three)? ?(?:positive )?"
                      r"(int|integer)s?")


#: Annotations that give a parameter type (as objects or, under postponed evaluation, text).
_ANNOTATED = {int: "Integer", float: "Float", bool: "Boolean", str: "String",
              "int": "Integer", "float": "Float", "bool": "Boolean", "str": "String"}


def _type_of(name, default, doc, annotation=inspect.Parameter.empty) -> tuple:
    """(type, multiplicity, length) of a constructor argument, or (None, ...) if unsupported:
    from its default, else its annotation, else the words of its docstring."""
    if (default in (None, inspect.Parameter.empty) and isinstance(annotation, (type, str))
            and annotation in _ANNOTATED):
        return _ANNOTATED[annotation], "1", None
    if name == "data_format" and default is None:
        return "String", "1", None
    if name == "seed" and default is None:
        return "Integer", "1", None
    if isinstance(default, bool):
        return "Boolean", "1", None
    if isinstance(default, int):
        listed = _LIST_OF.search(doc.lower())
        return ("Integer", "n", _count(listed)) if listed else ("Integer", "1", None)
    if isinstance(default, float):
        return "Float", "1", None
    if isinstance(default, str):
        return "String", "1", None
    if isinstance(default, (tuple, list)):
        if default and all(isinstance(v, int) and not isinstance(v, bool) for v in default):
            return "Integer", "n", len(default)
        return None, "1", None
    if name == "activation" or name.endswith("_activation"):
        return "String", "1", None
    if default not in (None, inspect.Parameter.empty):
        return None, "1", None
    text = doc.lower()
    lead = text.split(".")[0][:80]
    match = _LIST_OF.search(text)
    if match:
        return "Integer", "n", _count(match)
    for words, type_ in ((_BOOL_WORDS, "Boolean"), (_INT_WORDS, "Integer"),
                         (_FLOAT_WORDS, "Float"), (_STR_WORDS, "String")):
        if words.search(lead):
            return type_, "1", None
    return None, "1", None


def _count(match) -> int | None:
    count = {"two": 2, "three": 3}.get(match.group(2), match.group(2))
    return int(count) if count else None


_QUOTED = re.compile(r'`?"([A-Za-z0-9_]+)"`?')


def _choices(name, default, doc, type_) -> tuple | None:
    if type_ != "String":
        return None
    if name == "activation" or name.endswith("_activation"):
        return ACTIVATIONS
    if name == "data_format":
        return ("channels_last", "channels_first")
    found = tuple(dict.fromkeys(_QUOTED.findall(doc)))
    if len(found) >= 2 and (default in found or (default is None and "one of" in doc.lower())):
        return found
    return None


def _call_rows(class_name, cls, role, docs) -> tuple:
    """(Tensor ports, call-argument parameters, flag outputs) from the class's ``call()``."""
    if _is_cell(cls) or not hasattr(cls, "call"):
        return [], [], []  # a cell is used only inside an RNN card: no tensors of its own
    params = [p for p in inspect.signature(cls.call).parameters.values()
              if p.name not in IMPLICIT_CALL_ARGS
              and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    ports, flags, outputs = [], [], []
    for i, arg in enumerate(params):
        if isinstance(arg.default, bool):
            flags.append({"label": _label(arg.name), "name": arg.name, "type": "Boolean",
                          "multiplicity": "1", "kind": "param", "default": arg.default,
                          "call_arg": True, "from_keras": True})
            for out in CALL_FLAG_OUTPUTS.get(arg.name, ()):
                outputs.append((out, arg.name))
            continue
        first = i == 0
        listed = role == "merge" or class_name in LIST_CALLS
        if first and (listed or arg.name in _GENERIC_INPUTS):
            port = {"label": "Inputs" if listed else "Input", "name": "inputs" if listed
                    else "input", "multiplicity": "n" if listed else "1",
                    "help": ("Input tensors, in wire order." if listed else
                             "Input tensor of this layer.")}
        else:
            many = arg.name in ("initial_state", "states", "constants")
            port = {"label": _label(arg.name), "name": arg.name,
                    "multiplicity": "n" if many else "1",
                    "optional": arg.default is not inspect.Parameter.empty}
        port.update(type="NeuralNetworkTensor", kind="port", call_name=arg.name,
                    from_keras=True)
        if arg.name in docs and not (first and arg.name in _GENERIC_INPUTS):
            port["help"] = docs[arg.name]
        if first and arg.name not in _GENERIC_INPUTS:
            port["optional"] = False  # e.g. an attention layer's query
        ports.append(port)
    return ports, flags, outputs


#: Names of a call()'s first argument that mean "the layer's input" (port named "input").
_GENERIC_INPUTS = ("inputs", "x", "data", "sequences", "sequence", "input")


@functools.lru_cache(maxsize=None)
def arg_docs(cls) -> dict:
    """Argument name -> its description in the docstrings of the class and its bases (call()'s
    too), the class's own words first."""
    found = {}
    if inspect.isclass(cls):
        sources = [base.__dict__.get("__doc__") for base in cls.__mro__]
    else:
        sources = [cls.__doc__]  # a function, such as keras.Input
    sources.append(getattr(getattr(cls, "call", None), "__doc__", None))
    for doc in sources:
        lines = inspect.cleandoc(doc or "").splitlines()
        for i, line in enumerate(lines):
            m = re.match(r"^(\s*)\**([a-z_][a-z0-9_]*)\s*:\s*(.*)$", line)
            if not m or m.group(2) in found:
                continue
            indent = len(m.group(1))
            text = [m.group(3).strip()]
            for nxt in lines[i + 1:]:
                if not nxt.strip() or len(nxt) - len(nxt.lstrip()) <= indent:
                    break
                text.append(nxt.strip())
            found[m.group(2)] = " ".join(t for t in text if t)
    return found
