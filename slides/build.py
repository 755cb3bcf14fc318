"""Build one slide deck per chapter notebook: ``python slides/build.py``.

The slides are chosen inside the notebooks, with JupyterLab's own slide types (the property
inspector, gear icon on the right, "Slide Type"):

    Slide     this cell starts a new slide
    -         this cell joins the slide above (a second figure, the code under a formula, ...)
    Fragment  the same as "-" here (decks show a slide all at once)
    Notes     this cell becomes speaker notes of the slide above
    Skip      (or no slide type) the cell is not on a slide

A markdown cell on a slide is shown in short: its headings, display formulas, lists (each item cut
to its first sentence), tables and short paragraphs; long paragraphs are left to the speaker. The
cell tag ``slide-full-text`` shows the whole cell instead. A code cell on a slide shows its code and
its stored outputs; the tag ``slide-output-only`` shows the outputs (a figure, say) without the
code, ``slide-code-only`` the code without outputs.

Speaker notes of a slide are its "Notes" cells, then the full text of its markdown cells, then the
notebook's explanation that follows: the markdown cells up to the next slide that are not on a
slide themselves. So the presenter always has every word the notebook says about the slide.

Three slides are written for every deck from the notebook's structure: the title slide (the
notebook's title, its learning goals, its Open-in-Colab link), an exercises slide (the "Try it"
exercises and their checkers) and the summary slide (the まとめ cell).

Every deck is one HTML file that needs nothing else: formulas are turned into SVG here, once, by
MathJax (installed from the npm registry into slides/node_modules on the first build, from
slides/package-lock.json), figures are embedded as data, code is coloured by Pygments, and a small
script of our own moves between slides (arrow keys) and shows the speaker notes (key S). Each deck
records a fingerprint of the notebook content it was built from; tests/test_slides.py fails when a
deck is missing or its notebook has changed since.

    python slides/build.py                  # every notebook
    python slides/build.py notebooks/05a_backpropagation.ipynb
    python slides/build.py --check          # only report decks that are missing or out of date
"""

import argparse
import base64
import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import mistune
import nbformat
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

ROOT = Path(__file__).resolve().parent.parent
SLIDES_DIR = ROOT / "slides"
NOTEBOOK_DIR = ROOT / "notebooks"
TEMPLATE = SLIDES_DIR / "template.html"
TEX2SVG = SLIDES_DIR / "tex2svg.mjs"

sys.path.insert(0, str(ROOT))
from common.project import colab_url  # noqa: E402  (after the path line, so it works uninstalled)

MAX_OUTPUT_LINES = 20  # a text output longer than this is cut on the slide (the notebook has it all)
SHORT_PARAGRAPH = 240  # characters: a longer paragraph goes to the speaker notes only


# --------------------------------------------------------------------------------------------------
# Which notebooks, which decks, and whether a deck is current


def notebook_paths():
    """The chapter notebooks, in order (the same pattern the tests use)."""
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]*_*.ipynb"))


def deck_path(notebook: Path) -> Path:
    return SLIDES_DIR / (notebook.stem + ".html")


def fingerprint(notebook: Path) -> str:
    """SHA-256 of everything in the notebook that a deck can show, plus this builder and template.

    Outputs of cells that are not on a slide are left out, so re-running a notebook whose timings
    change does not make its deck stale.
    """
    nb = nbformat.read(notebook, as_version=4)
    digest = hashlib.sha256()
    for part in (Path(__file__), TEMPLATE, TEX2SVG):
        digest.update(part.read_bytes().replace(b"\r\n", b"\n"))   # the same on a Windows checkout
    for cell in nb.cells:
        on_slide = slide_type(cell) not in ("skip", None)
        record = {"type": cell.cell_type, "source": cell.source,
                  "slide": slide_type(cell), "tags": sorted(cell.metadata.get("tags", []))}
        if on_slide and cell.cell_type == "code":
            record["outputs"] = cell.get("outputs", [])
        digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def recorded_fingerprint(deck: Path):
    """The fingerprint a deck was built from (None if the deck has none)."""
    match = re.search(r'<meta name="dlfs-notebook-sha256" content="([0-9a-f]{64})">',
                      deck.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def stale_decks():
    """(notebook, reason) for every deck that is missing or was built from other content."""
    problems = []
    for notebook in notebook_paths():
        deck = deck_path(notebook)
        if not deck.exists():
            problems.append((notebook, f"{deck.relative_to(ROOT)} is missing"))
        elif recorded_fingerprint(deck) != fingerprint(notebook):
            problems.append((notebook, f"{deck.relative_to(ROOT)} is older than its notebook"))
    return problems


# --------------------------------------------------------------------------------------------------
# Reading the slides out of a notebook


def slide_type(cell):
    return cell.metadata.get("slideshow", {}).get("slide_type")


@dataclass
class Slide:
    kind: str                       # "title", "content", "exercises" or "summary"
    title: str
    parts: list = field(default_factory=list)   # rendered HTML pieces
    notes: list = field(default_factory=list)   # rendered HTML pieces
    explicit_notes: int = 0          # how many of the notes came from "Notes" cells


HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.MULTILINE)


