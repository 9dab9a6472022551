"""Weights of the cards' Keras layers: made only when a model is built, and kept across edits.

Live shapes and inspection need the layers (their output shapes and parameter counts), not their
weights. ``deferred()`` builds layers inside a ``keras.StatelessScope`` that leaves every new
variable *uninitialized* (a shape, a dtype and an initializer: no memory), so a saved graph with
``Dense(units=10**9)`` loads and shows its shapes at once. ``ModelBuilder.build`` then checks the
size of every card's weights (``check_sizes``: a ``BuildError`` naming the card beyond
``MAX_PARAMETERS``) and initializes them (``initialize``) -- inside the caller's
``tf.distribute`` strategy scope, if any, so the variables belong to that strategy.

``WeightStore`` (``ed.weights``) keeps trained weights across edits: each build copies the
weights of the previous model's layer into every card that did not change (see its docstring;
``seed`` is the API importers use to start cards from existing weights).
"""

from __future__ import annotations

import contextlib
import math

from .errors import BuildError

__all__ = ["MAX_PARAMETERS", "WeightStore", "deferred", "concrete", "initialize", "check_sizes",
           "parameter_count"]

#: The most parameters one card (or a whole network) may have when it is built into a model:
#: 2**31 float32 weights are 8 GiB. Raise it (``nncards_widget.weights.MAX_PARAMETERS = ...``) to
#: build larger models on purpose.
MAX_PARAMETERS = 2**31


def _global_state():
    from keras.src.backend.common import global_state

    return global_state


@contextlib.contextmanager
def deferred():
    """Layers built inside get uninitialized variables (no memory until ``initialize``).

    Keras keeps a global list of uninitialized variables that the next stateless scope to close
    initializes; the variables made here are taken off that list, so only ``initialize`` (a
    model build) ever allocates them.
    """
    import keras

    state = _global_state()
    if state.get_global_attribute("stateless_scope") is not None:
        yield  # already inside a stateless scope (its owner decides)
        return
    before = state.get_global_attribute("uninitialized_variables", [], set_to_default=True)
    kept = {id(v) for v in before}
    try:
        with keras.StatelessScope(initialize_variables=False):
            yield
    finally:
        now = state.get_global_attribute("uninitialized_variables") or []
        state.set_global_attribute("uninitialized_variables", [v for v in now if id(v) in kept])


@contextlib.contextmanager
def concrete():
    """Leave a ``deferred()`` block for a while: for layers that assign values while they are
    built (an initializer given as an array), which a stateless scope does not allow."""
    state = _global_state()
    scope = state.get_global_attribute("stateless_scope")
    state.set_global_attribute("stateless_scope", None)
    try:
        yield
    finally:
        state.set_global_attribute("stateless_scope", scope)


def is_uninitialized(variable) -> bool:
    return getattr(variable, "_value", True) is None and \
        getattr(variable, "_initializer", None) is not None


def parameter_count(layer) -> int:
    """Number of values in a layer's variables (trainable or not), initialized or not."""
    return sum(math.prod(int(d) for d in v.shape) for v in _unique(layer.variables))


def _unique(variables):
    seen = set()
    for v in variables:
        if id(v) not in seen:
            seen.add(id(v))
            yield v


def check_sizes(layers_by_card: dict, limit: int | None = None) -> None:
    """Refuse, before any weight is made, a card (or a network) with more than ``limit``
    (default ``MAX_PARAMETERS``) parameters: a BuildError naming the card and its size."""
    limit = MAX_PARAMETERS if limit is None else limit
    total, sizes, seen = 0, [], set()
    for card, layer in layers_by_card.items():
        fresh = [v for v in _unique(layer.variables) if id(v) not in seen]
        seen.update(id(v) for v in fresh)
        n = sum(math.prod(int(d) for d in v.shape) for v in fresh if is_uninitialized(v))
        if n > limit:
            raise BuildError(f"Card '{card}' has {n:,} parameters ({_bytes(n)} as float32), more "
                             f"than the {limit:,} a card may have: its weights are not made. "
                             f"Make the layer smaller (units, filters, input_dim, ...).",
                             card=card)
        total += n
        sizes.append((n, card))
    if total > limit:
        biggest = ", ".join(f"'{c}' ({n:,})" for n, c in sorted(sizes, reverse=True)[:3])
        raise BuildError(f"The network has {total:,} parameters ({_bytes(total)} as float32), "
                         f"more than the {limit:,} allowed: its weights are not made. The "
                         f"largest cards: {biggest}.", card=sorted(sizes, reverse=True)[0][1])


