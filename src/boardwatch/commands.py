"""Sub-commands beyond build and check: serve and new (their own modules do the work)."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(sub: Any) -> None:
    """Register extra sub-commands on the CLI's sub-parser."""
    return None


def run_command(args: argparse.Namespace, out: Any) -> int:
    raise SystemExit(2)
