"""Build the series' static site and its slide decks from the notebooks' STORED outputs, offline.

    python tools/build_pages.py site     # build/site/index.html + one page per notebook (`make site`)
    python tools/build_pages.py slides   # build/slides/NN_name.slides.html, one deck each (`make slides`)
    options: --notebooks DIR (default notebooks/), --out DIR (default build/site or build/slides)

Both take the notebook list from tools/series.py, execute nothing and make nothing load from the
network. The JavaScript they need (MathJax for both; reveal.js and require.js for the decks) is
pinned in site/package.json + site/package-lock.json, installed with `npm ci` into build/vendor/,
and copied beside the output, so build/site/ and build/slides/ each open from file:// URLs.

The notebooks are read from a staged copy, never changed in place. Staging:
- replaces an image loaded from the network in markdown (the header's Colab badge) by its alt text,
  keeping the link around it;
- site: hides the Colab setup cell (the decks skip it already: its slide type is "skip");
- site: copies each figure's alt text from its output's metadata (where ``rnn_helpers.show`` puts
  it, and nbconvert reads it) to the cell metadata myst-nb reads (``mystnb.image.alt``: one per
  cell, so a cell with several figures is split, one figure per part);
- slides: points links to other notebooks of the series at their decks.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import series  # noqa: E402  (tools/ is a folder of scripts, not a package)

SITE = ROOT / "site"
BUILD = ROOT / "build"
VENDOR = BUILD / "vendor"
IMAGE_TYPES = ("image/png", "image/jpeg")

# <img ... src="http(s)://..." ... alt="..." ...> in markdown (raw HTML): the Colab badge.
REMOTE_IMG = re.compile(r"<img\b[^>]*?\bsrc=\"https?://[^\"]*\"[^>]*>", re.IGNORECASE)
ALT_ATTR = re.compile(r"\balt=\"([^\"]*)\"", re.IGNORECASE)
# A markdown link target: ](target)
LINK = re.compile(r"\]\(([^)\s]+)\)")


# ---------------------------------------------------------------- vendored JavaScript (npm ci)


def vendor() -> Path:
    """``build/vendor/node_modules``, installed by ``npm ci`` from site/package-lock.json (once per lock)."""
    lock = (SITE / "package-lock.json").read_bytes()
    stamp = VENDOR / "installed.sha256"
    digest = hashlib.sha256(lock + (SITE / "package.json").read_bytes()).hexdigest()
    if not (stamp.exists() and stamp.read_text() == digest):
        shutil.rmtree(VENDOR, ignore_errors=True)
        VENDOR.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(SITE / name, VENDOR / name)
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("npm not found: install Node.js (it vendors MathJax and reveal.js, site/package.json)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                       cwd=VENDOR, check=True)
        stamp.write_text(digest)
    return VENDOR / "node_modules"


def copy_mathjax(dest: Path) -> None:
    """MathJax 3's browser build (es5/) into ``dest``: the one combined component the pages load,
    tex-mml-chtml.js, and everything it may load later (fonts, TeX extensions, the accessibility
    explorer and its speech rules, the SVG output its menu offers); not the other combined ones."""
    es5 = vendor() / "mathjax" / "es5"
    unused = [p.name for p in es5.glob("*.js") if p.name not in ("tex-mml-chtml.js", "core.js", "loader.js", "startup.js")]
    shutil.copytree(es5, dest, dirs_exist_ok=True, ignore=lambda folder, names: unused if Path(folder) == es5 else [])


# ---------------------------------------------------------------- staging the notebooks


def offline_markdown(source: str) -> str:
    """``source`` with every image loaded from the network replaced by its alt text (links stay)."""

    def text(match: re.Match) -> str:
        alt = ALT_ATTR.search(match.group(0))
        return alt.group(1) if alt else ""

    return REMOTE_IMG.sub(text, source)


def is_figure(output) -> bool:
    return any(t in output.get("data", {}) for t in IMAGE_TYPES)


def image_outputs(cell) -> list:
    return [o for o in cell.get("outputs", []) if is_figure(o)]


def output_alt(output) -> str | None:
    """The alt text ``rnn_helpers.show`` stored in ``output``'s metadata, or None."""
    for mime in IMAGE_TYPES:
        if mime in output.get("data", {}):
            alt = output.get("metadata", {}).get(mime, {}).get("alt")
            return alt if isinstance(alt, str) else None
    return None


