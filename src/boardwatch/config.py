"""``boardwatch.yaml`` -> :class:`SiteConfig`, through a declarative table of options.

Every key has a default, so the file is optional. An unknown key is a warning that suggests
the closest known key; a bad value is an error with its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostics, Span, did_you_mean
from .frontmatter import format_path, load_mapping
from .layout import CONFIG_FILE
from .sources import decode

LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
URL_RE = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteConfig:
    title: str = "Boardwatch"
    description: str = ""
    base_url: str = ""  # absolute, ends with '/', or empty when unknown
    language: str = "en"
    authors: tuple[str, ...] = ()
    autolink: bool = True
    per_page: int = 20  # items on one page of a long index
    feed_limit: int = 30  # entries in each Atom feed
    search: bool = True  # build the full-text search index

    def absolute(self, path: str) -> str:
        """The absolute URL of a site path, or '' when no base_url is set."""
        return self.base_url + path if self.base_url else ""


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _texts(value: Any) -> tuple[str, ...] | None:
    items = [value] if isinstance(value, str) else value
    if isinstance(items, list) and all(isinstance(v, str) and v.strip() for v in items):
        return tuple(v.strip() for v in items)
    return None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _count(low: int, high: int) -> Callable[[Any], int | None]:
    def read(value: Any) -> int | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        return value if ok else None
    return read


def normalise_base_url(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    url = value.strip()  # a str, where 'value' stays Any
    if url == "":
        return ""
    if not URL_RE.match(url):
        return None
    return url if url.endswith("/") else url + "/"


def _language(value: Any) -> str | None:
    return value if isinstance(value, str) and LANG_RE.match(value) else None


# key -> (reader, what a good value looks like)
OPTIONS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "title": (_text, "text, e.g. 'title: Boardwatch'"),
    "description": (_text, "one sentence of text"),
    "base_url": (normalise_base_url, "an absolute http(s) URL, e.g. https://example.org/boardwatch/"),
    "language": (_language, "a language tag such as en or en-GB"),
    "authors": (_texts, "a list of names"),
    "autolink": (_flag, "true or false"),
    "per_page": (_count(1, 1000), "a whole number from 1 to 1000"),
    "feed_limit": (_count(1, 1000), "a whole number from 1 to 1000"),
    "search": (_flag, "true or false"),
}
assert set(OPTIONS) == {f.name for f in fields(SiteConfig)}


def load_config(root: Path, diags: Diagnostics, *, base_url: str | None = None,
                search: bool | None = None) -> SiteConfig:
    config = SiteConfig()
    path = root / CONFIG_FILE
    if path.is_file():
        config = _read(path, diags)
    if base_url is not None:
        normal = normalise_base_url(base_url)
        if normal is None:
            diags.error("BW402", f"--base-url {base_url!r} is not an absolute http(s) URL", Span(CONFIG_FILE),
                        path="base_url", hint="pass something like --base-url https://example.org/site/")
        else:
            config = replace(config, base_url=normal)
    if search is not None:
        config = replace(config, search=search)
    return config


def _read(path: Path, diags: Diagnostics) -> SiteConfig:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        diags.error("BW403", f"could not read {CONFIG_FILE}: {exc.strerror or exc}", Span(CONFIG_FILE),
                    hint="check the file's permissions")
        return SiteConfig()
    text = decode(raw, CONFIG_FILE, diags)
    if text is None:
        return SiteConfig()
    if all(not line.strip() or line.lstrip().startswith("#") for line in text.split("\n")):
        return SiteConfig()  # empty, or only comments: every key has a default
    loaded = load_mapping(text, CONFIG_FILE, 0, diags)
    if loaded is None:
        return SiteConfig()
    data, values, keys = loaded
    settings: dict[str, Any] = {}
    for key, value in data.items():
        span = keys.get((key,), Span(CONFIG_FILE, 1, 1))
        if key not in OPTIONS:
            near = did_you_mean(key, OPTIONS)
            diags.warning("BW401", f"unknown key '{key}' in {CONFIG_FILE} is ignored", span, path=key,
                          hint=(near + " " if near else "") + "known keys: " + ", ".join(OPTIONS))
            continue
        reader, wanted = OPTIONS[key]
        parsed = reader(value) if value is not None else None
        if parsed is None:
            diags.error("BW402", f"'{key}' has an invalid value {value!r}", values.get((key,), span),
                        path=format_path((key,)), hint=f"'{key}' takes {wanted}")
            continue
        settings[key] = parsed
    return SiteConfig(**settings)
