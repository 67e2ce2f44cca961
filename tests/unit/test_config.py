"""boardwatch.yaml -> SiteConfig: defaults, every option, unknown keys, bad values with lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from boardwatch.config import SiteConfig, load_config
from boardwatch.diagnostics import Diagnostic, Diagnostics, Severity


def _load(tmp_path: Path, text: str | bytes | None, base_url: str | None = None
          ) -> tuple[SiteConfig, list[Diagnostic]]:
    if isinstance(text, bytes):
        (tmp_path / "boardwatch.yaml").write_bytes(text)
    elif text is not None:
        (tmp_path / "boardwatch.yaml").write_text(text, encoding="utf-8")
    diags = Diagnostics()
    config = load_config(tmp_path, diags, base_url=base_url)
    return config, list(diags)


def test_the_file_is_optional(tmp_path: Path) -> None:
    config, diags = _load(tmp_path, None)
    assert diags == []
    assert config == SiteConfig()
    assert (config.title, config.language, config.autolink, config.base_url) == ("Boardwatch", "en", True, "")


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n"])
def test_an_empty_file_means_defaults(tmp_path: Path, text: str) -> None:
    config, diags = _load(tmp_path, text)
    assert diags == [] and config == SiteConfig()


def test_every_option(tmp_path: Path) -> None:
    config, diags = _load(tmp_path, "\n".join([
        "title: Watch", "description: About boards.", "base_url: https://example.org/watch",
        "language: en-GB", "authors: [Desk, Editor]", "autolink: false", "per_page: 5", "feed_limit: 7", ""]))
    assert diags == []
    assert config == SiteConfig(title="Watch", description="About boards.", base_url="https://example.org/watch/",
                                language="en-GB", authors=("Desk", "Editor"), autolink=False, per_page=5,
                                feed_limit=7)


def test_a_single_author_may_be_text(tmp_path: Path) -> None:
    config, _ = _load(tmp_path, "authors: Desk\n")
    assert config.authors == ("Desk",)


def test_absolute_urls(tmp_path: Path) -> None:
    config, _ = _load(tmp_path, "base_url: https://example.org/sub/\n")
    assert config.absolute("people/x.html") == "https://example.org/sub/people/x.html"
    assert SiteConfig().absolute("people/x.html") == ""


def test_unknown_key_is_a_warning_with_a_suggestion(tmp_path: Path) -> None:
    config, diags = _load(tmp_path, "title: Watch\ndescripton: x\n")
    [d] = diags
    assert (d.code, d.severity, d.span.file, d.span.line, d.span.column, d.key_path) == (
        "BW401", Severity.WARNING, "boardwatch.yaml", 2, 1, "descripton")
    assert "did you mean 'description'?" in d.hint
    assert config.title == "Watch"


@pytest.mark.parametrize("line, wanted", [
    ("autolink: sometimes", "true or false"), ("autolink: 1", "true or false"),
    ("base_url: example.org", "absolute"), ("base_url: ftp://example.org/", "absolute"),
    ("base_url: https://example.org/?q=1", "absolute"), ("base_url: [a]", "absolute"),
    ("language: English language", "language tag"), ("per_page: 0", "1 to 1000"), ("per_page: true", "1 to 1000"),
    ("feed_limit: 5000", "1 to 1000"), ("title: ''", "text"), ("title: [a, b]", "text"), ("authors: [a, 3]", "names"),
])
def test_bad_values_are_errors_at_their_line(tmp_path: Path, line: str, wanted: str) -> None:
    key = line.split(":")[0]
    config, diags = _load(tmp_path, f"title: Watch\ndescription: d\n{line}\n" if key != "title" else f"\n\n{line}\n")
    [d] = diags
    assert (d.code, d.severity, d.span.file, d.span.line, d.key_path) == (
        "BW402", Severity.ERROR, "boardwatch.yaml", 3, key)
    assert d.span.column == len(key) + 3
    assert wanted in d.hint


def test_every_bad_value_is_reported(tmp_path: Path) -> None:
    _, diags = _load(tmp_path, "autolink: maybe\nper_page: -1\nlanguage: 12\n")
    assert [(d.code, d.span.line) for d in diags] == [("BW402", 1), ("BW402", 2), ("BW402", 3)]


def test_base_url_option_overrides_the_file(tmp_path: Path) -> None:
    config, diags = _load(tmp_path, "base_url: https://example.org/\n", base_url="https://other.example/sub")
    assert diags == [] and config.base_url == "https://other.example/sub/"
    config, diags = _load(tmp_path, None, base_url="")
    assert diags == [] and config.base_url == ""


def test_bad_base_url_option(tmp_path: Path) -> None:
    config, diags = _load(tmp_path, None, base_url="/sub/")
    [d] = diags
    assert (d.code, d.key_path) == ("BW402", "base_url")
    assert "--base-url" in d.message and "https://" in d.hint
    assert config.base_url == ""


def test_yaml_error_line(tmp_path: Path) -> None:
    _, diags = _load(tmp_path, "title: Watch\ndescription: a: b\n")
    [d] = diags
    assert (d.code, d.span.file, d.span.line, d.span.column) == ("BW104", "boardwatch.yaml", 2, 15)


def test_duplicate_key(tmp_path: Path) -> None:
    _, diags = _load(tmp_path, "title: A\ntitle: B\n")
    [d] = diags
    assert (d.code, d.span.line) == ("BW108", 2)


def test_a_list_is_not_a_config(tmp_path: Path) -> None:
    config, diags = _load(tmp_path, "- title\n- description\n")
    [d] = diags
    assert (d.code, d.span.file, d.span.line) == ("BW105", "boardwatch.yaml", 1)
    assert config == SiteConfig()


def test_invalid_utf8(tmp_path: Path) -> None:
    _, diags = _load(tmp_path, b"title: caf\xe9\n")
    [d] = diags
    assert (d.code, d.span.file, d.span.line, d.span.column) == ("BW101", "boardwatch.yaml", 1, 11)


def test_bom_and_crlf(tmp_path: Path) -> None:
    config, diags = _load(tmp_path, b"\xef\xbb\xbftitle: Watch\r\nautolink: false\r\n")
    assert diags == []
    assert (config.title, config.autolink) == ("Watch", False)