def split_figures(cell) -> list:
    """``cell``, cut into parts of at most one figure each (the later parts show no code)."""
    if len(image_outputs(cell)) <= 1:
        return [cell]
    parts, outputs = [], []
    for out in cell.outputs:
        if is_figure(out) and any(is_figure(o) for o in outputs):
            parts.append(outputs)
            outputs = []
        outputs.append(out)
    parts.append(outputs)
    cells = []
    for i, outs in enumerate(parts):
        part = copy.deepcopy(cell)
        part.outputs = outs
        if i > 0:
            part.source = "# the cell above, continued (hidden: myst-nb skips a cell with no source)"
            part.metadata.setdefault("tags", []).append("remove-input")
            part.pop("id", None)
        cells.append(part)
    return cells


def site_notebook(nb):
    """A copy of ``nb`` for the site (see the module docstring)."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = offline_markdown(cell.source)
            cells.append(cell)
        elif "colab-setup" in cell.metadata.get("tags", []):
            # Colab-only; a reader of the site runs nothing (the page's launch buttons open Colab)
            cell.metadata["tags"] = [*cell.metadata["tags"], "remove-cell"]
            cells.append(cell)
        elif cell.cell_type == "code":
            for part in split_figures(cell):
                figures = image_outputs(part)
                if figures and output_alt(figures[0]):
                    part.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = output_alt(figures[0])
                cells.append(part)
        else:
            cells.append(cell)
    nb.cells = cells
    for i, cell in enumerate(nb.cells):  # split parts need ids of their own
        cell["id"] = cell.get("id") or f"part-{i}"
    return nb


def slides_notebook(nb):
    """A copy of ``nb`` for the decks (see the module docstring)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            source = offline_markdown(cell.source)
            for name in series.TITLES:
                source = source.replace(f"]({name})", f"]({name.removesuffix('.ipynb')}.slides.html)")
                source = source.replace(f"]({name}#", f"]({name.removesuffix('.ipynb')}.slides.html#")
            cell.source = source
    return nb


# ---------------------------------------------------------------- the site's own pages


def readme_sections(readme: str) -> dict[str, str]:
    """README.md by ``## `` heading: {"": the text before the first one, heading: its body}."""
    sections, key, lines = {}, "", []
    for line in readme.splitlines():
        if line.startswith("## "):
            sections[key] = "\n".join(lines).strip()
            key, lines = line[3:].strip(), []
        elif not line.startswith("# "):
            lines.append(line)
    sections[key] = "\n".join(lines).strip()
    return sections


def site_links(markdown: str, base: str = "") -> str:
    """Links of a repository file (in folder ``base``) made to work on the site: a notebook to its
    page, docs/teaching.md to its page, any other repository path to the file on GitHub."""

    def target(match: re.Match) -> str:
        url = match.group(1)
        if re.match(r"^[a-z]+:|^#", url):
            return match.group(0)
        path = (Path(base) / url).as_posix() if base else url
        parts = []
        for part in path.split("/"):  # resolve ../ by hand (no file system involved)
            if part == "..":
                parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        path = "/".join(parts) + ("/" if url.endswith("/") else "")
        if path.startswith("notebooks/") and path.split("/", 1)[1].split("#")[0] in series.TITLES:
            return f"]({path.split('/', 1)[1]})"
        if path == "docs/teaching.md":
            return "](teaching.md)"
        return f"](https://github.com/{series.REPO}/blob/{series.REF}/{path})"

    return LINK.sub(target, markdown)


