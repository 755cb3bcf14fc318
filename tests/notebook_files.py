"""Helpers the notebook tests share: where the notebooks are and how to read them."""

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))  # 05_..., 06a_...


def read(path: Path):
    return nbformat.read(path, as_version=4)