def first_heading(markdown: str):
    match = HEADING.search(markdown)
    return (len(match.group(1)), match.group(2).strip()) if match else None


def strip_leading_heading(markdown: str) -> str:
    """The markdown without its first line if that line is a heading (it becomes the slide title)."""
    lines = markdown.lstrip().splitlines()
    if lines and HEADING.match(lines[0]):
        return "\n".join(lines[1:]).strip()
    return markdown


def read_deck(nb, renderer):
    """Turn a notebook into the list of slides of its deck."""
    cells = nb.cells
    title_cell = cells[0]
    slides = [title_slide(title_cell, renderer)]

    section = ""            # the nearest heading above: the title of a slide without its own
    current = None
    exercises = []          # (heading, checker names) of every "Try it" exercise
    in_try_it = False
    summary = None

    for index, cell in enumerate(cells[1:], start=1):
        kind = slide_type(cell)
        heading = first_heading(cell.source) if cell.cell_type == "markdown" else None
        for hashes, text in (HEADING.findall(cell.source) if cell.cell_type == "markdown" else []):
            level, text = len(hashes), text.strip()
            if level <= 2:
                in_try_it = text.lower().startswith("try it")
            if in_try_it and level == 3:
                exercises.append([text, []])
            if "まとめ" in text:
                summary = cell
                in_try_it = False
        if in_try_it and cell.cell_type == "code" and exercises:
            exercises[-1][1] += re.findall(r"\b(check_\w+)\(", cell.source)

        if kind in ("slide", "subslide", "-", "fragment") and cell is not summary:
            # A markdown cell that holds several sections (## headings) gives a slide per section;
            # "Try it" and まとめ sections are left out: they have slides of their own.
            pieces = re.split(r"\n(?=## )", cell.source) if cell.cell_type == "markdown" else [cell.source]
            for number, piece in enumerate(pieces):
                piece_heading = first_heading(piece)
                if number > 0 and re.match(r"## (Try it|まとめ)", piece, re.I):
                    break
                if kind in ("-", "fragment") and number == 0 and current is not None:
                    add_cell(current, cell, piece, renderer)
                    continue
                if number == 0 and len(pieces) > 1 and not piece.lstrip().startswith("#"):
                    # Text before the cell's first section closes the previous one: notes, not a slide.
                    if current is not None:
                        current.notes.append(renderer.markdown(piece))
                    continue
                if piece_heading and piece.lstrip().startswith("#"):
                    title, body = piece_heading[1], strip_leading_heading(piece)
                else:
                    title, body = section, piece
                current = Slide("content", clean_heading(title))
                slides.append(current)
                add_cell(current, cell, body, renderer)
        elif kind == "notes" and current is not None:
            current.notes.append(renderer.markdown(cell.source))
            current.explicit_notes += 1
        elif kind in (None, "skip") and current is not None and cell.cell_type == "markdown" \
                and not in_try_it and cell is not summary:
            current.notes.append(renderer.markdown(cell.source))

        if heading and cell.cell_type == "markdown":
            section = HEADING.findall(cell.source)[-1][1].strip()   # the last heading of the cell

    for slide in slides:
        if slide.kind == "content" and not any(part.strip() for part in slide.parts):
            raise ValueError(f"the slide '{slide.title}' would be empty: everything in its cell is long prose, "
                             "which goes to the notes. Join a figure or formula to it (slide type '-'), "
                             "tag it slide-full-text, or start the slide at another cell.")
    if exercises:
        slides.append(exercise_slide(exercises, renderer))
    if summary is None:
        raise ValueError("the notebook has no まとめ (summary) cell")
    summary_slide = Slide("summary", clean_heading(first_heading(summary.source)[1]))
    # The summary is shown whole (each point is a conclusion); the slide shrinks its text to fit.
    summary_body = strip_leading_heading(summary.source).split("\n### What moved into")[0]
    summary_slide.parts.append(renderer.markdown(summary_body))
    summary_slide.notes.append(renderer.markdown(summary.source))
    slides.append(summary_slide)
    return slides


