"""Re-execute notebooks top to bottom in a fresh kernel and store their outputs.

    python tests/tools/execute_notebooks.py                      # every notebook in notebooks/
    python tests/tools/execute_notebooks.py notebooks/01_perceptron.ipynb

Run it after changing a notebook or anything in `common` that a notebook uses; `python -m pytest`
then re-runs each notebook under nbval and compares its fresh outputs with the stored ones.

Before executing, the Colab badge in the title cell and the Colab lines at the top of the set-up
cell are rewritten from `common/project.py`, the one place that knows where the repository lives.
After executing, the notebook is checked for what nbval and readers cannot live with: cells that
wrote to stderr (warnings), and execution counts that are not 1, 2, 3, ... in order.
"""

import argparse
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]  # the repository: tests/<folder>/this file
sys.path.insert(0, str(ROOT))
from common.project import colab_badge, colab_setup_code  # noqa: E402

BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)")
SETUP_FIRST_LINE = colab_setup_code().splitlines()[0]


def stamp_project_location(nb, name: str) -> None:
    """Write the current Colab badge and Colab set-up lines into the notebook."""
    title = next(c for c in nb.cells if c.cell_type == "markdown")
    if BADGE.search(title.source):
        title.source = BADGE.sub(lambda _: colab_badge(name), title.source)
    else:
        title.source = title.source.rstrip() + "\n\n" + colab_badge(name)

    setup = next(c for c in nb.cells if c.cell_type == "code")
    lines = setup.source.splitlines()
    if lines and lines[0] == SETUP_FIRST_LINE:
        # Replace the old Colab block (from its first line through its last) with the current one.
        end = next(i for i, line in enumerate(lines) if line.lstrip().startswith("sys.path.insert(0,"))
        lines = lines[end + 1:]
    setup.source = colab_setup_code() + ("\n" + "\n".join(lines) if lines else "")


def check_outputs(nb, name: str) -> list[str]:
    problems = []
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    if counts != list(range(1, len(counts) + 1)):
        problems.append(f"{name}: execution counts are {counts}, expected 1..{len(counts)}")
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("name") == "stderr":
                problems.append(f"{name}, cell {index}: wrote to stderr: {output['text'][:200]!r}")
    return problems


def execute(path: Path, timeout: int) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    stamp_project_location(nb, path.name)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timing data from other tools: noise in diffs
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - started
    nb.metadata.get("language_info", {}).pop("version", None)  # differs between machines: diff noise
    if not _uses_widgets(nb):
        nb.metadata.pop("widgets", None)  # empty widget state: noise in diffs
    nbformat.write(nb, path)
    print(f"{path.relative_to(ROOT)}: executed in {seconds:.1f} s")
    return check_outputs(nb, path.name)


def _uses_widgets(nb) -> bool:
    return any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for c in nb.cells for o in c.get("outputs", []))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to execute (default: every notebooks/*.ipynb)")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds allowed per cell")
    args = parser.parse_args()
    paths = [p.resolve() for p in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    problems = []
    for path in paths:
        problems += execute(path, args.timeout)
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
