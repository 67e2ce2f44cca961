"""Helpers for the security tests: run the CLI, hash an output tree, find live script in HTML.

Imported by the tests of this folder (``from seckit import ...``); it holds no tests itself.
"""

from __future__ import annotations

import hashlib
import html.parser
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# URL-bearing attributes a browser follows or executes.
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "background",
                            "data", "codebase", "cite", "longdesc", "usemap", "manifest", "icon", "ping"})
FORBIDDEN_TAGS = frozenset({"iframe", "object", "embed", "base", "frame", "frameset", "applet", "form",
                            "input", "button", "textarea", "select", "option", "math", "portal", "link"})
# <link> is the theme's own (stylesheet, icon, feeds, canonical): allowed only with these rel values.
THEME_LINK_RELS = frozenset({"stylesheet", "icon", "alternate", "canonical", "preload", "prev", "next",
                             "search", "license", "manifest", "self", "related"})
DANGEROUS_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|livescript|mocha|jar|file):", re.I)
JSON_SCRIPT_TYPES = frozenset({"application/ld+json", "application/json"})


def run_cli(*args: str | Path, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m boardwatch ARGS`` in a fresh process; stdout and stderr captured as text."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOARDWATCH_TEST_",))}
    env["NO_COLOR"] = "1"
    return subprocess.run([sys.executable, "-m", "boardwatch", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder``: site path -> sha256 of its bytes ('<dir>' for folders)."""
    out: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        out[rel] = "<dir>" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def leftovers(out: Path) -> list[str]:
    """Staging, old and lock files that a build left beside ``out``."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@dataclass(frozen=True)
class Finding:
    file: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}"


class _ScriptFinder(html.parser.HTMLParser):
    """Collects every way an HTML page could run script or leave the site's origin."""

    def __init__(self, rel: str, theme_scripts: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.rel = rel
        self.theme_scripts = theme_scripts
        self.findings: list[Finding] = []
        self.in_script: str | None = None  # type of the open <script>
        self.script_text: list[str] = []

    def flag(self, problem: str) -> None:
        self.findings.append(Finding(self.rel, problem))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.flag(f"<{tag} {name}=...> event handler")
            if name in URL_ATTRIBUTES or name.endswith(":href"):
                if DANGEROUS_SCHEME.match(_decode_url(value)):
                    self.flag(f"<{tag} {name}={value!r}> dangerous URL")
            if name in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    if DANGEROUS_SCHEME.match(_decode_url(candidate.strip())):
                        self.flag(f"<{tag} {name}={value!r}> dangerous URL in srcset")
            if name == "style" and re.search(r"expression\s*\(|url\s*\(|javascript:|@import", value, re.I):
                self.flag(f"<{tag} style={value!r}> active style")
        if tag in FORBIDDEN_TAGS:
            if tag == "link" and set(values.get("rel", "").lower().split()) <= THEME_LINK_RELS \
                    and not DANGEROUS_SCHEME.match(values.get("href", "")):
                return
            self.flag(f"<{tag}> element")
        if tag == "meta" and "http-equiv" in values:
            equiv = values["http-equiv"].lower()
            content = values.get("content", "")
            # The theme's own Content-Security-Policy is the one http-equiv a page may carry.
            if equiv != "content-security-policy" or "'unsafe-inline'" in content.split("script-src")[-1].split(";")[0]:
                self.flag(f"<meta http-equiv={equiv!r}>")
        if tag == "svg" or tag == "math":
            pass  # inline SVG is checked by the same rules for every element inside it
        if tag == "script":
            kind = values.get("type", "").lower()
            if kind in JSON_SCRIPT_TYPES:
                self.in_script = kind
                self.script_text = []
            elif "src" in values and not values["src"].strip().startswith(("http:", "https:", "//")) \
                    and _basename(values["src"]) in self.theme_scripts:
                self.in_script = "external"
                self.script_text = []
            else:
                self.flag(f"<script {values}> that is not the theme's")
                self.in_script = "flagged"
        if tag == "style":
            self.in_script = "style"
            self.script_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.in_script is not None:
            text = "".join(self.script_text)
            if self.in_script in JSON_SCRIPT_TYPES:
                if re.search(r"</script|<!--|<script", text, re.I):
                    self.flag("JSON-LD block contains markup that could end it")
                try:
                    json.loads(text)
                except ValueError as exc:
                    self.flag(f"JSON-LD block is not JSON: {exc}")
            elif self.in_script == "external" and text.strip():
                self.flag("theme <script src> with inline text")
            self.in_script = None
        if tag == "style" and self.in_script == "style":
            text = "".join(self.script_text)
            if re.search(r"expression\s*\(|javascript:|@import|behavior\s*:", text, re.I):
                self.flag("<style> with active content")
            self.in_script = None

    def handle_data(self, data: str) -> None:
        if self.in_script is not None:
            self.script_text.append(data)


def _basename(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1]


def _decode_url(value: str) -> str:
    """The URL as a browser parses it (WHATWG URL): leading and trailing control characters and
    spaces are dropped, and so is every tab and newline inside; other spaces stay (and then
    "java script:" is no scheme but a relative path)."""
    return re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(0x21)))))


def theme_scripts() -> frozenset[str]:
    """File names of the scripts the built-in theme ships (the only <script src> allowed)."""
    static = REPO / "src" / "boardwatch" / "theme" / "static"
    pagefind = frozenset({"pagefind-ui.js", "pagefind.js"})  # the search UI the Pagefind package ships
    return frozenset(p.name for p in static.rglob("*.js")) | frozenset(p.name for p in static.rglob("*.mjs")) | pagefind


def html_findings(rel: str, text: str, allowed: frozenset[str] = frozenset()) -> list[Finding]:
    """Every way one HTML text could run script; ``allowed`` names the theme's script files."""
    finder = _ScriptFinder(rel, allowed)
    finder.feed(text)
    finder.close()
    return finder.findings


def live_script(out: Path) -> list[Finding]:
    """Every way any HTML, SVG or XML file of an output folder could run script from content."""
    allowed = theme_scripts()
    findings: list[Finding] = []
    for path in sorted(out.rglob("*")):
        if not path.is_file() or "pagefind" in path.relative_to(out).parts:
            continue
        rel = path.relative_to(out).as_posix()
        if path.suffix in (".html", ".htm", ".svg", ".xml", ".xhtml"):
            findings.extend(html_findings(rel, path.read_text("utf-8"), allowed))
        if path.suffix == ".xml":
            findings.extend(_feed_findings(rel, path.read_text("utf-8")))
    return findings


def _feed_findings(rel: str, text: str) -> list[Finding]:
    """Atom feeds carry HTML escaped inside <content type="html">: unescape it and check it as a page."""
    import html as html_module
    findings: list[Finding] = []
    for match in re.finditer(r"<(content|summary|title)[^>]*type=\"html\"[^>]*>(.*?)</\1>", text, re.S):
        inner = html_module.unescape(match.group(2))
        findings.extend(html_findings(f"{rel} <{match.group(1)}>", inner, theme_scripts()))
    return findings
