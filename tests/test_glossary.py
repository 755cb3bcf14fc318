"""The README glossary and the terms the notebooks introduce agree.

A notebook introduces a key term in bold followed by its Japanese name in parentheses:
``**backpropagation** (誤差逆伝播法)``. Every such Japanese term must be in the README's glossary,
and every glossary row must be used by some notebook.
"""

import re
from pathlib import Path

import nbformat

from notebook_files import NOTEBOOKS

ROOT = Path(__file__).resolve().parent.parent
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# **term** (日本語, maybe more) -- the parentheses directly after the bold term
INTRODUCED = re.compile(r"\*\*([^*]+)\*\*\s*\(([^()]*)\)")


# A run of Japanese, with Latin letters or digits glued to its front ("Xavierの初期値", "2乗和誤差").
JAPANESE_RUN = re.compile(r"[A-Za-z0-9-]*[\u3040-\u30ff\u3400-\u9fff][\u3040-\u30ff\u3400-\u9fffA-Za-z0-9ー・]*")


def japanese_parts(text):
    """The Japanese terms in 'ブロードキャスト, also called 行列': every run of Japanese."""
    return JAPANESE_RUN.findall(text)


def notebook_terms():
    """{Japanese term: 'notebook: **English**'} for every term a notebook introduces."""
    terms = {}
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            for english, inside in INTRODUCED.findall(cell.source):
                for term in japanese_parts(inside):
                    terms.setdefault(term, f"{path.name}: **{' '.join(english.split())}**")
    return terms


def glossary():
    """The README glossary as a list of (English, 日本語) rows."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Glossary", 1)[1]
    rows = re.findall(r"^\|([^|\n]+)\|([^|\n]+)\|\s*$", section, re.M)
    return [(english.strip(), japanese.strip()) for english, japanese in rows
            if not set(english.strip()) <= set("-: ") and english.strip() != "English"]


def test_glossary_has_no_duplicate_rows():
    english = [row[0].lower() for row in glossary()]
    assert len(english) == len(set(english)), sorted(e for e in english if english.count(e) > 1)


def test_every_term_a_notebook_introduces_is_in_the_glossary():
    japanese_column = " | ".join(japanese for _, japanese in glossary())
    missing = {term: where for term, where in notebook_terms().items() if term not in japanese_column}
    assert not missing, "add these to the README glossary:\n" + "\n".join(
        f"  {where} ({term})" for term, where in sorted(missing.items(), key=lambda item: item[1]))


def test_every_glossary_term_is_used_by_a_notebook():
    text = " ".join(cell.source for path in NOTEBOOKS
                    for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "markdown")
    unused = []
    for english, japanese in glossary():
        pieces = [piece.strip() for piece in re.split(r"[/()（）]", japanese) if JAPANESE.search(piece)]
        if not any(piece in text for piece in pieces):
            unused.append(f"{english} | {japanese}")
    assert not unused, "glossary rows no notebook uses:\n  " + "\n  ".join(unused)
