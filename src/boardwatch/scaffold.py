"""``boardwatch new``: start a site, or add one article or entity file with the keys it needs.

Every function here writes new files only: an existing file is never replaced (files are
opened in exclusive-create mode), and every id it writes is checked against the site first,
so what it writes passes ``boardwatch check``. Nothing here prints; problems are raised as
:class:`ScaffoldError` with a hint, for the CLI to show.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml

from .layout import CONFIG_FILE
from .diagnostics import did_you_mean
from .model import ACTOR_KINDS, ENTITY_KINDS, FOLDERS, Kind
from .schema import RESERVED_RE
from .sources import is_valid_id

MAX_ID_LENGTH = 60
# Letters that Unicode does not decompose into an ASCII base letter plus accents.
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o", "ł": "l",
                       "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ı": "i",
                       "&": " and ", "'": "", "’": ""})


class ScaffoldError(Exception):
    """What was asked cannot be done without breaking the site or overwriting a file."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def slugify(text: str, max_length: int = MAX_ID_LENGTH) -> str:
    """An id or slug from a name or title: accents folded to ASCII, lower case, words joined
    by single hyphens, cut at a word boundary. ``"Emmanuel Macron"`` -> ``"emmanuel-macron"``."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or "-".join(words)[:max_length].strip("-")


# -- what a site holds ------------------------------------------------------------------------

def entity_ids(root: Path) -> dict[str, Kind]:
    """Every entity id of the site (from file names, as the build takes them) -> its kind."""
    found: dict[str, Kind] = {}
    for kind in ENTITY_KINDS:
        folder = root / "content" / FOLDERS[kind]
        if folder.is_dir():
            for path in sorted(folder.glob("*.md")):
                found.setdefault(path.stem, kind)
    return found


_SLUG_LINE = re.compile(r"^slug:\s*['\"]?([^'\"\s#]+)", re.MULTILINE)


def article_slugs(root: Path) -> dict[str, Path]:
    """Every article slug of the site (its ``slug:``, else its file name) -> its file."""
    folder = root / "content" / FOLDERS[Kind.ARTICLE]
    found: dict[str, Path] = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*.md")):
            slug = path.stem
            try:
                head = path.read_text("utf-8", errors="replace")[:4000]
            except OSError:
                head = ""
            if head.lstrip("\ufeff").startswith("---"):
                block = head.split("\n---", 2)[0]
                if match := _SLUG_LINE.search(block):
                    slug = match.group(1)
            found.setdefault(slug, path)
    return found


def _check_id(value: str, what: str, source: str, option: str) -> str:
    if not value:
        raise ScaffoldError(f"cannot make {what} from {source!r}: it has no letters or digits in the Latin "
                            "alphabet", f"give one with {option}, e.g. {option} my-{what.split()[-1]}")
    if not is_valid_id(value) or RESERVED_RE.match(value):
        raise ScaffoldError(f"'{value}' cannot be {what}",
                            "use lower-case letters, digits and single hyphens, e.g. 'vladimir-putin'; "
                            "'index', 'page-2' and names reserved by Windows are taken")
    return value


def _check_refs(root: Path, ids: Sequence[str], allowed: frozenset[Kind], option: str) -> None:
    known = entity_ids(root)
    for ident in ids:
        kind = known.get(ident)
        if kind is None:
            candidates = [i for i, k in known.items() if k in allowed]
            hint = did_you_mean(ident, candidates) or did_you_mean(ident, known)
            raise ScaffoldError(f"{option}: unknown id '{ident}'",
                                (hint + " " if hint else "")
                                + f"ids are file names without '.md' under {_folders(allowed)}"
                                + ("" if known else "; the site has no entities yet"))
        if kind not in allowed:
            kinds = _either(sorted(k.value for k in allowed))
            raise ScaffoldError(f"{option}: '{ident}' is {_a(kind.value)}, not {_a(kinds)}",
                                "list initiatives with --initiative, and people, states and bodies with "
                                "--actors")


def _either(words: Sequence[str]) -> str:
    return ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else "".join(words)


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _folders(kinds: frozenset[Kind]) -> str:
    return _either([f"content/{FOLDERS[k]}/" for k in ENTITY_KINDS if k in kinds])


def _write_new(path: Path, text: str, root: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{_rel(path, root)} already exists; nothing was written",
                            "choose another name, or edit the existing file") from None
    return path


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _front_matter(data: dict[str, object], comments: Iterable[str] = ()) -> str:
    lines = []
    for key, value in data.items():
        if isinstance(value, list):  # ids only: safe to write as they are, in YAML's short list form
            lines.append(f"{key}: [{', '.join(str(v) for v in value)}]\n")
        else:
            lines.append(yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=False, width=1000))
    extra = "".join(f"# {line}\n" if line else "#\n" for line in comments)
    return "---\n" + "".join(lines) + extra + "---\n"


def _require_site(root: Path) -> None:
    if not (root / "content").is_dir() and not (root / CONFIG_FILE).is_file():
        raise ScaffoldError(f"{root} is not a boardwatch site (it has no content/ folder and no {CONFIG_FILE})",
                            "run this from the site's folder, pass --site DIR, or start one with "
                            "'boardwatch new site DIR'")


# -- entities ---------------------------------------------------------------------------------

_ENTITY_NOTES: dict[Kind, tuple[str, ...]] = {
    Kind.PERSON: (
        "nationality: <state id>",
        "roles:",
        "  - title: Foreign minister",
        "    of: <state or body id>",
        "    from: 2024-01-31",
    ),
    Kind.STATE: (
        "iso: XX                  # the two-letter ISO 3166-1 code, in capitals",
        "territory: true          # for a territory that is not a recognised state",
    ),
    Kind.BODY: (
        "parent: <entity id>",
        "seat: <state id>",
    ),
    Kind.INITIATIVE: (
        "launched: 2025-01-31",
        "chair: <person, state or body id>",
        "members: [<id>, <id>]",
        "focus: [<id>]",
        "invitations:",
        "  - invitee: <id>",
        "    date: 2025-01-31",
        "    by: <id>",
        "    status: pending      # pending, accepted, declined or withdrawn",
        "    source: <article slug>",
    ),
}


def new_entity(root: Path, kind: Kind, name: str, *, ident: str | None = None) -> Path:
    """Write ``content/<folder>/<id>.md`` for a new entity named ``name``; the file written."""
    if kind not in ENTITY_KINDS:
        raise ValueError(f"not an entity kind: {kind}")
    _require_site(root)
    name = " ".join(name.split())
    if not name:
        raise ScaffoldError("the name is empty", "give the display name, e.g. \"Emmanuel Macron\"")
    ident = _check_id(ident if ident is not None else slugify(name), "an id", name, "--id")
    known = entity_ids(root)
    if ident in known:
        raise ScaffoldError(f"the id '{ident}' is already taken by content/{FOLDERS[known[ident]]}/{ident}.md; "
                            "nothing was written",
                            "ids are unique across people, states, bodies and initiatives: edit that file, "
                            "or choose another id with --id")
    data: dict[str, object] = {"name": name}
    if kind is Kind.BODY:
        data["type"] = "other"
    elif kind is Kind.INITIATIVE:
        data["status"] = "proposed"
    notes = ["Optional keys: remove the '#' to use one. See docs/content-format.md.",
             "aliases: [Other name]   # names used in articles, linked automatically",
             "summary: One sentence shown in lists and link previews.",
             "wikidata: Q123456",
             "links:",
             "  - title: Official site",
             "    url: \"https://example.org/\"",
             "tags: [some-tag]",
             *_ENTITY_NOTES[kind]]
    if kind is Kind.BODY:
        notes.insert(1, "type: other   # government, agency, international-organization, alliance, party, "
                        "armed-group, company, media, ngo or other")
    elif kind is Kind.INITIATIVE:
        notes.insert(1, "status: proposed   # proposed, forming, active, stalled, concluded or collapsed")
    body = (f"<!-- The profile of {name}: who or what it is, and why it matters to this site's analyses. "
            "Link another entity by writing its id in double square brackets. -->\n")
    path = root / "content" / FOLDERS[kind] / f"{ident}.md"
    return _write_new(path, _front_matter(data, notes) + body, root)


# -- articles ---------------------------------------------------------------------------------

def new_article(root: Path, title: str, *, date: dt.date, actors: Sequence[str] = (),
                initiatives: Sequence[str] = (), slug: str | None = None, draft: bool = False) -> Path:
    """Write ``content/articles/YYYY/<slug>.md`` for a new article; the file written."""
    _require_site(root)
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError("the title is empty", "give the headline, e.g. \"Putin invited to the board\"")
    slug = _check_id(slug if slug is not None else slugify(title), "a slug", title, "--slug")
    actors = list(dict.fromkeys(actors))
    initiatives = list(dict.fromkeys(initiatives))
    _check_refs(root, actors, ACTOR_KINDS, "--actors")
    _check_refs(root, initiatives, frozenset({Kind.INITIATIVE}), "--initiative")
    taken = article_slugs(root)
    if slug in taken:
        raise ScaffoldError(f"the slug '{slug}' is already taken by {_rel(taken[slug], root)}; nothing was written",
                            "article slugs are unique across the site: choose another with --slug")
    data: dict[str, object] = {"title": title, "date": date}
    if actors:
        data["actors"] = actors
    if initiatives:
        data["initiatives"] = initiatives
    if draft:
        data["draft"] = True
    speaker = actors[0] if actors else "<person, state or body id>"
    notes = ["Optional keys: remove the '#' to use one. See docs/content-format.md.",
             "summary: The standfirst (default: the first paragraph).",
             "authors: [Your name]",
             f"source: {{name: The report analysed, url: \"https://example.org/report\", date: {date.isoformat()}}}",
             "tags: [some-tag]",
             "claims:",
             f"  - id: {slug[:40].rstrip('-')}-claim",
             f"    speaker: {speaker}",
             "    text: What was claimed, in the article's words.",
             "    status: reported     # reported, confirmed, disputed, denied, false or unverified",
             "events:",
             f"  - date: {date.isoformat()}",
             "    title: What happened, in one line.",
             f"    actors: [{speaker}]"]
    if not actors:
        notes.insert(1, "actors: [<id>, <id>]     # the people, states and bodies it is about")
    body = ("<!-- Write the analysis here. Link an entity by writing its id in double square brackets; "
            "the first plain mention of a known name is linked by itself. -->\n")
    path = root / "content" / FOLDERS[Kind.ARTICLE] / f"{date.year:04d}" / f"{slug}.md"
    return _write_new(path, _front_matter(data, notes) + body, root)


# -- a whole site -----------------------------------------------------------------------------

def _site_files(title: str, today: dt.date) -> dict[str, str]:
    year = today.year
    return {
        CONFIG_FILE: yaml.safe_dump({"title": title, "description": "Who is doing what, and who said what about it.",
                                     "language": "en", "authors": ["The desk"]},
                                    sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
        + "# base_url: \"https://example.org/\"   (where the site is published: for feeds, the sitemap and "
          "canonical links)\n",
        ".gitignore": "/site/\n.boardwatch-cache/\n",
        "README.md": f"# {title}\n\n"
        "A Boardwatch site: the Markdown files in `content/` become a cross-linked static site, "
        "built with the `boardwatch` command.\n\n"
        "```sh\n"
        "boardwatch serve                      # preview at http://127.0.0.1:8000/, rebuilt as you edit\n"
        "boardwatch check                      # validate everything, write nothing\n"
        "boardwatch build                      # build into site/\n"
        "boardwatch new article \"Title\" --actors id,id\n"
        "boardwatch new person \"Name\"          # also: state, body, initiative\n"
        "```\n",
        "content/people/rufus-firefly.md": "---\n"
        "name: Rufus Firefly\n"
        "aliases: [Firefly]\n"
        "summary: Leader of Freedonia, an example person.\n"
        "nationality: freedonia\n"
        "roles:\n"
        "  - title: Leader of Freedonia\n"
        "    of: freedonia\n"
        f"    from: {year - 1}-03-01\n"
        "tags: [example]\n"
        "---\n"
        "Rufus Firefly leads [[freedonia]]. He chairs the [[harbour-talks]].\n"
        "\n"
        "This is an example person: edit or delete this file.\n",
        "content/states/freedonia.md": "---\n"
        "name: Freedonia\n"
        "summary: An example state.\n"
        "tags: [example]\n"
        "---\n"
        "Freedonia is led by [[rufus-firefly]].\n",
        "content/initiatives/harbour-talks.md": "---\n"
        "name: Harbour Talks\n"
        "summary: An example initiative, chaired by Rufus Firefly.\n"
        "status: forming\n"
        f"launched: {year}-01-05\n"
        "chair: rufus-firefly\n"
        "members: [freedonia]\n"
        "tags: [example]\n"
        "---\n"
        "Talks on the use of a shared harbour, chaired by [[rufus-firefly]].\n",
        f"content/articles/{year:04d}/freedonia-opens-the-harbour-talks.md": "---\n"
        "title: Freedonia opens the Harbour Talks\n"
        f"date: {today.isoformat()}\n"
        "summary: An example article. It names its actors, records a claim and an event, and links "
        "entities in its text.\n"
        "actors: [rufus-firefly, freedonia]\n"
        "initiatives: [harbour-talks]\n"
        "tags: [example]\n"
        "claims:\n"
        "  - id: firefly-promises-open-harbour\n"
        "    speaker: rufus-firefly\n"
        "    text: Firefly said the harbour would stay open to every ship during the talks.\n"
        "    about: [harbour-talks]\n"
        "    status: reported\n"
        "events:\n"
        f"  - date: {today.isoformat()}\n"
        "    title: The Harbour Talks open\n"
        "    actors: [rufus-firefly, freedonia]\n"
        "    initiative: harbour-talks\n"
        "    type: meeting\n"
        "---\n"
        "[[rufus-firefly]] opened the [[harbour-talks]] today. Firefly said the harbour would stay "
        "open while they last.\n"
        "\n"
        "This is an example article: edit it, or add your own with `boardwatch new article \"Title\"`.\n",
        "templates/README.md": "# Templates\n\n"
        "A file here replaces the built-in theme's template of the same name. To change one block "
        "and keep the rest, extend the original, which is always reachable as `theme/NAME`:\n\n"
        "```jinja\n"
        "{# templates/article.html #}\n"
        "{% extends \"theme/article.html\" %}\n"
        "{% block claims %}{{ super() }}<p>Statuses are updated as reporting develops.</p>{% endblock %}\n"
        "```\n\n"
        "A page of its own goes in `templates/pages/NAME.html` and is written to `NAME.html`.\n",
    }


def new_site(target: Path, *, today: dt.date, title: str | None = None) -> list[Path]:
    """Write a small working site into ``target`` (which must not exist, or be empty); the files written."""
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} exists and is not a folder; nothing was written",
                            "choose a new folder name")
    if target.is_dir() and any(p.name != ".git" for p in target.iterdir()):
        raise ScaffoldError(f"{target} is not empty; nothing was written",
                            "choose a new or empty folder, or add files to an existing site with "
                            "'boardwatch new article' and 'boardwatch new person'")
    if title is None:
        words = target.resolve().name.replace("-", " ").replace("_", " ").strip()
        title = words[:1].upper() + words[1:] if words else "Boardwatch"
    written = []
    for rel, text in _site_files(title, today).items():
        written.append(_write_new(target.joinpath(*rel.split("/")), text, target))
    return written