def clean_heading(text: str) -> str:
    return text.strip().strip("#").strip()


def title_slide(cell, renderer):
    """The notebook's title, the book sections it follows, its learning goals and its Colab link."""
    source = cell.source
    heading = first_heading(source)
    if heading is None or heading[0] != 1:
        raise ValueError("the first cell must start with the notebook's '# Notebook NN · ...' title")
    title = heading[1].split("·", 1)[-1].strip()
    chapter = re.search(r"\*\*chapter[^*]*\*\*", source)
    goals = re.search(r"\*\*Learning goals\.?\*\*(.*?)(?:\n\s*\n(?=\S)(?![-*] ))", source + "\n\nEND", re.S)
    if goals is None:
        raise ValueError("the title cell has no '**Learning goals.**' paragraph")
    goal_items = re.findall(r"^[-*]\s+(.*(?:\n(?![-*]\s)\s+.*)*)", goals.group(1), re.M)
    slide = Slide("title", title)
    subtitle = heading[1].split("·", 1)[0].strip()
    slide.parts.append(f'<p class="kicker">{html.escape(subtitle)}'
                       + (f" · {renderer.inline(chapter.group(0).strip('*'))}" if chapter else "") + "</p>")
    slide.parts.append('<p class="goals-label">Learning goals</p>')
    slide.parts.append(renderer.markdown("\n".join("- " + " ".join(item.split()) for item in goal_items)))
    slide.notes.append(renderer.markdown(source.split("[![Open In Colab]")[-1].split(")", 2)[-1]))
    return slide


def exercise_slide(exercises, renderer):
    slide = Slide("exercises", "Try it")
    rows = []
    for heading, checkers in exercises:
        checker = ", ".join(f"<code>{html.escape(name)}</code>" for name in dict.fromkeys(checkers))
        rows.append(f"<li><span>{renderer.inline(heading)}</span>"
                    + (f'<span class="checker">checked by {checker}</span>' if checker else "") + "</li>")
    slide.parts.append('<ol class="exercises">' + "".join(rows) + "</ol>")
    slide.parts.append('<p class="hint">Work in pairs in the notebook. Each checker says what is right '
                       'or what to look at; the solutions are folded away under each exercise.</p>')
    return slide


def add_cell(slide, cell, source, renderer):
    tags = cell.metadata.get("tags", [])
    if cell.cell_type == "markdown":
        shown = source if "slide-full-text" in tags else condense(source)
        # Headings inside a slide are sub-headings: only the slide's own title is drawn as a title.
        # (Not inside ``` code blocks, where a line starting with # is a Python comment.)
        pieces = re.split(r"(```.*?```)", shown, flags=re.S)
        shown = "".join(piece if piece.startswith("```") else re.sub(r"^#{1,3}\s", "### ", piece, flags=re.M)
                        for piece in pieces)
        if shown.strip():
            slide.parts.append(renderer.markdown(shown))
        slide.notes.append(renderer.markdown(source))
        return
    if "slide-output-only" not in tags:
        slide.parts.append(renderer.code(cell.source))
    if "slide-code-only" not in tags:
        slide.parts.extend(render_output(output) for output in cell.get("outputs", []))


