"""The static full-text search index: Pagefind, run over the rendered pages at build time.

Pages opt in with ``data-pagefind-body`` (articles, entities, claims, standalone pages) and
declare filters (kind, actor, initiative) with ``data-pagefind-filter``; see base.html. The
index goes to ``pagefind/`` in the output; the search page loads Pagefind's UI from there.
Pagefind (1.5) names its files by content hash, but writes its filter indexes (and the
order of filters in its metadata) in hash-map order, which changes from run to run. So the
bundle is made canonical here: filter values sorted, filters sorted by name, and the files
whose content changed renamed by a hash of their new content. Two builds of the same pages
then give the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

BUNDLE = "pagefind"
SIGNATURE = b"pagefind_dcd"  # what Pagefind's compressed index files start with, once gunzipped


class SearchIndexError(RuntimeError):
    """Pagefind is missing or failed."""


def _executable() -> Path:
    try:
        from pagefind.service import get_executable
    except ImportError as exc:  # pragma: no cover - pagefind is a dependency
        raise SearchIndexError("the 'pagefind' package is not installed") from exc
    found = get_executable()
    if found is None:
        raise SearchIndexError("the Pagefind binary was not found (install 'pagefind[extended]' or 'pagefind_bin')")
    return found


def search_index(pages: Mapping[str, Path], keys: Mapping[str, str] | None = None,
                 previous: Path | None = None) -> dict[str, bytes | Path]:
    """Index the HTML ``pages`` (site path -> file to read) and return Pagefind's bundle as
    {``pagefind/...``: bytes to write, or the Path of a file of the previous output to reuse}.

    ``keys`` (site path -> fingerprint, which changes whenever the page's bytes change) and
    ``previous`` (the previous output folder, checked against its manifest) let an index that
    can be reused be reused.
    """
    with tempfile.TemporaryDirectory(prefix="boardwatch-search-") as tmp:
        site, bundle = Path(tmp, "site"), Path(tmp, "bundle")
        for rel, source in sorted(pages.items()):
            if rel.endswith(".html"):
                target = site.joinpath(*rel.split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
        site.mkdir(exist_ok=True)
        result = subprocess.run([str(_executable()), "--site", str(site), "--output-path", str(bundle), "--silent"],
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SearchIndexError(f"Pagefind failed: {(result.stderr or result.stdout).strip()[:2000]}")
        return dict(canonical({f"{BUNDLE}/{path.relative_to(bundle).as_posix()}": path.read_bytes()
                               for path in sorted(bundle.rglob("*")) if path.is_file()}))


# -- making Pagefind's bundle deterministic ----------------------------------------------------

def canonical(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The same bundle with filter indexes and metadata in a fixed order (see the module doc)."""
    out = dict(files)
    renamed: dict[str, str] = {}  # old hash -> new hash (file names without folder and suffix)
    for path in sorted(p for p in files if p.startswith(f"{BUNDLE}/filter/") and p.endswith(".pf_filter")):
        name, values = _unpack(files[path])
        values = sorted(([v, sorted(pages)] for v, pages in values), key=lambda item: item[0])
        data = _pack([name, values])
        old = path.rsplit("/", 1)[1][: -len(".pf_filter")]
        new = _rehash(old, data)
        renamed[old] = new
        del out[path]
        out[f"{BUNDLE}/filter/{new}.pf_filter"] = data
    entry_path = f"{BUNDLE}/pagefind-entry.json"
    entry = json.loads(files[entry_path]) if entry_path in files else None
    for path in sorted(p for p in files if re.fullmatch(rf"{BUNDLE}/pagefind\.[^/]+\.pf_meta", p)):
        meta = _unpack(files[path])
        meta[3] = sorted(([name, renamed.get(h, h)] for name, h in meta[3]), key=lambda item: item[0])
        for i in range(4, len(meta)):  # sorts and metadata field names: order carries no meaning
            if all(isinstance(x, str) for x in meta[i]):
                meta[i] = sorted(meta[i])
        data = _pack(meta)
        old = path[len(f"{BUNDLE}/pagefind."): -len(".pf_meta")]
        new = _rehash(old, data)
        del out[path]
        out[f"{BUNDLE}/pagefind.{new}.pf_meta"] = data
        if entry is not None:
            for language in entry.get("languages", {}).values():
                if language.get("hash") == old:
                    language["hash"] = new
    if entry is not None:
        out[entry_path] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return dict(sorted(out.items()))


def _rehash(old: str, data: bytes) -> str:
    prefix, _, digest = old.rpartition("_")
    return f"{prefix}_{hashlib.sha256(data).hexdigest()[:len(digest)]}"


def _unpack(data: bytes) -> Any:
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise SearchIndexError("unexpected Pagefind index format")
    value, end = _cbor_decode(raw, len(SIGNATURE))
    if end != len(raw):
        raise SearchIndexError("unexpected Pagefind index format")
    return value


def _pack(value: Any) -> bytes:
    return gzip.compress(SIGNATURE + _cbor_encode(value), compresslevel=9, mtime=0)


def _cbor_head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, fmt, limit in ((24, ">B", 1 << 8), (25, ">H", 1 << 16), (26, ">I", 1 << 32), (27, ">Q", 1 << 64)):
        if arg < limit:
            return bytes([major << 5 | info]) + struct.pack(fmt, arg)
    raise SearchIndexError("integer too large for the index")


def _cbor_encode(value: Any) -> bytes:
    """The subset of CBOR (RFC 8949) that Pagefind's index files use, shortest form."""
    if value is None or isinstance(value, bool):
        return bytes([0xF6 if value is None else 0xF5 if value else 0xF4])
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(v) for v in value)
    if isinstance(value, dict):
        return _cbor_head(5, len(value)) + b"".join(_cbor_encode(k) + _cbor_encode(v) for k, v in value.items())
    raise SearchIndexError(f"cannot encode {type(value).__name__} in the index")


def _cbor_decode(data: bytes, i: int) -> tuple[Any, int]:
    major, info = data[i] >> 5, data[i] & 31
    i += 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if info not in simple:
            raise SearchIndexError("unexpected value in the Pagefind index")
        return simple[info], i
    if info < 24:
        arg = info
    elif info <= 27:
        size = 1 << (info - 24)
        arg = int.from_bytes(data[i:i + size], "big")
        i += size
    else:
        raise SearchIndexError("unexpected value in the Pagefind index")
    if major == 0:
        return arg, i
    if major == 1:
        return -1 - arg, i
    if major in (2, 3):
        chunk = data[i:i + arg]
        return (bytes(chunk) if major == 2 else chunk.decode("utf-8")), i + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, i = _cbor_decode(data, i)
            items.append(item)
        return items, i
    if major == 5:
        mapping = {}
        for _ in range(arg):
            key, i = _cbor_decode(data, i)
            mapping[key], i = _cbor_decode(data, i)
        return mapping, i
    raise SearchIndexError("unexpected value in the Pagefind index")
