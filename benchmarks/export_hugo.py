"""Export a boardwatch corpus to a Hugo site with the same content: articles as pages, actors
and initiatives as taxonomies (so Hugo builds a page per actor and per initiative listing the
articles that touch it), entity files as pages, and minimal layouts that list linked pages.

    python3 benchmarks/export_hugo.py SITE_DIR HUGO_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from exporting import fresh, read

LAYOUTS = {
    "_default/baseof.html": "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>"
                            "<nav><a href=\"{{ \"/\" | relURL }}\">Home</a></nav>{{ block \"main\" . }}{{ end }}</body></html>",
    "_default/single.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><p>{{ .Date.Format \"2006-01-02\" }}</p>"
                            "{{ .Content }}<h2>Actors</h2><ul>{{ range .GetTerms \"actors\" }}<li><a href=\"{{ .RelPermalink }}\">"
                            "{{ .LinkTitle }}</a></li>{{ end }}</ul><h2>Initiatives</h2><ul>{{ range .GetTerms \"initiatives\" }}"
                            "<li><a href=\"{{ .RelPermalink }}\">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}",
    "_default/list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}<li>"
                          "<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}",
    "_default/taxonomy.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li>"
                              "<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}",
    "_default/term.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li>"
                          "<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> {{ .Date.Format \"2006-01-02\" }}</li>{{ end }}</ul>{{ end }}",
}


def main(site: Path, out: Path) -> int:
    fresh(out)
    (out / "hugo.toml").write_text(
        'baseURL = "https://bench.example.org/"\ntitle = "Benchmark corpus"\ndisableKinds = ["RSS"]\n'
        "[pagination]\npagerSize = 20\n[taxonomies]\nactor = \"actors\"\ninitiative = \"initiatives\"\ntag = \"tags\"\n"
        "[markup.goldmark.renderer]\nunsafe = false\n", "utf-8")
    for rel, text in LAYOUTS.items():
        path = out / "layouts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    for path in sorted((site / "content").rglob("*.md")):
        meta, body = read(path)
        rel = path.relative_to(site / "content")
        if rel.parts[0] == "articles":
            actors = list(meta.get("actors", []))
            for claim in meta.get("claims", []):
                if "speaker" in claim:
                    actors.append(claim["speaker"])
            hugo = {"title": meta["title"], "date": str(meta["date"]), "actors": sorted(set(actors)),
                    "initiatives": meta.get("initiatives", []), "tags": meta.get("tags", [])}
        else:
            hugo = {"title": meta["name"], "date": "2020-01-01"}
        target = out / "content" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("---\n" + yaml.safe_dump(hugo, sort_keys=True) + "---\n" + body, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]), Path(sys.argv[2])))
