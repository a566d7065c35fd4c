"""Shared test fixtures: where the bundled contracts and the third-party corpus live."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / "contracts"
#: beside the checkout (/work/main → /work/shared) or beside its worktree folder
#: (/work/wt/NAME → /work/shared)
CORPUS = next((folder for folder in (ROOT.parent / "shared" / "corpus",
                                     ROOT.parent.parent / "shared" / "corpus")
               if folder.is_dir()), ROOT.parent / "shared" / "corpus")


@pytest.fixture
def contracts_dir() -> Path:
    return CONTRACTS


def corpus_dir() -> Path:
    """The third-party corpus beside the checkout (absent in a plain user clone)."""
    if not CORPUS.is_dir():
        pytest.skip(f"third-party corpus not found at {CORPUS}")
    return CORPUS
