"""The command line, as a contributor or CI meets it: every command and --format, run as
``python -m boardwatch`` in a fresh process; exit codes 0 (ok), 1 (content errors), 2 (usage).

Broken sites are written inline. One site holds many broken files, each broken one way and
independent of the others, and is checked once per format; every case then asserts what
the CLI printed for its file: code, line, column, key path and hint, in text, GitHub and
JSON output.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from site_helpers import line_of, make_site

ENV = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}


def bw(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
       timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python -m boardwatch ARGS`` in a fresh process; output captured as text."""
    return subprocess.run([sys.executable, "-m", "boardwatch", *map(str, args)], cwd=cwd, env=env or ENV,
                          capture_output=True, text=True, timeout=timeout, check=False)


def bw_tty(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run with stderr on a pseudo-terminal, as in a contributor's terminal; (exit code, stderr)."""
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "boardwatch", *map(str, args)], env=env or ENV,
                                stdout=subprocess.DEVNULL, stderr=secondary, stdin=subprocess.DEVNULL)
        os.close(secondary)
        chunks = []
        while True:
            try:
                data = os.read(primary, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        code = proc.wait(timeout=60)
    finally:
        os.close(primary)
    return code, b"".join(chunks).decode("utf-8", "replace")


def doc(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder below ``folder``: relative path -> (size, mtime_ns)."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_size if p.is_file() else -1, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


GITHUB_LINE = re.compile(r"^::(error|warning) file=([^,]+)(?:,line=(\d+))?(?:,col=(\d+))?,title=(BW\d{3})::(.+)$")
TEXT_HEAD = re.compile(r"^(?P<file>[^\s:]+)(?::(?P<line>\d+))?(?::(?P<col>\d+))?: (?P<sev>error|warning) "
                       r"(?P<code>BW\d{3}) (?P<message>.+)$")
JSON_KEYS = {"file", "line", "column", "path", "code", "severity", "message", "hint"}


# -- one broken file per case -----------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    name: str
    file: str  # site-relative
    text: str | bytes
    code: str
    needle: str | None  # the text on the reported line; None for problems of the whole file (line 1)
    path: str  # the key path reported ('' for none)
    hint: str  # a part of the hint
    column_of: str | None = None  # the reported column is where this text starts on that line
    line: int | None = None  # the reported line, when no needle finds it (0: the file as a whole)


CASES = [
    Case("unknown key, with the key it resembles", "content/people/typo-key.md",
         doc("""
         ---
         name: Typo Key
         aliasses: [Typo]
         ---
         """), "BW202", "aliasses:", "aliasses", "'aliases'", "aliasses"),
    Case("nationality names no entity", "content/people/bad-nationality.md",
         doc("""
         ---
         name: Bad Nationality
         nationality: rusia
         ---
         """), "BW301", "nationality: rusia", "nationality", "'russia'", "rusia"),
    Case("nationality names a body, not a state", "content/people/wrong-kind-nationality.md",
         doc("""
         ---
         name: Wrong Kind
         nationality: kremlin
         ---
         """), "BW303", "nationality: kremlin", "nationality", "state", "kremlin"),
    Case("a role without its title", "content/people/role-without-title.md",
         doc("""
         ---
         name: Role Without Title
         roles:
           - of: russia
         ---
         """), "BW201", "- of: russia", "roles[0]", "title"),
    Case("an impossible date in a role", "content/people/bad-role-date.md",
         doc("""
         ---
         name: Bad Role Date
         roles:
           - title: Minister
             from: 2025-13-40
         ---
         """), "BW206", "from: 2025-13-40", "roles[0].from", "YYYY-MM-DD", "2025-13-40"),
    Case("a link that is not http(s)", "content/people/bad-link.md",
         doc("""
         ---
         name: Bad Link
         links:
           - title: Files
             url: "ftp://example.org/files"
         ---
         """), "BW207", "url: \"ftp:", "links[0].url", "http", "\"ftp:"),
    Case("aliases given as a number", "content/people/number-aliases.md",
         doc("""
         ---
         name: Number Aliases
         aliases: 5
         ---
         """), "BW203", "aliases: 5", "aliases", "list", "5"),
    Case("an ISO code in lower case", "content/states/bad-iso.md",
         doc("""
         ---
         name: Bad Iso
         iso: ru
         ---
         """), "BW208", "iso: ru", "iso", "RU", "ru"),
    Case("a body type that is not one of the choices", "content/bodies/bad-type.md",
         doc("""
         ---
         name: Bad Type
         type: governmnet
         ---
         """), "BW204", "type: governmnet", "type", "'government'", "governmnet"),
    Case("an initiative status that is not one of the choices", "content/initiatives/bad-status.md",
         doc("""
         ---
         name: Bad Status
         status: going
         ---
         """), "BW204", "status: going", "status", "forming", "going"),
    Case("an invitation status that is not one of the choices", "content/initiatives/bad-invitation.md",
         doc("""
         ---
         name: Bad Invitation
         invitations:
           - invitee: vladimir-putin
             date: 2026-01-19
             status: maybe
         ---
         """), "BW204", "status: maybe", "invitations[0].status", "pending", "maybe"),
    Case("an invitation sourced to an entity, not an article", "content/initiatives/bad-source.md",
         doc("""
         ---
         name: Bad Source
         invitations:
           - invitee: vladimir-putin
             date: 2026-01-19
             source: russia
         ---
         """), "BW307", "source: russia", "invitations[0].source", "article", "russia"),
    Case("an article without its date", "content/articles/missing-date.md",
         doc("""
         ---
         title: Missing date
         actors: [russia]
         ---
         """), "BW201", "title: Missing date", "", "add 'date: ...'"),
    Case("a date that does not exist", "content/articles/bad-date.md",
         doc("""
         ---
         title: Bad date
         date: 2026-02-30
         actors: [russia]
         ---
         """), "BW206", "date: 2026-02-30", "date", "YYYY-MM-DD", "2026-02-30"),
    Case("an actor id with a typo", "content/articles/unknown-actor.md",
         doc("""
         ---
         title: Unknown actor
         date: 2026-01-20
         actors: [russia, vladimir-putn]
         ---
         """), "BW301", "actors:", "actors[1]", "'vladimir-putin'", "vladimir-putn"),
    Case("an initiative listed as an actor", "content/articles/initiative-as-actor.md",
         doc("""
         ---
         title: Initiative as actor
         date: 2026-01-20
         actors: [board-of-peace]
         ---
         """), "BW303", "actors:", "actors[0]", "initiatives", "board-of-peace"),
    Case("a claim without its speaker", "content/articles/claim-no-speaker.md",
         doc("""
         ---
         title: Claim without speaker
         date: 2026-01-20
         actors: [russia]
         claims:
           - id: claim-without-speaker
             text: Something was said.
         ---
         """), "BW201", "- id: claim-without-speaker", "claims[0]", "speaker"),
    Case("a claim status that is not one of the choices", "content/articles/claim-bad-status.md",
         doc("""
         ---
         title: Claim with a bad status
         date: 2026-01-20
         actors: [russia]
         claims:
           - id: claim-bad-status
             speaker: russia
             text: Something was said.
             status: maybe
         ---
         """), "BW204", "status: maybe", "claims[0].status", "disputed", "maybe"),
    Case("a revisit of a claim that does not exist", "content/articles/revisit-unknown.md",
         doc("""
         ---
         title: Revisit of nothing
         date: 2026-01-21
         actors: [russia]
         claims:
           - revisits: peskov-confirms-invitaton
             status: confirmed
             note: Confirmed later.
         ---
         """), "BW305", "revisits: peskov", "claims[0].revisits", "'peskov-confirms-invitation'",
         "peskov-confirms-invitaton"),
    Case("a revisit that also names a speaker", "content/articles/revisit-with-speaker.md",
         doc("""
         ---
         title: Revisit with a speaker
         date: 2026-01-21
         actors: [russia]
         claims:
           - revisits: peskov-confirms-invitation
             speaker: dmitry-peskov
             status: confirmed
         ---
         """), "BW209", "speaker: dmitry-peskov", "claims[0].speaker", "revisit"),
    Case("a claim id used by another article", "content/articles/duplicate-claim.md",
         doc("""
         ---
         title: Duplicate claim
         date: 2026-01-21
         actors: [russia]
         claims:
           - id: peskov-confirms-invitation
             speaker: dmitry-peskov
             text: Said again.
         ---
         """), "BW304", "- id: peskov-confirms-invitation", "claims[0].id", "revisits: <id>", "id:"),
    Case("a [[reference]] in the body with a typo", "content/articles/body-ref.md",
         doc("""
         ---
         title: Body reference
         date: 2026-01-21
         actors: [russia]
         ---
         First paragraph.

         Then [[vladimir-putinn]] spoke.
         """), "BW301", "Then [[vladimir-putinn]]", "body", "'vladimir-putin'", "vladimir-putinn"),
    Case("an event type that is not one of the choices", "content/articles/event-bad-type.md",
         doc("""
         ---
         title: Event type
         date: 2026-01-21
         actors: [russia]
         events:
           - date: 2026-01-21
             title: Something happened
             type: party
         ---
         """), "BW204", "type: party", "events[0].type", "meeting", "party"),
    Case("a tab in the YAML", "content/articles/tab-indent.md",
         "---\ntitle: Tabs\ndate: 2026-01-21\nactors:\n\t- russia\n---\n",
         "BW104", "\t- russia", "", "tab"),
    Case("front matter that is never closed", "content/articles/unclosed.md",
         "---\ntitle: Unclosed\ndate: 2026-01-21\n\nText.\n",
         "BW103", None, "", "---"),
    Case("no front matter at all", "content/articles/no-front-matter.md",
         "Just text, no front matter.\n", "BW102", None, "", "---"),
    Case("bytes that are not UTF-8", "content/articles/latin-1.md",
         "---\ntitle: Caf\xe9\ndate: 2026-01-21\n---\n".encode("latin-1"), "BW101", "title: Caf", "", "UTF-8"),
    Case("a key written twice", "content/articles/duplicate-key.md",
         doc("""
         ---
         title: Once
         date: 2026-01-21
         actors: [russia]
         title: Twice
         ---
         """), "BW108", "title: Twice", "title", "remove one of them"),
    Case("a slug with spaces and capitals", "content/articles/bad-slug.md",
         doc("""
         ---
         title: Bad slug
         slug: Bad Slug
         date: 2026-01-21
         actors: [russia]
         ---
         """), "BW205", "slug: Bad Slug", "slug", "lower-case", "Bad Slug"),
    Case("a list where text is wanted", "content/articles/list-title.md",
         doc("""
         ---
         title: [one, two]
         date: 2026-01-21
         actors: [russia]
         ---
         """), "BW203", "title: [one, two]", "title", "text", "[one"),
    Case("a source URL that is not a URL", "content/articles/bad-source-url.md",
         doc("""
         ---
         title: Bad source
         date: 2026-01-21
         actors: [russia]
         source:
           name: A report
           url: not a url
         ---
         """), "BW207", "url: not a url", "source.url", "http", "not a url"),
    Case("an empty file", "content/articles/empty.md", "", "BW109", None, "", ""),
    Case("a file name that is not an id", "content/people/Bad_Name.md",
         doc("""
         ---
         name: Bad Name
         ---
         """), "BW205", None, "", "rename the file", line=0),
    Case("a file in a folder boardwatch does not know", "content/misc/note.md",
         doc("""
         ---
         name: Note
         ---
         """), "BW112", None, "", "articles", line=0),
    Case("a setting with a bad value", "boardwatch.yaml",
         doc("""
         title: Test site
         per_page: lots
         """), "BW402", "per_page: lots", "per_page", "number", "lots"),
]


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """The site with every broken file, checked once in each format; format -> the finished run."""
    root = make_site(tmp_path_factory.mktemp("broken"), {c.file: c.text for c in CASES})
    return {fmt: bw("check", root, "--format", fmt) for fmt in ("text", "github", "json")}


def _line(case: Case) -> int:
    if case.line is not None:
        return case.line
    if case.needle is None:
        return 1
    text = case.text.decode("latin-1") if isinstance(case.text, bytes) else case.text
    return line_of(text, case.needle)


def _column(case: Case) -> int | None:
    if case.column_of is None:
        return None
    text = case.text if isinstance(case.text, str) else case.text.decode("latin-1")
    return text.split("\n")[_line(case) - 1].index(case.column_of) + 1


def test_there_are_at_least_25_cases_each_in_its_own_file() -> None:
    assert len(CASES) >= 25
    assert len({c.file for c in CASES}) == len(CASES)


def test_the_broken_site_fails_in_every_format(broken: dict[str, subprocess.CompletedProcess[str]]) -> None:
    for fmt, run in broken.items():
        assert run.returncode == 1, (fmt, run.stderr)
        assert "internal error" not in run.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_json_names_file_line_column_key_path_and_hint(
        case: Case, broken: dict[str, subprocess.CompletedProcess[str]]) -> None:
    items = json.loads(broken["json"].stdout)
    mine = [d for d in items if d["file"] == case.file and d["severity"] == "error"]
    assert [d["code"] for d in mine] == [case.code], mine
    found = mine[0]
    assert set(found) == JSON_KEYS
    assert found["line"] == _line(case)
    if (column := _column(case)) is not None:
        assert found["column"] == column
    assert found["path"] == case.path
    assert case.hint.lower() in found["hint"].lower()
    assert found["message"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_github_annotation_per_case(case: Case, broken: dict[str, subprocess.CompletedProcess[str]]) -> None:
    lines = broken["github"].stdout.splitlines()
    parsed = [GITHUB_LINE.match(line) for line in lines]
    assert all(parsed), [line for line, m in zip(lines, parsed) if not m]
    mine = [m for m in parsed if m is not None and m.group(2) == case.file and m.group(1) == "error"]
    assert [m.group(5) for m in mine] == [case.code]
    match = mine[0]
    assert int(match.group(3) or 0) == _line(case)
    if (column := _column(case)) is not None:
        assert int(match.group(4)) == column
    message = match.group(6)
    if case.path:
        assert case.path in message
    assert case.hint.lower() in message.lower()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_text_shows_location_excerpt_caret_and_hint(
        case: Case, broken: dict[str, subprocess.CompletedProcess[str]]) -> None:
    text = broken["text"].stderr
    blocks = text.split("\n\n")
    mine = [b for b in blocks if b.startswith(case.file + ":")]
    assert len(mine) == 1, (case.file, mine)
    head, *rest = mine[0].splitlines()
    match = TEXT_HEAD.match(head)
    assert match, head
    assert match["code"] == case.code and match["sev"] == "error"
    assert int(match["line"] or 0) == _line(case)
    if case.path:
        assert case.path in match["message"]
    hints = [line for line in rest if line.strip().startswith("hint:")]
    assert len(hints) == 1 and case.hint.lower() in hints[0].lower()
    if (column := _column(case)) is not None:
        assert int(match["col"]) == column
        excerpt, caret = rest[0], rest[1]
        assert excerpt.startswith(f"   {_line(case)} | ")
        bar = excerpt.index("|")
        assert caret[bar] == "|"
        assert caret.index("^") - (bar + 2) == column - 1  # the caret is under the reported column


def test_text_ends_with_a_summary_and_says_nothing_was_written(
        broken: dict[str, subprocess.CompletedProcess[str]]) -> None:
    tail = broken["text"].stderr.rstrip().splitlines()[-2:]
    assert re.match(r"^\d+ errors in \d+ files$", tail[0]), tail
    assert tail[1].startswith("check failed in ") and "nothing was written" in tail[1]
    assert broken["text"].stdout == ""


def test_json_and_github_print_problems_only_on_stdout(
        broken: dict[str, subprocess.CompletedProcess[str]]) -> None:
    assert json.loads(broken["json"].stdout)
    for fmt in ("json", "github"):
        assert "check failed" not in broken[fmt].stdout


# -- warnings ---------------------------------------------------------------------------------

WARNINGS = {
    "boardwatch.yaml": "title: Test site\ntitel: Typo\n",
    "content/people/alias-one.md": "---\nname: Alias One\naliases: [The Envoy]\n---\n",
    "content/people/alias-two.md": "---\nname: Alias Two\naliases: [The Envoy]\n---\n",
    "content/articles/no-actors.md": "---\ntitle: No actors\ndate: 2026-01-22\n---\nNobody is named.\n",
}


@pytest.fixture(scope="module")
def warned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("warned"), WARNINGS)


def test_warnings_do_not_fail_check_or_build(warned: Path, tmp_path: Path) -> None:
    run = bw("check", warned, "--format", "json")
    assert run.returncode == 0, run.stdout
    items = json.loads(run.stdout)
    assert {d["severity"] for d in items} == {"warning"}
    by_code = {d["code"]: d for d in items}
    assert set(by_code) == {"BW401", "BW308", "BW309"}
    assert by_code["BW401"]["file"] == "boardwatch.yaml" and by_code["BW401"]["line"] == 2
    assert by_code["BW401"]["path"] == "titel" and "'title'" in by_code["BW401"]["hint"]
    assert by_code["BW309"]["file"] == "content/articles/no-actors.md"
    assert by_code["BW308"]["file"].startswith("content/people/alias-")
    built = bw("build", warned, "--out", tmp_path / "out")
    assert built.returncode == 0, built.stderr
    assert "warning BW309" in built.stderr
    assert (tmp_path / "out" / "index.html").is_file()


def test_strict_turns_warnings_into_a_failure(warned: Path, tmp_path: Path) -> None:
    for args in (("check", warned, "--strict"), ("build", warned, "--strict", "--out", tmp_path / "out")):
        run = bw(*args)
        assert run.returncode == 1, run.stderr
        assert "--strict" in run.stderr and "warning BW308" in run.stderr
    github = bw("check", warned, "--strict", "--format", "github")
    assert github.returncode == 1
    assert {m.group(1) for m in map(GITHUB_LINE.match, github.stdout.splitlines()) if m} == {"warning"}


# -- check writes nothing ---------------------------------------------------------------------

@pytest.mark.parametrize("broken_site", [False, True], ids=["valid", "invalid"])
def test_check_writes_nothing_anywhere(tmp_path: Path, broken_site: bool) -> None:
    files = {"templates/article.html": '{% extends "theme/article.html" %}\n',
             "static/robots-extra.txt": "hello\n"}
    if broken_site:
        files["content/articles/bad.md"] = "---\ntitle: [\n---\n"
    root = make_site(tmp_path, files)
    before_site, before_tmp = snapshot(root), snapshot(tmp_path)
    run = bw("check", root, cwd=tmp_path)
    assert run.returncode == (1 if broken_site else 0), run.stderr
    assert snapshot(root) == before_site
    assert snapshot(tmp_path) == before_tmp
    assert not (root / "site").exists() and not (root / ".boardwatch-cache").exists()


def test_check_is_quiet_when_asked_and_says_how_long_otherwise(base_site: Path) -> None:
    loud = bw("check", base_site)
    assert loud.returncode == 0
    assert re.match(r"^check passed in \d+\.\d\ds: no problems found; nothing was written$", loud.stdout.strip())
    quiet = bw("check", base_site, "--quiet")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    assert json.loads(bw("check", base_site, "--format", "json").stdout) == []
    assert bw("check", base_site, "--format", "github").stdout == ""


def test_check_finds_template_errors_as_build_does(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"templates/article.html": '{% extends "theme/article.html" %}\n'
                                                         "{% block claims %}{{ page.no_such_thing }}{% endblock %}\n"})
    run = bw("check", root, "--format", "json")
    assert run.returncode == 1
    (item,) = json.loads(run.stdout)
    assert item["code"] == "BW601" and item["file"] == "templates/article.html" and item["line"] == 2


# -- build ------------------------------------------------------------------------------------

def test_build_writes_the_site_and_closes_with_pages_and_time(base_site: Path, tmp_path: Path) -> None:
    run = bw("build", base_site, "--out", tmp_path / "out", "--no-search")
    assert run.returncode == 0, run.stderr
    assert re.match(r"^built \d+ pages \(\d+ files\) into .+ in \d+\.\d\ds", run.stdout.strip()), run.stdout
    assert (tmp_path / "out" / "index.html").is_file()
    again = bw("build", base_site, "--out", tmp_path / "out", "--no-search", "--quiet")
    assert again.returncode == 0 and again.stdout == "" and again.stderr == ""


def test_build_failure_writes_nothing_and_reports_in_each_format(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/people/bad.md": "---\nname: Bad\nnationality: atlantis\n---\n"})
    out = tmp_path / "out"
    text = bw("build", root, "--out", out)
    assert text.returncode == 1
    assert "content/people/bad.md:3:14: error BW301" in text.stderr and "build failed" in text.stderr
    (item,) = json.loads(bw("build", root, "--out", out, "--format", "json").stdout)
    assert (item["code"], item["line"], item["column"], item["path"]) == ("BW301", 3, 14, "nationality")
    github = bw("build", root, "--out", out, "--format", "github")
    assert github.returncode == 1
    assert GITHUB_LINE.match(github.stdout.strip())
    assert not out.exists()


def test_plain_progress_lines_in_a_log_and_stage_lines_with_verbose(base_site: Path, tmp_path: Path) -> None:
    plain = bw("build", base_site, "--out", tmp_path / "a", "--no-cache", "--no-search")
    assert re.search(r"^parse: \d+ files$", plain.stderr, re.MULTILINE), plain.stderr
    assert re.search(r"^plan: \d+ tasks, each planning and rendering pages$", plain.stderr, re.MULTILINE), plain.stderr
    assert "\r" not in plain.stderr
    verbose = bw("build", base_site, "--out", tmp_path / "b", "--no-cache", "--no-search", "--verbose")
    assert re.search(r"^read\.\.\.$", verbose.stderr, re.MULTILINE)
    assert re.search(r"^plan: (\d+)/\1$", verbose.stderr, re.MULTILINE), verbose.stderr
    checked = bw("check", base_site)  # check plans and renders every page as a build does
    assert re.search(r"^plan: \d+ tasks, each planning and rendering pages$", checked.stderr, re.MULTILINE)


def test_progress_bar_on_a_terminal_moves_for_build_and_check(tmp_path: Path) -> None:
    many = {f"content/articles/many-{i}.md": f"---\ntitle: Article {i}\ndate: 2026-01-19\nactors: [russia]\n---\n"
            for i in range(150)}
    root = make_site(tmp_path, many)
    # Build and check plan and render task by task (one per article, entity...).
    for args, stage in ((("build", root, "--out", tmp_path / "out", "--no-cache", "--no-search"), "plan"),
                        (("check", root), "plan")):
        code, err = bw_tty(*args)
        assert code == 0, err
        counts = [int(n) for n in re.findall(rf"\r\s*{stage} \[[#-]+\] (\d+)/\d+", err)]
        total = int(re.findall(rf"{stage} \[[#-]+\] \d+/(\d+)", err)[0])
        assert total > 150 and counts[0] == 0 and counts[-1] == total
        assert len(set(counts)) >= 3 and counts == sorted(counts), counts  # it moves, forwards
    quiet_code, quiet = bw_tty("build", root, "--out", tmp_path / "q", "--no-cache", "--quiet")
    assert quiet_code == 0 and quiet == ""


def test_colour_on_a_terminal_unless_no_color(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/people/bad.md": "---\nname: Bad\nnationality: atlantis\n---\n"})
    code, coloured = bw_tty("check", root)
    assert code == 1 and "\033[1;31m" in coloured and "BW301" in coloured
    code, plain = bw_tty("check", root, env={**ENV, "NO_COLOR": "1"})
    assert code == 1 and "\033[" not in plain and "error BW301" in plain


# -- usage errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    (),
    ("frobnicate",),
    ("check", "--format", "xml"),
    ("build", "--jobs", "0"),
    ("serve", "--port", "99999"),
    ("new",),
    ("new", "planet", "Mars"),
    ("new", "article", "Title", "--date", "2026-02-30"),
], ids=lambda a: " ".join(a) or "nothing")
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    run = bw(*args)
    assert run.returncode == 2, run.stderr
    assert "usage:" in run.stderr


@pytest.mark.parametrize("command", ["check", "build", "serve"])
def test_a_missing_site_folder_is_a_usage_error(command: str, tmp_path: Path) -> None:
    run = bw(command, tmp_path / "nowhere")
    assert run.returncode == 2
    assert "does not exist" in run.stderr


def test_version_and_help() -> None:
    version = bw("--version")
    assert version.returncode == 0 and re.match(r"^boardwatch \d+\.\d+", version.stdout)
    helped = bw("--help")
    assert helped.returncode == 0
    for command in ("build", "check", "serve", "new"):
        assert command in helped.stdout
    for what in ("site", "article", "person", "state", "body", "initiative"):
        assert what in bw("new", "--help").stdout


def test_docs_cli_md_documents_every_command_and_option() -> None:
    import argparse

    from boardwatch.cli import _parser

    docs = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text("utf-8")
    missing: list[str] = []

    def walk(parser: argparse.ArgumentParser, command: str) -> None:
        if command and not re.search(rf"^#+ `boardwatch {re.escape(command)}\b", docs, re.MULTILINE) and not \
                re.search(rf"^#+ `boardwatch {re.escape(command.rsplit(' ', 1)[0])} [\w|]*\b"
                          rf"{re.escape(command.rsplit(' ', 1)[-1])}\b", docs, re.MULTILINE):
            missing.append(f"a section for 'boardwatch {command}'")
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{command} {name}".strip())
            for option in action.option_strings:
                if option in ("-h", "--help") and command:
                    continue
                if f"`{option}" not in docs and f"| {option}" not in docs and f" {option} " not in docs:
                    missing.append(f"{option} of 'boardwatch {command}'")

    walk(_parser(), "")
    assert missing == []


def test_the_site_workflow_checks_pull_requests_and_publishes_main() -> None:
    import yaml

    repo = Path(__file__).resolve().parents[1]
    flow = yaml.safe_load((repo / ".github" / "workflows" / "site.yml").read_text("utf-8"))
    triggers = flow[True]  # YAML 1.1 reads the key 'on' as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    check, publish = flow["jobs"]["check"], flow["jobs"]["publish"]
    assert "pull_request" in check["if"] and "pull_request" in publish["if"] and "refs/heads/main" in publish["if"]
    commands = [step.get("run", "") for step in check["steps"]]
    assert "python -m pip install ." in commands and "boardwatch check --format github" in commands
    uses = [step.get("uses", "").split("@")[0] for step in publish["steps"]]
    assert uses.index("actions/upload-pages-artifact") < uses.index("actions/deploy-pages")
    assert any(step.get("run", "").startswith("boardwatch build") for step in publish["steps"])
    assert publish["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert (repo / ".github" / "pull_request_template.md").is_file()
