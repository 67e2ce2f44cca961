"""Export a boardwatch corpus to a Pelican site with the same articles (actors and
initiatives as tags, so Pelican builds a page per actor and initiative), default theme.

    python3 benchmarks/export_pelican.py SITE_DIR PELICAN_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

from exporting import fresh, read



def main(site: Path, out: Path) -> int:
    fresh(out)
    (out / "pelicanconf.py").write_text(
        'SITENAME = "Benchmark corpus"\nSITEURL = ""\nPATH = "content"\nTIMEZONE = "UTC"\n'
        "DEFAULT_LANG = \"en\"\nFEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\n"
        "AUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\nDEFAULT_PAGINATION = 20\nRELATIVE_URLS = True\n"
        "CACHE_CONTENT = False\nLOAD_CONTENT_CACHE = False\n"
        # Pelican's default page-2 name of tag 'person-1' ('person-12.html') would collide with tag 'person-12'.
        "PAGINATION_PATTERNS = ((1, '{url}', '{save_as}'), (2, '{base_name}/page/{number}/', "
        "'{base_name}/page/{number}/index.html'))\n", "utf-8")
    for path in sorted((site / "content/articles").rglob("*.md")):
        meta, body = read(path)
        tags = sorted(set(meta.get("actors", [])) | set(meta.get("initiatives", [])))
        header = (f"Title: {meta['title']}\nDate: {meta['date']}\nTags: {', '.join(tags)}\n"
                  f"Slug: {path.stem}\nCategory: analysis\n\n")
        (out / "content" / path.name).write_text(header + body, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]), Path(sys.argv[2])))
