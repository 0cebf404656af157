"""The pages in a real browser: headless Chromium, network blocked.

A probe script added to a copy of each page reports, from the laid-out DOM,
whether the formulas are typeset (fractions stacked, matrices as tables),
whether any MathML failed to convert, and whether the page asked for
anything from outside itself.
"""

import json
import os
import shutil
import subprocess

import pytest

from tutor import registry
from tutor.render import render
from tutor.sheet import build_variant, make_sheet, write_sheet

PROBE = """
<script>
window.addEventListener("load", () => {
  const box = (e) => e.getBoundingClientRect();
  const maths = [...document.querySelectorAll("math")];
  const fractions = [...document.querySelectorAll("mfrac")];
  const stacked = fractions.filter((f) => {
    const [top, bottom] = [...f.children].map(box);
    const overlap = Math.abs(top.left - bottom.left) < top.width + bottom.width;
    return top.bottom <= bottom.top + 1 && overlap;
  });
  const tables = [...document.querySelectorAll("mtable")];
  const gridded = tables.filter((t) => {
    const cells = [...t.querySelectorAll("mtr:first-child > mtd")].map(box);
    const rows = [...t.querySelectorAll("mtr")].map(box);
    return rows.length < 2 || rows[1].top >= rows[0].bottom - 1;
  });
  const report = {
    math: maths.length,
    empty: maths.filter((m) => box(m).width <= 0 || box(m).height <= 0).length,
    fractions: fractions.length,
    stacked: stacked.length,
    tables: tables.length,
    gridded: gridded.length,
    errors: document.querySelectorAll("merror").length,
    figures: document.querySelectorAll("figure.figure").length,
    figuresShown: [...document.querySelectorAll("figure.figure")].filter((f) => {
      const picture = f.querySelector("svg[role=img][aria-label]");
      const caption = f.querySelector("figcaption");
      const shapes = picture ? picture.querySelectorAll("path, use").length : 0;
      return picture && box(picture).width > 100 && box(picture).height > 80 && shapes > 10
        && caption && caption.innerText.trim().length > 0
        && box(picture).width <= box(document.body).width + 1;
    }).length,
    rawLatex: /\\\\(frac|begin|sum|lambda)|\\$/.test(document.body.innerText),
    resources: performance.getEntriesByType("resource").map((r) => r.name),
    cjkWidth: (() => {
      const probe = document.createElement("span");
      probe.textContent = "熵与信息增益";
      document.body.appendChild(probe);
      const width = box(probe).width;
      probe.remove();
      return width;
    })(),
  };
  const out = document.createElement("pre");
  out.id = "probe-report";
  out.textContent = JSON.stringify(report);
  document.body.appendChild(out);
});
</script>
"""

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Block the network: every host resolves to nothing, every proxy hop fails.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--virtual-time-budget=10000",
]


def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it")
        pytest.skip("chromium is not installed (CI installs it)")
    return path


def probe(page, tmp_path):
    copy = tmp_path / f"probed-{page.name}"
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"))
    result = subprocess.run(
        [
            chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            copy.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    start = result.stdout.find('<pre id="probe-report">')
    assert start >= 0, f"the probe did not run: {result.stderr[-2000:]}"
    text = result.stdout[start:].split(">", 1)[1].split("</pre>", 1)[0]
    return json.loads(text.replace("&quot;", '"').replace("&amp;", "&"))


@pytest.fixture(scope="module", params=["en", "zh"])
def sheet_dir(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"sheet-{request.param}")
    write_sheet(out, make_sheet([], None, 7), 7, request.param, 2)
    return out


@pytest.mark.parametrize("page", ["sheet.html", "solutions.html"])
def test_math_is_typeset_and_nothing_is_fetched(sheet_dir, page, tmp_path):
    report = probe(sheet_dir / page, tmp_path)
    assert report["math"] > 0
    assert report["empty"] == 0
    assert report["errors"] == 0
    assert report["fractions"] == report["stacked"], "some fractions are not laid out"
    assert report["tables"] == report["gridded"], "some matrices are not laid out as grids"
    assert not report["rawLatex"], "LaTeX source is visible on the page"
    assert report["resources"] == [], "the page loads something from outside itself"
    assert report["cjkWidth"] > 0


def test_solutions_have_fractions_and_matrices(sheet_dir, tmp_path):
    report = probe(sheet_dir / "solutions.html", tmp_path)
    assert report["fractions"] > 5
    assert report["tables"] > 0


def test_solutions_show_their_figures_and_the_sheet_has_none(sheet_dir, tmp_path):
    solutions = probe(sheet_dir / "solutions.html", tmp_path)
    drawn = [i for i, p in registry.problem_types().items() if hasattr(p, "figure")]
    assert solutions["figures"] >= len(drawn) // 2
    assert solutions["figuresShown"] == solutions["figures"], "a figure is not shown whole"
    assert probe(sheet_dir / "sheet.html", tmp_path)["figures"] == 0


def test_the_probe_sees_math_that_is_not_typeset(tmp_path):
    # Outside <math> the same elements are unknown inline HTML: nothing stacks.
    page = tmp_path / "plain.html"
    page.write_text(
        "<!DOCTYPE html><html><body><p>$x$ <span><mfrac><mi>a</mi><mi>b</mi></mfrac></span>"
        "<span><mtable><mtr><mtd>1</mtd></mtr><mtr><mtd>2</mtd></mtr></mtable></span></p></body></html>"
    )
    report = probe(page, tmp_path)
    assert report["fractions"] == 1 and report["stacked"] == 0
    assert report["tables"] == 1 and report["gridded"] == 0
    assert report["rawLatex"]


def test_the_notes_pca_example_shows_its_figure(tmp_path):
    variant = build_variant("pca", None, 2, {"X": [[2.5, 2.4], [0.4, 0.7], [2.2, 2.9]]})
    page = tmp_path / "pca.html"
    page.write_text(render("explain.html", "en", variant=variant), encoding="utf-8")
    report = probe(page, tmp_path)
    assert report["figures"] == report["figuresShown"] == 1
    assert report["resources"] == []
