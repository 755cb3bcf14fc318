"""Run every exercise solution stored in the notebooks and require each checker to accept it.

Solutions sit in collapsed `<details>` blocks of markdown cells, as one self-contained ```python
block each that ends by calling a checker from common.exercises.
"""

import re

import matplotlib.pyplot as plt
import pytest

from common import exercises
from notebook_files import NOTEBOOKS, ROOT, read

DETAILS = re.compile(r"<details>(.*?)</details>", re.S)
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def solutions():
    for path in NOTEBOOKS:
        for cell in read(path).cells:
            if cell.cell_type != "markdown":
                continue
            for details in DETAILS.findall(cell.source):
                for code in PYTHON_BLOCK.findall(details):
                    yield pytest.param(code, id=f"{path.stem}:{code.splitlines()[-1][:40]}")


SOLUTIONS = list(solutions())


def test_notebooks_have_solutions():
    assert SOLUTIONS


@pytest.mark.parametrize("code", SOLUTIONS)
def test_solution_passes_its_checker(code, capsys, monkeypatch):
    monkeypatch.chdir(ROOT / "notebooks")
    exercises.results.clear()
    exec(compile(code, "<solution>", "exec"), {"__name__": "__solution__"})
    plt.close("all")
    assert exercises.results, "the solution never called a checker"
    failed = [name for name, ok in exercises.results if not ok]
    assert not failed, f"checker rejected the solution: {failed}\n{capsys.readouterr().out}"
