"""State of preprocessing layers: a vocabulary, a mean and variance, bin boundaries.

Keras learns this state with ``layer.adapt(data)``, or takes it as constructor arguments. On a
card the state is those constructor arguments, held as kernel-side Python values (read-only on
the canvas, shown shortened): ``card.adapt(data)`` adapts a Keras layer made from the card's
parameters on ``data`` and puts what it learned on the card; ``card.vocabulary = [...]`` gives it
directly. The builder passes the values to the constructor like any parameter, so the built
layer holds the state (it predicts as a Keras layer adapted on the same data).

A saved graph keeps the state as data (lists of strings or numbers) when it is small
(:data:`MAX_SAVED_BYTES`); a larger one is kept in the kernel only: ``to_json`` leaves it out and
says so with a :class:`StateNotSavedWarning`.
"""

from __future__ import annotations

import json
import warnings

__all__ = ["STATE_ARGS", "MAX_SAVED_BYTES", "StateNotSavedWarning", "state_params", "adapt",
           "read_state", "imported_state", "saved_params"]

#: Constructor arguments holding the state, per ``keras.layers`` class.
STATE_ARGS = {
    "TextVectorization": ("vocabulary", "idf_weights"),
    "StringLookup": ("vocabulary", "idf_weights"),
    "IntegerLookup": ("vocabulary", "idf_weights"),
    "Normalization": ("mean", "variance"),
    "Discretization": ("bin_boundaries",),
}

#: Largest state (as JSON text) a saved graph holds; larger state stays in the kernel only.
MAX_SAVED_BYTES = 1 << 20


class StateNotSavedWarning(UserWarning):
    """A card's preprocessing state is too large for a saved graph and stays in the kernel."""


def help_text(class_name: str, arg: str) -> str:
    """Help of a state row."""
    return (f"State of the layer ({arg}), kept in the kernel: set by card.adapt(data) (as "
            f"keras.layers.{class_name}.adapt) or given in Python (card.{arg} = ...). The built "
            f"layer is made with it. Saved with the graph when under "
            f"{MAX_SAVED_BYTES // (1 << 20)} MB of data.")


def state_params(spec) -> tuple:
    """The card's parameters that hold its layer's state (none for most cards)."""
    names = STATE_ARGS.get(spec.keras_class, ()) if spec.keras_module == "keras.layers" else ()
    return tuple(p for p in spec.params if (p.keras_arg or p.name) in names)


def adapt(card, data, batch_size=None, steps=None) -> None:
    """Adapt a Keras layer made from ``card``'s parameters on ``data`` and set the card's state
    parameters to what it learned (previous state is replaced, as Keras's ``adapt`` does)."""
    spec = card.spec
    held = state_params(spec)
    if not held:
        stateful = ", ".join(STATE_ARGS)
        raise TypeError(f"Card '{card.name}' ({spec.title}) has no state to adapt; the cards "
                        f"that do are: {stateful}")
    names = {p.name for p in held}
    kwargs = {}
    for p in spec.params:
        value = card.params.get(p.name, p.default)
        if p.name in names or p.call_arg or p.name in ("name", "trainable") or value is None:
            continue
        kwargs[p.keras_arg or p.name] = tuple(value) if p.is_list else value
    try:
        layer = spec.keras_type()(name=card.name, **kwargs)  # (leaves Keras's names free)
        options = {k: v for k, v in (("batch_size", batch_size), ("steps", steps))
                   if v is not None}  # (not every adapt() takes a batch size)
        layer.adapt(data, **options)
    except Exception as exc:
        raise ValueError(f"Card '{card.name}' ({spec.title}) could not be adapted on the data "
                         f"given: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}"
                         ) from exc
    learned = read_state(spec.keras_class, layer)
    with card.hold_trait_notifications():
        if spec.keras_class == "Discretization":
            card.num_bins = None  # Keras takes bin boundaries or a number of bins, not both
        for p in held:
            setattr(card, p.name, learned.get(p.keras_arg or p.name))


def read_state(class_name: str, layer) -> dict:
    """The state of an adapted Keras layer as plain data: constructor argument -> value."""
    from keras import ops

    if class_name == "Normalization":
        return {"mean": _plain(ops.convert_to_numpy(layer.adapt_mean)),
                "variance": _plain(ops.convert_to_numpy(layer.adapt_variance))}
    if class_name == "Discretization":
        return {"bin_boundaries": _plain(list(layer.bin_boundaries))}
    if layer.get_config().get("output_mode") == "tf_idf":
        # The idf weights go with the whole vocabulary, special tokens included.
        lookup = getattr(layer, "_lookup_layer", layer)  # TextVectorization holds a lookup
        return {"vocabulary": _plain(layer.get_vocabulary()),
                "idf_weights": _plain(ops.convert_to_numpy(lookup.idf_weights_const))}
    # Without the mask and out-of-vocabulary tokens, as the constructor takes a vocabulary.
    vocabulary = _plain(layer.get_vocabulary(include_special_tokens=False))
    return {"vocabulary": vocabulary or None}


def imported_state(spec, layer) -> tuple:
    """({parameter: value}, config keys they account for) of a layer object imported as a
    card (``from_model``): the state it holds, learned or given, as the card keeps it."""
    held = state_params(spec)
    if not held:
        return {}, set()
    config = layer.get_config()
    try:
        learned = read_state(spec.keras_class, layer)
    except Exception:  # not adapted (no state variables yet): the config says what was given
        learned = {}
    values = {}
    for p in held:
        arg = p.keras_arg or p.name
        value = learned.get(arg)
        values[p.name] = _plain(config.get(arg)) if value is None else value
    keys = {p.keras_arg or p.name for p in held} | {"vocabulary_size"}
    if spec.keras_class == "Discretization" and values.get("bin_boundaries") is not None:
        values["num_bins"] = None  # the boundaries say it
        keys.add("num_bins")
    return values, keys


def _plain(value):
    """Numbers, strings and lists of them, from numpy values."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return value


def saved_params(card, params: dict) -> dict:
    """The parameters a saved graph holds for a card (CardData): its state as plain data when
    small, else left out with a StateNotSavedWarning naming the card."""
    held = state_params(card.spec)
    if not held:
        return params
    params = dict(params)
    for p in held:
        if params.get(p.name) is None:
            continue
        value = _plain(params[p.name])
        try:
            size = len(json.dumps(value, allow_nan=False))
        except (TypeError, ValueError):
            from ..errors import GraphFileError

            raise GraphFileError(f"Cannot save card '{card.name}' ({card.spec.title}): its "
                                 f"{p.name} is not a list of strings or finite numbers") from None
        if size > MAX_SAVED_BYTES:
            warnings.warn(f"Card '{card.name}' ({card.spec.title}): its {p.name} "
                          f"({size / (1 << 20):.1f} MB as data) is kept in the kernel only; the "
                          f"saved graph has the card without it (adapt it again after loading)",
                          StateNotSavedWarning, stacklevel=3)
            value = None
        params[p.name] = value
    return params
