"""Fixtures for the content stories: a copy of the shipped content that a test may break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content.check import CONTENT_DIR


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped library and help directory, safe to break."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR / "library", root / "library")
    shutil.copytree(CONTENT_DIR / "help", root / "help")
    return root
