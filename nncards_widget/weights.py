"""Weights of the cards' Keras layers: made only when a model is built, and kept across edits.

Live shapes and inspection need the layers (their output shapes and parameter counts), not their
weights. ``deferred()`` builds layers inside a ``keras.StatelessScope`` that leaves every new
variable *uninitialized* (a shape, a dtype and an initializer: no memory), so a saved graph with
``Dense(units=10**9)`` loads and shows its shapes at once. ``ModelBuilder.build`` then checks the
size of every card's weights (``check_sizes``: a ``BuildError`` naming the card beyond
``MAX_PARAMETERS``) and initializes them (``initialize``) -- inside the caller's
``tf.distribute`` strategy scope, if any, so the variables belong to that strategy.
"""

from __future__ import annotations

import contextlib
import math

from .errors import BuildError

__all__ = ["MAX_PARAMETERS", "deferred", "concrete", "initialize", "check_sizes",
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