def initialize(variables) -> int:
    """Make the values of the uninitialized variables among ``variables`` (inside the current
    ``tf.distribute`` strategy scope, if any); returns how many were made."""
    made = 0
    with concrete():
        for v in _unique(variables):
            if is_uninitialized(v):
                v._deferred_initialize()
                made += 1
    return made


def _bytes(n: int) -> str:
    size = 4.0 * n
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


class WeightStore:
    """Weights kept across builds: ``ed.weights``.

    After ``model.fit``, an edit and a new ``ed.build()`` (or ``ed.inspect()``, which builds)
    would give every card fresh weights. The store keeps, per card uid, the layer of the last
    built model and the card's *content signature* then (its kind, its parameters except the
    name, and the shapes of its inputs); the next build copies those weights into the new layer
    of every card whose signature is unchanged and whose weight shapes match. Cards that
    changed get fresh weights.

    ``seed(card, arrays)`` gives a card weights to start from in the next builds, whatever its
    signature (used when a Keras model is imported: ``from_model`` seeds each card with the
    weights of its layer); the arrays are those ``layer.get_weights()`` returns, in that order.
    A seed whose shapes do not match the built layer is left unused (see ``last_kept``).
    """

    def __init__(self, graph=None):
        self._graph = graph
        self._layers: dict = {}  # uid -> (signature, layer of the last model)
        self._seeds: dict = {}  # uid -> list of arrays
        #: names of the cards whose weights the last build kept (or took from a seed)
        self.last_kept: list = []

    def seed(self, card, arrays) -> None:
        """Start card ``card`` (a uid, or a Card) from ``arrays`` (a list of numpy arrays in
        ``layer.get_weights()`` order) at the next build; later builds keep them as long as the
        card does not change. Raises ValueError when ``arrays`` is not a list of arrays."""
        import numpy as np

        uid = getattr(card, "uid", card)
        if not isinstance(uid, str):
            raise ValueError(f"weights.seed() takes a card uid or a Card; received {card!r}")
        if not isinstance(arrays, (list, tuple)):
            raise ValueError(f"weights.seed() takes a list of arrays (as layer.get_weights() "
                             f"gives) for card {uid!r}; received {type(arrays).__name__}")
        self._seeds[uid] = [np.asarray(a) for a in arrays]
        self._layers.pop(uid, None)

    def forget(self, card=None) -> None:
        """Drop the kept weights of one card (or of every card): its next build starts fresh."""
        if card is None:
            self._layers.clear()
            self._seeds.clear()
            return
        uid = getattr(card, "uid", card)
        self._layers.pop(uid, None)
        self._seeds.pop(uid, None)

    def __contains__(self, card) -> bool:
        uid = getattr(card, "uid", card)
        return uid in self._layers or uid in self._seeds

    # -- used by the build ------------------------------------------------------------------
    def restore(self, built: dict) -> list:
        """Copy kept weights into the new layers ``built`` ({uid: (signature, layer, name)}),
        then remember these layers for the next build. Returns the names of the cards whose
        weights were kept."""
        kept = []
        for uid, (signature, layer, name) in built.items():
            arrays = self._seeds.get(uid)
            if arrays is None:
                before = self._layers.get(uid)
                if before is None or before[0] != signature or before[1] is layer:
                    continue
                arrays = before[1].get_weights()
            if _fits(layer, arrays):
                layer.set_weights(arrays)
                kept.append(name)
                self._seeds.pop(uid, None)
        self._layers = {uid: (sig, layer) for uid, (sig, layer, _) in built.items()}
        self.last_kept = kept
        return kept


def _fits(layer, arrays) -> bool:
    current = layer.weights
    return len(current) == len(arrays) and all(
        tuple(v.shape) == tuple(a.shape) for v, a in zip(current, arrays, strict=True))
