"""The URL scheme, in one place.

Every page is a file with an explicit name (``people/vladimir-putin.html``), and every link
between pages is relative, so the site works opened from disk, from a server root and
from any sub-path. ``base_url`` is used only where an absolute URL is required.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from .model import FOLDERS, Kind
from .sources import WINDOWS_RESERVED

HOME = "index.html"
NOT_FOUND = "404.html"
SEARCH = "search.html"
CLAIMS = "claims"
TAGS = "tags"


def entity_path(kind: Kind, entity_id: str) -> str:
    return f"{FOLDERS[kind]}/{entity_id}.html"


def article_path(slug: str) -> str:
    return f"articles/{slug}.html"


def claim_path(claim_id: str) -> str:
    return f"{CLAIMS}/{claim_id}.html"


def tag_path(tag: str) -> str:
    return f"{TAGS}/{tag_slug(tag)}.html"


def index_path(section: str, page: int = 1) -> str:
    return f"{section}/index.html" if page == 1 else f"{section}/page-{page}.html"


def feed_path(owner: str = "") -> str:
    """Atom feed of the whole site, or of one entity (``feeds/<id>.xml``)."""
    return "feed.xml" if not owner else f"feeds/{owner}.xml"


_NOT_SLUG_RE = re.compile(r"[^a-z0-9]+")
_PAGE_RE = re.compile(r"page-[0-9]+")


@functools.lru_cache(maxsize=8192)  # a site's tags are few and each is slugged once per page showing it
def tag_slug(tag: str) -> str:
    """A URL-safe slug for a free-form tag; tags that differ only in case or spacing share one."""
    text = unicodedata.normalize("NFKD", tag).encode("ascii", "ignore").decode("ascii").lower()
    slug = _NOT_SLUG_RE.sub("-", text).strip("-")
    if not slug:
        slug = "tag-" + hashlib.sha256(tag.encode("utf-8")).hexdigest()[:10]
    slug = slug[:80].rstrip("-")
    if slug == "index" or _PAGE_RE.fullmatch(slug) or slug in WINDOWS_RESERVED:
        slug += "-tag"  # never the path of the tags index, one of its pages, or a name Windows reserves
    return slug


def relative(from_path: str, to_path: str) -> str:
    """The relative URL from the page at ``from_path`` to ``to_path`` (both site paths)."""
    fragment = ""
    if "#" in to_path:
        to_path, fragment = to_path.split("#", 1)
        fragment = "#" + fragment
    if not to_path:
        return fragment or "#"
    to_folder = to_path[:to_path.rfind("/") + 1]  # "" or "a/b/": the folder, with its slash
    # An empty path would mean "this page": a link to this page's own folder is "./".
    return (_folder_link(from_path[:from_path.rfind("/") + 1], to_folder) + to_path[len(to_folder):] or "./") \
        + fragment


@functools.lru_cache(maxsize=1024)
def _folder_link(from_folder: str, to_folder: str) -> str:
    """The relative link from one folder to another ("", "../", "b/c/" ...); a site has few
    folders, so each pair is worked out once, however many links a build makes."""
    here = from_folder.split("/")[:-1]
    there = to_folder.split("/")[:-1]
    common = 0
    while common < len(here) and common < len(there) and here[common] == there[common]:
        common += 1
    return "../" * (len(here) - common) + "".join(f"{part}/" for part in there[common:])


def root_prefix(from_path: str) -> str:
    """The relative prefix that leads from a page to the site root ('' or '../' ...)."""
    depth = from_path.count("/")
    return "../" * depth
