"""Run work once after the current cell (or view request) instead of after every change.

Inside a Jupyter kernel, cells and the view's requests run on the kernel's asyncio loop, so work
scheduled with ``loop.call_soon`` runs right after them: many changes in one cell cost one run.
Without a running loop (scripts, pytest) there is no "after", so the work runs at once, unless
the mode says to wait for an explicit call.
"""

from __future__ import annotations

import asyncio
import logging

__all__ = ["running_loop", "AfterCell", "MODES"]

log = logging.getLogger(__name__)

#: ``auto``: after the cell in a kernel, at once elsewhere; ``eager``: always at once;
#: ``deferred``: after the cell in a kernel, and only when asked elsewhere.
MODES = ("auto", "eager", "deferred")


def running_loop():
    """The asyncio loop running in this thread, or None."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class AfterCell:
    """Coalesces requests to run ``callback``: at most one pending run at a time."""

    def __init__(self, callback, what: str):
        self.callback = callback
        self.what = what
        self.pending = False

    def request(self, mode: str = "auto") -> None:
        loop = None if mode == "eager" else running_loop()
        if loop is None:
            if mode != "deferred":
                self.callback()
            return
        if not self.pending:
            self.pending = True
            loop.call_soon(self._run)

    def _run(self):
        self.pending = False
        try:
            self.callback()
        except Exception:  # never break the kernel's loop; the next change retries
            log.exception("nncards_widget: %s failed", self.what)
