"""What the Hugo and Pelican exporters share: a fresh output folder, and each content file
read as (front matter, body with [[references]] turned into plain text)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import yaml

REF = re.compile(r"\[\[([^\]|]+)(?:\|([^\]]+))?\]\]")


def fresh(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    (out / "content").mkdir(parents=True)


def read(path: Path) -> tuple[dict[str, Any], str]:
    _, front, body = path.read_text("utf-8").split("---\n", 2)
    meta = yaml.load(front, Loader=yaml.CSafeLoader)
    return meta, REF.sub(lambda m: m.group(2) or m.group(1), body)
