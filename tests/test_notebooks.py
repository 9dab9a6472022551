"""Run every notebook in notebooks/ top to bottom with nbclient; any error fails the test.

Each notebook runs in a temp copy of notebooks/ (so files it writes stay out of the tree), on the
``python3`` kernel. The executed notebook is kept in ``tests/artifacts/notebooks/`` for reading.
Notebooks assert their own key results (``assert`` in a cell fails the run like any error).
Per-cell timeout: ``NNCARDS_NOTEBOOK_TIMEOUT`` seconds (default 900).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
from nbclient.exceptions import CellExecutionError, CellTimeoutError  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
ARTIFACTS = ROOT / "tests" / "artifacts" / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
TIMEOUT = int(os.environ.get("NNCARDS_NOTEBOOK_TIMEOUT", "900"))


def test_there_are_notebooks():
    assert NOTEBOOKS, (f"no notebooks found in {NOTEBOOK_DIR} "
                       f"(at least notebooks/quickstart.ipynb is expected)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"))
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", os.environ.get("CUDA_VISIBLE_DEVICES", ""))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    work = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOK_DIR, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    nb = nbformat.read(work / path.name, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=TIMEOUT, kernel_name="python3", allow_errors=False,
        resources={"metadata": {"path": str(work)}},
    )
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as e:
        pytest.fail(f"{path.name} failed:\n" + re.sub(r"\x1b\[[0-9;]*m", "", str(e)), pytrace=False)
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, ARTIFACTS / path.name)
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, f"{path.name}: error outputs: {[(o['ename'], o['evalue']) for o in errors]}"