def landing_page() -> str:
    """index.md: what the series teaches and for whom, the notebooks in order, the two commands."""
    sections = readme_sections((ROOT / "README.md").read_text())
    intro = "\n".join(line for line in sections[""].splitlines() if not line.startswith("[!["))
    rows = {}
    for line in sections.get("The notebooks", "").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        for name in series.TITLES:
            if f"notebooks/{name}" in line and len(cells) >= 3:
                rows[name] = cells[-1]
    table = ["| # | notebook | what you do |", "|---|---|---|"]
    for name, title in series.TITLES.items():
        table.append(f"| {name[:2]} | [{title}](notebooks/{name}) | {rows.get(name, '')} |")
    wanted = ["Start without installing anything", "On your machine: two commands"]
    missing = [w for w in wanted if w not in sections]
    if missing:
        raise SystemExit(f"README.md has no section {missing}: the landing page reuses them")
    toc = "\n".join(n.removesuffix(".ipynb") for n in series.TITLES)
    return "\n\n".join([
        "# RNNs by hand",
        site_links(intro),
        "Each notebook below is shown with the outputs CI checks; run it yourself in JupyterLab, or "
        "open it in Colab or Binder with the buttons at the top of its page.",
        "## The notebooks",
        site_links("\n".join(table)),
        *(f"## {w}\n\n{site_links(sections[w])}" for w in wanted),
        f"```{{toctree}}\n:hidden:\n:caption: The notebooks\n\n{toc}\n```",
        "```{toctree}\n:hidden:\n:caption: Teaching\n\nteaching\n```",
    ]) + "\n"


def stage_site(notebooks: Path, src: Path) -> None:
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    (src / "index.md").write_text(landing_page())
    (src / "teaching.md").write_text(site_links((ROOT / "docs" / "teaching.md").read_text(), base="docs"))
    for name in series.TITLES:
        nbformat.write(site_notebook(nbformat.read(notebooks / name, as_version=4)), src / name)


# ---------------------------------------------------------------- the two builds


def build_site(notebooks: Path = ROOT / "notebooks", out: Path = BUILD / "site") -> Path:
    """Render the site into ``out`` (replaced); Sphinx warnings are errors."""
    work = out.parent / (out.name + "-work")  # generated sources, static files, doctrees
    stage_site(notebooks, work / "src")
    static = work / "static"
    shutil.rmtree(static, ignore_errors=True)
    copy_mathjax(static / "mathjax")
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-n",
           "-c", str(SITE), "-d", str(work / "doctrees"), str(work / "src"), str(out)]
    env = {**os.environ, "RNN_SITE_STATIC": str(static)}
    subprocess.run(cmd, check=True, env=env)
    return out


def build_slides(notebooks: Path = ROOT / "notebooks", out: Path = BUILD / "slides") -> Path:
    """One reveal.js deck per notebook into ``out`` (replaced), with reveal.js, require.js and
    MathJax copied into ``out/_vendor``."""
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    shutil.rmtree(out, ignore_errors=True)
    (out / "_vendor").mkdir(parents=True)
    modules = vendor()
    theme = "white"  # "simple", nbconvert's default, imports its fonts from the network
    other_themes = shutil.ignore_patterns(*(p.name for p in (modules / "reveal.js" / "dist" / "theme").glob("*.css")
                                            if p.name != f"{theme}.css"), "*.map", "*.esm.js")
    for part in ("dist", "plugin/notes"):
        shutil.copytree(modules / "reveal.js" / part, out / "_vendor" / "reveal.js" / part, ignore=other_themes)
    shutil.copy2(modules / "requirejs" / "require.js", out / "_vendor" / "require.js")
    copy_mathjax(out / "_vendor" / "mathjax")
    config = Config()
    config.SlidesExporter.extra_template_basedirs = [str(SITE / "templates")]
    config.SlidesExporter.template_name = "rnn_slides"
    config.SlidesExporter.reveal_url_prefix = "_vendor/reveal.js"
    config.SlidesExporter.reveal_theme = theme
    config.SlidesExporter.require_js_url = "_vendor/require.js"
    config.SlidesExporter.mathjax_url = "_vendor/mathjax/tex-mml-chtml.js"
    exporter = SlidesExporter(config=config)
    for name in series.TITLES:
        nb = slides_notebook(nbformat.read(notebooks / name, as_version=4))
        stem = name.removesuffix(".ipynb")
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": stem}})
        (out / f"{stem}.slides.html").write_text(body, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["site", "slides"])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    build = build_site if args.what == "site" else build_slides
    out = build(args.notebooks.resolve(), (args.out or BUILD / args.what).resolve())
    first = "index.html" if args.what == "site" else f"{next(iter(series.TITLES)).removesuffix('.ipynb')}.slides.html"
    print(f"{args.what}: {out / first} ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
