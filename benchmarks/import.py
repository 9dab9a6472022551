"""Benchmark: ``NetworkEditor.from_model`` + ``build`` of a ~400-layer application against
``keras.models.clone_model`` of it (both make a new model of the same layers; aim: within 3x).

The application is made once (``weights=None``, a small input); each path is warmed once, then
timed ``--repeat`` times, interleaved; the best and median times and their ratio are printed.
``--profile`` prints where the import spends its time.

    python benchmarks/import.py [--app DenseNet121] [--size 32] [--repeat 3] [--profile]
"""

from __future__ import annotations

import sys
from pathlib import Path

# ``python benchmarks/import.py`` puts benchmarks/ first on sys.path, where a benchmark module
# named like a standard one (benchmarks/inspect.py) would shadow it: drop that entry.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from nncards_widget import NetworkEditor  # noqa: E402


def import_path(model):
    return NetworkEditor.from_model(model).build()


def clone_path(model):
    return keras.models.clone_model(model)


def _timed(fn, model) -> float:
    gc.collect()
    start = time.perf_counter()
    built = fn(model)
    elapsed = time.perf_counter() - start
    assert built.count_params() == model.count_params()
    return elapsed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", default="DenseNet121")
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    model = getattr(keras.applications, args.app)(weights=None, classes=10,
                                                  input_shape=(args.size, args.size, 3))
    print(f"{args.app} at {args.size}x{args.size}: {len(model.layers)} layers, "
          f"{model.count_params():,} parameters")
    if args.profile:
        import cProfile
        import pstats

        cProfile.runctx("import_path(model)", globals(), {"model": model}, "/tmp/import.prof")
        pstats.Stats("/tmp/import.prof").sort_stats("cumulative").print_stats(25)
        return
    times = {"from_model + build": [], "clone_model": []}
    import_path(model), clone_path(model)  # warm both
    for _ in range(args.repeat):
        times["from_model + build"].append(_timed(import_path, model))
        times["clone_model"].append(_timed(clone_path, model))
    for name, values in times.items():
        print(f"{name:>20}: best {min(values):6.2f} s, median {statistics.median(values):6.2f} s")
    ratio = min(times["from_model + build"]) / min(times["clone_model"])
    print(f"{'ratio (best)':>20}: {ratio:.2f}x (aim: <= 3x)")


if __name__ == "__main__":
    main()
