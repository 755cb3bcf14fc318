"""How much a study group reads and runs in a notebook's core path, against the session budget.

    python tests/tools/session_budget.py                 # a table for every notebook
    python tests/tools/session_budget.py notebooks/05a_backpropagation.ipynb

The core path is what the group does together in its 90 minutes: every cell except
- "going further" parts: a markdown heading whose text starts with "Going further" opens one, and it
  lasts until the next heading of the same or a higher level that does not start that way;
- folded solutions (the ``<details>`` blocks of the exercises).

Budget (the reasoning is in the README's "Running a study session"): at about 130 words a minute for
readers of English as a second language, 2,800 words of prose take about 22 minutes, which leaves
about an hour for running cells, the exercises and the discussion questions. 320 lines of code is
what a group can run and look at in that hour without rushing.
"""

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
BUDGET = {"words": 2800, "code_lines": 320}

HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
DETAILS = re.compile(r"<details>.*?</details>", re.S)
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)*")


def _headings(source):
    for line in source.splitlines():
        match = HEADING.match(line)
        if match:
            yield len(match.group(1)), match.group(2).strip()


def core_cells(nb):
    """The cells of the core path, in order (see the module docstring)."""
    core, further_level = [], None  # further_level: the heading level that opened a going-further part
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for level, text in _headings(cell.source):
                if text.lower().startswith("going further"):
                    if further_level is None or level <= further_level:
                        further_level = level
                elif further_level is not None and level <= further_level:
                    further_level = None
        if further_level is None:
            core.append(cell)
    return core


def count(nb):
    """{'words': prose words of the core path, 'code_lines': non-blank code lines of the core path}.

    The set-up cell (the first code cell) is not counted: it is the same in every notebook.
    """
    words = lines = 0
    first_code = next((c for c in nb.cells if c.cell_type == "code"), None)
    for cell in core_cells(nb):
        if cell.cell_type == "markdown":
            words += len(WORD.findall(DETAILS.sub("", cell.source)))
        elif cell.cell_type == "code" and cell is not first_code:
            lines += sum(1 for line in cell.source.splitlines() if line.strip())
    return {"words": words, "code_lines": lines}


def main(paths):
    paths = [Path(p) for p in paths] or sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))
    print(f"{'notebook':<48} {'core words':>10} {'core code lines':>16}   (budget {BUDGET['words']} / "
          f"{BUDGET['code_lines']})")
    for path in paths:
        numbers = count(nbformat.read(path, as_version=4))
        flag = "" if all(numbers[k] <= BUDGET[k] for k in BUDGET) else "   over budget"
        print(f"{path.name:<48} {numbers['words']:>10} {numbers['code_lines']:>16}{flag}")


if __name__ == "__main__":
    main(sys.argv[1:])
