"""Every notebook follows the template of GUIDE §3, and its Colab links point to itself.

The repository's location lives in common/project.py; `python tests/tools/execute_notebooks.py` writes
it into the notebooks, and these tests make sure no notebook (or the README) disagrees with it.
"""

import re

import pytest

from common.project import colab_badge, colab_setup_code, colab_url
from notebook_files import NOTEBOOKS, ROOT, read

COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/[^)\s\"']+")


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_title_cell(path):
    title = read(path).cells[0]
    assert title.cell_type == "markdown"
    number = path.stem.split("_")[0]  # "05", or "06a" for a chapter split over two sessions
    assert title.source.startswith(f"# Notebook {number} · "), title.source.splitlines()[0]
    assert colab_badge(path.name) in title.source
    assert "Learning goals" in title.source
    assert re.search(r"90[- ]minute", title.source), "the title cell needs a 90-minute time plan"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_colab_link_points_to_its_own_notebook(path):
    links = [link for cell in read(path).cells if cell.cell_type == "markdown"
             for link in COLAB_LINK.findall(cell.source)]
    assert links and set(links) == {colab_url(path.name)}


def test_readme_colab_links_match_the_notebooks():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = set(COLAB_LINK.findall(readme))
    assert links == {colab_url(p.name) for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell(path):
    setup = next(c for c in read(path).cells if c.cell_type == "code")
    assert setup.source.startswith(colab_setup_code())
    assert "seed(" in setup.source, "the set-up cell must seed the random number generators"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_come_from_one_clean_run(path):
    code = [c for c in read(path).cells if c.cell_type == "code" and c.source.strip()]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    for cell in code:
        for output in cell.outputs:
            assert output.get("name") != "stderr", f"a cell wrote to stderr: {output.get('text', '')[:200]}"
            text = output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
            assert not re.search(r" at 0x[0-9a-f]+", text), f"an output shows a memory address: {text[:200]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_summary_and_common_table(path):
    markdown = "\n".join(c.source for c in read(path).cells if c.cell_type == "markdown")
    assert "まとめ" in markdown
    assert re.search(r"moved into `common`", markdown)


def test_colab_setup_code_clones_once_and_is_a_no_op_elsewhere(monkeypatch, tmp_path):
    """Run the set-up lines as Colab would, with `git clone` replaced by a stand-in."""
    import subprocess
    import sys
    import types

    from common.project import CLONE_DIR, repository_url

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    calls = []

    def fake_run(command, check):
        calls.append(command)
        (tmp_path / command[-1]).mkdir()
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(subprocess, "run", fake_run)
    exec(colab_setup_code(), {})  # not on Colab: nothing happens
    assert calls == [] and not (tmp_path / CLONE_DIR).exists()

    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    exec(colab_setup_code(), {})
    exec(colab_setup_code(), {})  # running the cell again does not clone again
    assert calls == [["git", "clone", "--depth", "1", "--branch", "main", repository_url(), CLONE_DIR]]
    assert sys.path[0] == str(tmp_path / CLONE_DIR) and sys.path.count(sys.path[0]) == 1
