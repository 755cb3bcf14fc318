"""The slide decks: one per notebook, current, well formed, and working in a real browser, offline.

The browser tests load every deck from disk in headless Chromium with every network request
refused, walk through it with the arrow keys, and check each slide. They need Chromium
(Debian: `apt install chromium`) and Playwright's Python package (`pip install -r
slides/requirements.txt`); `.ci/run` installs both. Outside CI a missing browser skips them with
the command to install it; in CI (CI=true) it is an error.
"""

import os
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "slides"))
import build  # noqa: E402  (slides/build.py)

from common.project import colab_url  # noqa: E402

NOTEBOOKS = build.notebook_paths()
SCREENSHOTS = ROOT / "tests" / "output" / "slides"


def test_every_notebook_has_a_current_deck():
    problems = build.stale_decks()
    assert not problems, ("\n".join(reason for _, reason in problems)
                          + "\nRebuild the decks with: python slides/build.py")


def test_no_deck_without_a_notebook():
    decks = {path.stem for path in (ROOT / "slides").glob("*.html") if path.name != "template.html"}
    assert decks <= {path.stem for path in NOTEBOOKS}, f"decks without a notebook: {decks - {p.stem for p in NOTEBOOKS}}"


class _Sections(HTMLParser):
    """Collects each slide's kind, and the text of its body and of its notes."""

    def __init__(self):
        super().__init__()
        self.slides, self._where, self._links = [], None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "slide" in attrs.get("class", ""):
            self.slides.append({"kind": attrs["data-kind"], "body": "", "notes": "", "links": []})
            self._where = "body"
        elif tag == "aside" and self.slides:
            self._where = "notes"
        elif tag == "a" and self.slides:
            self.slides[-1]["links"].append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag in ("section", "aside"):
            self._where = None if tag == "section" else "body"

    def handle_data(self, data):
        if self._where:
            self.slides[-1][self._where] += data


def _sections(notebook):
    parser = _Sections()
    parser.feed(build.deck_path(notebook).read_text(encoding="utf-8"))
    return parser.slides


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_deck_structure(notebook):
    slides = _sections(notebook)
    kinds = [slide["kind"] for slide in slides]
    assert kinds[0] == "title" and kinds[-1] == "summary" and kinds[-2] == "exercises", kinds
    content = kinds.count("content")
    assert 10 <= content <= 25, f"{notebook.name}: {content} content slides, expected 10 to 25"
    title = slides[0]
    assert colab_url(notebook.name) in title["links"], "the title slide links to Colab"
    assert "Learning goals" in title["body"]
    for number, slide in enumerate(slides, start=1):
        assert slide["body"].strip(), f"slide {number} is empty"
        if slide["kind"] == "content":
            assert slide["notes"].strip(), f"slide {number} has no speaker notes"


# --------------------------------------------------------------------------------------------------
# In the browser


def _chromium():
    return os.environ.get("DLFS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "Playwright is not installed: python -m pip install -r slides/requirements.txt"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    executable = _chromium()
    if executable is None:
        reason = "Chromium is not installed (Debian/Ubuntu: sudo apt install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        # The flags keep Chromium from phoning home; the route in `deck_page` refuses the rest.
        chromium = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


# What a slide must look like once shown; returns a list of problems (empty when all is well).
CHECK_CURRENT_SLIDE = r"""
() => {
  const shown = [...document.querySelectorAll('.slide')].filter(s => getComputedStyle(s).display !== 'none');
  if (shown.length !== 1) return {index: -1, problems: [`${shown.length} slides visible at once`]};
  const slide = shown[0];
  const body = slide.querySelector('.slide-body');
  const problems = [];
  const box = slide.getBoundingClientRect();
  if (box.width < 100 || box.height < 100) problems.push('the slide has no size on screen');
  if (body.scrollHeight > body.clientHeight + 2) problems.push(`content overflows: ${body.scrollHeight}px of ${body.clientHeight}px`);
  const visible = [...body.querySelectorAll('p, li, pre, img, svg, td, h1, h2')].filter(e => {
    const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
  if (visible.length < 2) problems.push('nothing visible besides the title');
  for (const img of body.querySelectorAll('img')) {
    if (!img.complete || img.naturalWidth === 0) problems.push('a figure did not load');
  }
  for (const math of body.querySelectorAll('mjx-container')) {
    const svg = math.querySelector('svg');
    if (!svg || svg.getBoundingClientRect().width === 0) problems.push('a formula has no picture');
    if (math.querySelector('[data-mml-node="merror"]')) problems.push('a formula has a TeX error');
  }
  const clone = body.cloneNode(true);
  clone.querySelectorAll('pre, code, mjx-container').forEach(e => e.remove());
  const raw = clone.textContent.match(/\$\$[^$]+\$\$|\$[^$\s][^$]*\$/);
  if (raw) problems.push(`raw TeX left on the slide: ${raw[0]}`);
  const index = [...document.querySelectorAll('.slide')].indexOf(slide);
  return {index, kind: slide.dataset.kind, formulas: body.querySelectorAll('mjx-container').length, problems};
}
"""


NOTES_FORMULAS_DRAWN = """
() => [...document.querySelectorAll('#speaker-notes mjx-container svg')]
        .every(svg => svg.getBoundingClientRect().width > 0)
"""


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_deck_in_a_browser_offline(browser, notebook):
    deck = build.deck_path(notebook)
    page_url = deck.as_uri()
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    requests = []

    def refuse_the_network(route):
        requests.append(route.request.url)
        if route.request.url.split("#")[0] == page_url:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", refuse_the_network)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(page_url)

    total = page.locator(".slide").count()
    assert total == len(_sections(notebook))
    seen, formulas = [], 0
    for number in range(total):
        state = page.evaluate(CHECK_CURRENT_SLIDE)
        assert state["index"] == number, f"after {number} presses of → the deck shows slide {state['index'] + 1}"
        assert not state["problems"], f"{deck.name}, slide {number + 1}: {state['problems']}"
        formulas += state["formulas"]
        seen.append(state["kind"])
        if state["kind"] == "content" and "content" not in seen[:-1]:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}.png"))
        if number == 1:        # the speaker view shows this slide's notes
            page.keyboard.press("s")
            notes = page.locator("#speaker-notes")
            assert notes.is_visible() and notes.inner_text().strip()
            assert page.evaluate(NOTES_FORMULAS_DRAWN), "every formula in the speaker notes is drawn"
            page.keyboard.press("s")
            assert not notes.is_visible()
        page.keyboard.press("ArrowRight")
    assert page.evaluate(CHECK_CURRENT_SLIDE)["index"] == total - 1, "→ on the last slide stays there"
    page.keyboard.press("Home")
    assert page.evaluate(CHECK_CURRENT_SLIDE)["index"] == 0

    on_slides = page.evaluate("document.querySelectorAll('.slide-body mjx-container').length")
    assert formulas == on_slides, "every formula on a slide was checked on screen"
    assert requests == [page_url], f"the deck asked for more than itself: {requests}"
    assert not errors, errors
    context.close()


def test_readme_chapter_table_links_every_deck():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(slides/([^)]+)\.html\)", readme))
    assert linked == {path.stem for path in NOTEBOOKS}, "the README's slides column lists every deck once"