def markdown_blocks(markdown):
    """Split markdown into blocks: (kind, text) with kind heading, math, code, list, table or paragraph."""
    blocks, lines, i = [], markdown.strip().splitlines(), 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        if stripped.startswith(("```", "$$")):
            fence = stripped[:3] if stripped.startswith("```") else "$$"
            j = i
            closed = stripped.count(fence) >= 2 and len(stripped) > len(fence)
            while not closed and j + 1 < len(lines):
                j += 1
                closed = fence in lines[j]
            blocks.append(("code" if fence == "```" else "math", "\n".join(lines[i:j + 1])))
            i = j + 1
            continue
        if HEADING.match(stripped):
            blocks.append(("heading", stripped))
            i += 1
            continue
        kind = ("list" if re.match(r"([-*+]|\d+[.)])\s", stripped)
                else "table" if stripped.startswith("|") else "paragraph")
        j = i + 1
        while j < len(lines) and lines[j].strip() and not HEADING.match(lines[j].strip()) \
                and not lines[j].strip().startswith(("$$", "```")):
            j += 1
        blocks.append((kind, "\n".join(lines[i:j])))
        i = j
    return blocks


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(*`])")


def first_sentence(text):
    """Text up to the end of its first sentence (full stops inside $...$ or `...` do not count)."""
    hidden = re.sub(r"\$[^$]*\$|`[^`]*`", lambda m: "x" * len(m.group(0)), text)
    match = SENTENCE_END.search(hidden)
    return text[:match.start()] if match else text


def condense(markdown):
    """What a slide shows of a markdown cell: the skeleton, without the long explanations."""
    kept = []
    for kind, text in markdown_blocks(markdown):
        if kind == "paragraph":
            if len(text) <= SHORT_PARAGRAPH:
                kept.append(text)
        elif kind == "list":
            items = re.split(r"\n(?=\s{0,3}(?:[-*+]|\d+[.)])\s)", text)
            shortened = []
            for item in items:
                marker, content = re.match(r"\s*([-*+]|\d+[.)])\s+(.*)", item, re.S).groups()
                shortened.append(f"{marker} {first_sentence(' '.join(content.split()))}")
            kept.append("\n".join(shortened))
        else:
            kept.append(text)
    # A sub-heading whose text all went to the notes would stand alone: leave it out too.
    kept = [text for i, text in enumerate(kept)
            if not (HEADING.match(text) and (i + 1 == len(kept) or HEADING.match(kept[i + 1])))
            or i == 0]
    return "\n\n".join(kept)


def render_output(output):
    kind = output.get("output_type")
    if kind == "stream":
        if output.get("name") == "stderr":
            return ""
        return text_block(output.get("text", ""))
    if kind == "error":
        return text_block(f"{output['ename']}: {output['evalue']}", css="error")
    data = output.get("data", {})
    if "image/png" in data:
        png = data["image/png"].replace("\n", "")
        return f'<img class="figure" alt="figure" src="data:image/png;base64,{png}">'
    if "image/svg+xml" in data:
        svg = data["image/svg+xml"]
        svg = svg if isinstance(svg, str) else "".join(svg)
        encoded = base64.b64encode(svg.encode()).decode()
        return f'<img class="figure" alt="figure" src="data:image/svg+xml;base64,{encoded}">'
    if "text/plain" in data:
        text = data["text/plain"]
        return text_block(text if isinstance(text, str) else "".join(text))
    return ""


def text_block(text, css="output"):
    lines = text.rstrip("\n").splitlines()
    if len(lines) > MAX_OUTPUT_LINES:
        lines = lines[:MAX_OUTPUT_LINES] + ["… (the rest is in the notebook)"]
    return f'<pre class="{css}">{html.escape(chr(10).join(lines))}</pre>'


# --------------------------------------------------------------------------------------------------
# Markdown with maths, and code


MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)(.+?)(?<![\s\\])\$(?!\d)", re.S)
CODE = re.compile(r"(```.*?```|`[^`\n]+`)", re.S)


class Renderer:
    """Markdown to HTML with every formula collected, so all of them go to MathJax in one call."""

    def __init__(self):
        self.formulas = []          # (tex, display)
        self._markdown = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])
        self._formatter = HtmlFormatter(nowrap=True)

    def _protect_math(self, text):
        """Swap each formula for a placeholder that markdown leaves alone (it would eat _ and *)."""
        pieces = CODE.split(text)
        for i in range(0, len(pieces), 2):       # even pieces are outside code
            pieces[i] = MATH.sub(self._placeholder, pieces[i])
        return "".join(pieces)

    def _placeholder(self, match):
        display = match.group(1) is not None
        tex = (match.group(1) if display else match.group(2)).strip()
        self.formulas.append((tex, display))
        return f"MATH{len(self.formulas) - 1}PLACEHOLDER"

    def markdown(self, text):
        text = re.sub(r"<details>.*?</details>", "", text, flags=re.S)   # solutions stay in the notebook
        return self._markdown(self._protect_math(text))

    def inline(self, text):
        rendered = self.markdown(text).strip()
        return re.sub(r"^<p>(.*)</p>$", r"\1", rendered, flags=re.S)

    def code(self, source):
        return f'<pre class="code">{highlight(source.rstrip(), PythonLexer(), self._formatter)}</pre>'

    def typeset(self, document):
        """Replace every placeholder in ``document`` with the formula's SVG."""
        svgs, glyphs = tex_to_svg(self.formulas)
        for index, svg in enumerate(svgs):
            display = self.formulas[index][1]
            tag = "div" if display else "span"
            document = document.replace(f"MATH{index}PLACEHOLDER",
                                        f'<{tag} class="math {"display" if display else "inline"}">{svg}</{tag}>')
        # A display formula alone in its paragraph should not sit inside a <p>.
        document = re.sub(r"<p>\s*(<div class=\"math display\">.*?</div>)\s*</p>", r"\1", document, flags=re.S)
        return document + glyphs


