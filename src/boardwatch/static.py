"""The static files a build copies: the theme's assets and the site's ``static/`` folder,
checked before anything is published (unsafe names, links out of the site, and files that
would replace a page are errors)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from .diagnostics import Diagnostics, Span
from .publish import MARKER
from .sources import reserved_on_windows


def static_files(root: Path, generated: set[str], diags: Diagnostics) -> dict[str, Path]:
    """Every file to copy into the output (output path -> file): the theme's assets under
    ``assets/``, then the site's ``static/`` folder as it is. ``generated`` are the paths the
    build writes itself; a static file that would replace one (whatever its case), a name
    that is unsafe on some system, or a symbolic link leading out of the site is reported
    and not copied."""
    copies: dict[str, Path] = {}
    theme_static = resources.files("boardwatch") / "theme" / "static"
    with resources.as_file(theme_static) as theme_dir:
        for path in sorted(Path(theme_dir).rglob("*")):
            if path.is_file():
                copies["assets/" + path.relative_to(theme_dir).as_posix()] = path
    static = root / "static"
    taken = {path.casefold(): path for path in (*generated, *copies)}  # case-insensitive file systems
    real_root = root.resolve()
    if static.is_dir() and not static.resolve().is_relative_to(real_root):
        diags.error("BW110", "static/ is a symbolic link to a folder outside the site", Span("static"),
                    hint="copy the files into the site instead of linking to them")
    elif static.is_dir():
        for dirpath, dirnames, filenames in os.walk(static):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
                dirnames.remove(name)  # never followed; reported like a linked file when it leads out
                if not Path(dirpath, name).resolve().is_relative_to(real_root):
                    diags.error("BW110", "symbolic link points outside the site folder",
                                Span("static/" + Path(dirpath, name).relative_to(static).as_posix()),
                                hint="copy the files into static/ instead of linking to them")
            for name in sorted(filenames):
                path = Path(dirpath, name)
                rel = path.relative_to(static).as_posix()
                span = Span("static/" + rel)
                if name.startswith("."):
                    continue
                if path.is_symlink() and not path.resolve().is_relative_to(real_root):
                    diags.error("BW110", "symbolic link points outside the site folder", span,
                                hint="copy the file into static/ instead of linking to it")
                    continue
                if any(c in rel for c in '\\:*?"<>|\x00') or rel.startswith(MARKER) \
                        or any(reserved_on_windows(part) for part in rel.split("/")):
                    diags.error("BW110", f"unsafe static file name '{rel}'", span,
                                hint="use letters, digits, '-', '_' and '.' in static file names, and no name "
                                     "Windows reserves (con, nul, com1...)")
                    continue
                if rel.casefold() in taken:
                    diags.error("BW501", f"static/{rel} would overwrite a page boardwatch writes at "
                                         f"{taken[rel.casefold()]}", span, hint="rename or move the static file")
                    continue
                copies[rel] = path
                taken[rel.casefold()] = rel
    return copies
