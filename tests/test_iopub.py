"""A cell that opens thousands of widgets loses none of them (nncards_widget/_iopub.py).

A real ipykernel and a client that reads the kernel's output late, as a Jupyter server busy
passing on the first messages of a burst does. Without the editor's fix ZeroMQ drops what does
not fit its 1,000-message queue: on this machine 20,000 widget opens arrived as about 8,000, and
the cell's closing ``idle`` status never came (the page shows the cell running forever).
"""

from __future__ import annotations

import os
import time

import jupyter_client

OPENS = 20000  # a 2,000-card network opens 4,000 widgets; the margin is for fast servers


def _late_reader_counts(kc, msg_id: str) -> tuple[int, bool]:
    """The comm_opens of ``msg_id`` and whether its idle status arrived, read after the fact."""
    opens, idle = 0, False
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            msg = kc.get_iopub_msg(timeout=5)
        except Exception:  # queue.Empty: nothing more will come
            break
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "comm_open":
            opens += 1
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            idle = True
            break
    return opens, idle


def test_a_burst_of_widgets_reaches_a_slow_reader_whole():
    km = jupyter_client.KernelManager(kernel_name="python3")
    km.start_kernel(env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    kc = km.client()
    try:
        kc.start_channels()
        kc.wait_for_ready(timeout=120)
        kc.execute_interactive("from nncards_widget import NetworkEditor\ned = NetworkEditor()",
                               timeout=300, output_hook=lambda msg: None)
        msg_id = kc.execute(f"import ipywidgets\nkeep = [ipywidgets.Widget() for _ in "
                            f"range({OPENS})]")
        reply = kc.get_shell_msg(timeout=300)  # the cell has run; its output is not read yet
        assert reply["content"]["status"] == "ok", reply["content"]
        time.sleep(2)
        opens, idle = _late_reader_counts(kc, msg_id)
        assert opens == OPENS, f"{OPENS - opens} of {OPENS} widgets never reached the reader"
        assert idle, "the cell's idle status was lost: a page would show it running forever"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)