def tex_to_svg(formulas):
    if not formulas:
        return [], ""
    ensure_mathjax()
    payload = json.dumps([{"tex": tex, "display": display} for tex, display in formulas])
    result = subprocess.run(["node", str(TEX2SVG)], input=payload, capture_output=True, text=True,
                            cwd=SLIDES_DIR)
    if result.returncode != 0:
        raise RuntimeError(f"MathJax failed:\n{result.stderr}")
    output = json.loads(result.stdout)
    answers = output["formulas"]
    errors = [f"  ${tex}$: {answer['error']}" for (tex, _), answer in zip(formulas, answers) if "error" in answer]
    if errors:
        raise ValueError("MathJax could not read these formulas:\n" + "\n".join(errors))
    return [answer["svg"] for answer in answers], output["glyphs"]


def ensure_mathjax():
    """Install MathJax from the npm registry (exact versions from package-lock.json) if it is missing."""
    if (SLIDES_DIR / "node_modules" / "mathjax-full").is_dir():
        return
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise RuntimeError("Building slides needs Node.js and npm (https://nodejs.org): they run MathJax, "
                           "which turns the formulas into pictures once, at build time.")
    print("Installing MathJax into slides/node_modules (once) ...")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=SLIDES_DIR, check=True)


# --------------------------------------------------------------------------------------------------
# Writing a deck


def slide_html(number, slide):
    notes = "".join(slide.notes) or "<p>(no notes)</p>"
    heading = f"<h1>{slide.title}</h1>" if slide.kind == "title" else f"<h2>{slide.title}</h2>"
    return (f'<section class="slide {slide.kind}" id="slide-{number}" data-kind="{slide.kind}">\n'
            f'<div class="slide-body">{heading}\n{"".join(slide.parts)}</div>\n'
            f'<aside class="notes">{notes}</aside>\n</section>\n')


def build(notebook: Path) -> Path:
    nb = nbformat.read(notebook, as_version=4)
    renderer = Renderer()
    slides = read_deck(nb, renderer)
    rel = notebook.relative_to(ROOT).as_posix()
    colab = colab_url(notebook.name)
    slides[0].parts.append(f'<p class="colab"><a href="{colab}">Open this notebook in Colab</a>'
                           f'<br><span class="url">{html.escape(colab)}</span></p>')
    body = "".join(slide_html(i + 1, slide) for i, slide in enumerate(slides))
    body = renderer.typeset(body)
    page = TEMPLATE.read_text(encoding="utf-8")
    page = (page.replace("{{title}}", html.escape(first_heading(nb.cells[0].source)[1]))
                .replace("{{fingerprint}}", fingerprint(notebook))
                .replace("{{notebook}}", html.escape(rel))
                .replace("{{pygments_css}}", HtmlFormatter(style="friendly").get_style_defs(".code"))
                .replace("{{slides}}", body))
    deck = deck_path(notebook)
    deck.write_text(page, encoding="utf-8")
    content = sum(slide.kind == "content" for slide in slides)
    print(f"{deck.relative_to(ROOT)}: {len(slides)} slides ({content} content), "
          f"{len(renderer.formulas)} formulas, {deck.stat().st_size / 1024:.0f} KiB")
    return deck


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to build (default: all)")
    parser.add_argument("--check", action="store_true", help="only list decks that are missing or stale")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale_decks()
        for notebook, reason in problems:
            print(reason)
        return 1 if problems else 0
    for notebook in args.notebooks or notebook_paths():
        build(notebook.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
