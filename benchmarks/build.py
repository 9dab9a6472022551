"""Benchmark: a 300-card network built through NetworkEditor vs. the same network in plain Keras.

Both paths build the same functional model: an Input, 74 residual blocks (a GlorotUniform
initializer card feeding Dense -> Dense -> Add), a LayerNormalization, a final Dense and an
Output: 300 cards. The editor path includes everything a user does: adding the cards, wiring
them, and ``build()``. Each path is warmed once, then timed ``--repeat`` times, interleaved.
Peak Python memory (tracemalloc) is measured in a separate run of each path.

    python benchmarks/build.py [--repeat 5] [--blocks 74]
"""

from __future__ import annotations

import sys
from pathlib import Path

# ``python benchmarks/build.py`` puts benchmarks/ first on sys.path, where a benchmark module
# named like a standard one (benchmarks/inspect.py) would shadow it for numpy: drop that entry.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from nncards_widget import NetworkEditor  # noqa: E402

WIDTH = 16


def editor_path(blocks: int):
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[WIDTH])
    prev = x
    for i in range(blocks):
        init = ed.add("GlorotUniform", seed=i)
        a = ed.add("Dense", units=WIDTH, activation="relu")
        b = ed.add("Dense", units=WIDTH)
        add = ed.add("mergeLayer2_Add")
        ed.connect(init, a["Kernel initializer"])
        ed.connect(prev, a)
        ed.connect(a, b)
        ed.connect(prev, add["Input A"])
        ed.connect(b, add["Input B"])
        prev = add
    norm = ed.add("LayerNormalization")
    head = ed.add("Dense", units=1)
    ed.connect(prev, norm)
    ed.connect(norm, head)
    ed.connect(head, ed.add("output", name="y"))
    model = ed.build()
    return model, len(ed.cards)


def keras_path(blocks: int):
    x = keras.Input((WIDTH,), name="x")
    prev = x
    for i in range(blocks):
        a = keras.layers.Dense(WIDTH, activation="relu",
                               kernel_initializer=keras.initializers.GlorotUniform(seed=i))(prev)
        b = keras.layers.Dense(WIDTH)(a)
        prev = keras.layers.Add()([prev, b])
    h = keras.layers.LayerNormalization()(prev)
    y = keras.layers.Dense(1)(h)  # an Output card adds no layer: the model's output is this
    return keras.Model(x, y), 4 * blocks + 3


def timed(fn, blocks):
    gc.collect()
    t0 = time.perf_counter()
    model, n = fn(blocks)
    return time.perf_counter() - t0, model, n


def peak_memory(fn, blocks):
    gc.collect()
    tracemalloc.start()
    fn(blocks)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--blocks", type=int, default=74)
    args = parser.parse_args()

    # Warm both paths once (imports, Keras/TF first-call costs).
    _, m_ed, n_cards = timed(editor_path, args.blocks)
    _, m_k, n_layers = timed(keras_path, args.blocks)
    assert m_ed.count_params() == m_k.count_params(), "the two paths must build the same model"
    assert len(m_ed.layers) == len(m_k.layers)

    times = {"editor": [], "keras": []}
    for _ in range(args.repeat):
        times["editor"].append(timed(editor_path, args.blocks)[0])
        times["keras"].append(timed(keras_path, args.blocks)[0])
    med = {k: statistics.median(v) for k, v in times.items()}
    mem = {"editor": peak_memory(editor_path, args.blocks),
           "keras": peak_memory(keras_path, args.blocks)}

    print(f"network: {n_cards} cards, {len(m_ed.layers)} Keras layers, "
          f"{m_ed.count_params():,} parameters; {args.repeat} interleaved runs after one warm-up")
    for k in ("editor", "keras"):
        runs = ", ".join(f"{t:.3f}" for t in times[k])
        print(f"{k:>6}: median {med[k]:.3f} s  (runs: {runs})  peak memory "
              f"{mem[k] / 2**20:.1f} MiB")
    ratio = med["editor"] / med["keras"]
    print(f"time ratio editor/keras: {ratio:.2f}x (aim: <= 1.5x)")
    print(f"peak memory ratio editor/keras: {mem['editor'] / mem['keras']:.2f}x")
    return ratio


if __name__ == "__main__":
    main()
