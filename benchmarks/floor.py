"""The least work our stack must do for a corpus, in one process: read each file, split the
front matter, safe-load it with libyaml, render the body with Python-Markdown, render one
Jinja template per page and write it. No validation, no links, no indexes.

    python3 benchmarks/floor.py SITE_DIR OUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2
import markdown
import yaml

TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    "<!DOCTYPE html><html><head><title>{{ meta.title or meta.name }}</title></head>"
    "<body><h1>{{ meta.title or meta.name }}</h1>{{ body }}</body></html>")


def main(site: Path, out: Path) -> int:
    md = markdown.Markdown(extensions=["extra"])
    count = 0
    for path in sorted((site / "content").rglob("*.md")):
        text = path.read_text("utf-8")
        _, front, body = text.split("---\n", 2)
        meta = yaml.load(front, Loader=yaml.CSafeLoader)
        md.reset()
        html = TEMPLATE.render(meta=meta, body=jinja2.utils.markupsafe.Markup(md.convert(body)))
        target = out / path.relative_to(site / "content").with_suffix(".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, "utf-8")
        count += 1
    print(f"floor: {count} pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]), Path(sys.argv[2])))
