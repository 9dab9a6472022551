"""Shared settings for the kernel-side tests: quiet TensorFlow, small and deterministic."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402


@pytest.fixture
def editor():
    from nncards_widget import NetworkEditor

    return NetworkEditor()
