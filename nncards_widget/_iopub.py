"""Keep every kernel -> page message of a burst.

A Jupyter kernel publishes outputs, widget ``comm_open``s and the end-of-cell ``idle`` status on
one ZeroMQ PUB socket. PUB drops what it cannot queue: with ZeroMQ's default high-water mark of
1,000 messages per subscriber, a cell that opens thousands of widgets (a 2,000-card network
opens 4,000) while the Jupyter server is busy passing the first ones on loses the rest. The page
then never gets those widgets, and when the ``idle`` status is among them the cell shows as
running forever. ipykernel sets no high-water mark, so the editor lifts it on the kernel's iopub
socket (0: no limit, messages wait in the kernel until the server reads them) the first time an
editor is made in a kernel.
"""

from __future__ import annotations

import logging

__all__ = ["keep_iopub_bursts"]

_log = logging.getLogger(__name__)
_lifted = False


def keep_iopub_bursts() -> bool:
    """Lift the iopub high-water mark of the running ipykernel (once); False outside a kernel."""
    global _lifted
    if _lifted:
        return True
    try:
        import zmq
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    thread = getattr(getattr(shell, "kernel", None), "iopub_thread", None)
    socket = getattr(thread, "socket", None)
    if socket is None or not hasattr(socket, "setsockopt") or not hasattr(thread, "schedule"):
        return False

    def lift():  # in the iopub thread, which owns the socket (ZeroMQ sockets are not thread-safe)
        try:
            socket.setsockopt(zmq.SNDHWM, 0)
        except zmq.ZMQError as exc:
            _log.warning("nncards_widget: could not lift the iopub high-water mark: %s", exc)

    thread.schedule(lift)
    _lifted = True
    return True
