"""Fixtures for the TUI tests."""

from __future__ import annotations

import pytest
from tui_helpers import make_test_app


@pytest.fixture
def make():
    """Factory fixture: ``make(**make_app_kwargs)`` with the fixed as-of date."""
    return make_test_app
