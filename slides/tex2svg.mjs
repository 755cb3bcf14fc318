// Turns TeX formulas into SVG, once, when a deck is built (python slides/build.py calls this).
//
// Input on stdin: a JSON list of {"tex": "...", "display": true|false}.
// Output on stdout: {"formulas": [...], "glyphs": "<svg ...>"}: for each formula, in the same order,
// {"svg": "<mjx-container ...>...</mjx-container>"} or {"error": "..."}; and one hidden <svg> with the
// outline of every glyph the formulas use, which they all point to. So a deck shows its maths with no
// fonts, no scripts and no network, and stores each glyph once.
import {mathjax} from 'mathjax-full/js/mathjax.js';
import {TeX} from 'mathjax-full/js/input/tex.js';
import {SVG} from 'mathjax-full/js/output/svg.js';
import {liteAdaptor} from 'mathjax-full/js/adaptors/liteAdaptor.js';
import {RegisterHTMLHandler} from 'mathjax-full/js/handlers/html.js';
import {AllPackages} from 'mathjax-full/js/input/tex/AllPackages.js';

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
const document = mathjax.document('', {
  InputJax: new TeX({packages: AllPackages.filter((name) => name !== 'bussproofs')}),
  // 'global': one shared set of glyph outlines for the whole deck (see pageElements below).
  OutputJax: new SVG({fontCache: 'global'}),
});

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const results = JSON.parse(input).map(({tex, display}) => {
    const node = document.convert(tex, {display, em: 16, ex: 8, containerWidth: 1100});
    const html = adaptor.outerHTML(node);
    // MathJax does not throw on bad TeX: it draws the message in red. Report it instead.
    if (html.includes('data-mjx-error')) {
      const message = /data-mjx-error="([^"]*)"/.exec(html);
      return {error: message ? message[1] : 'TeX error'};
    }
    return {svg: html};
  });
  const glyphs = adaptor.outerHTML(document.outputJax.pageElements(document));
  process.stdout.write(JSON.stringify({formulas: results, glyphs}));
});
