"""``boardwatch new``: a new site that builds from a plain (non-editable) install, and new
articles and entities that pass ``boardwatch check`` or are refused with a clear message.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from site_helpers import REPO, make_site, page

from boardwatch.scaffold import slugify

ENV = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PYTHONPATH")}


def bw(*args: str | Path, cwd: Path | None = None, exe: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(exe)] if exe else [sys.executable, "-m", "boardwatch"]
    return subprocess.run([*command, *map(str, args)], cwd=cwd, env=ENV, capture_output=True, text=True,
                          timeout=120, check=False)


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text("utf-8")
    assert text.startswith("---\n")
    return dict(yaml.safe_load(text.split("---\n", 2)[1]))


def check_json(root: Path, *extra: str) -> tuple[int, list[dict[str, object]]]:
    run = bw("check", root, "--format", "json", *extra)
    return run.returncode, json.loads(run.stdout)


# -- a new site, from an installed copy ----------------------------------------------------------

@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """boardwatch installed (not editable) into a fresh venv that sees this machine's packages;
    the venv's ``boardwatch`` executable. Built from a copy of the project, offline."""
    base = tmp_path_factory.mktemp("installed")
    project = base / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(REPO / name, project / name)
    shutil.copytree(REPO / "src", project / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
                   check=True, timeout=120)
    python = venv / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--no-index", "--disable-pip-version-check", str(project)],
                          capture_output=True, text=True, timeout=300, env=ENV, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return venv / "bin" / "boardwatch"


def test_the_installed_copy_is_the_one_that_runs(installed: Path, tmp_path: Path) -> None:
    python = installed.parent / "python"
    where = subprocess.run([str(python), "-c", "import boardwatch; print(boardwatch.__file__)"], cwd=tmp_path,
                           env=ENV, capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    venv = installed.parent.parent
    assert Path(where).is_relative_to(venv), where
    assert not Path(where).is_relative_to(REPO)
    assert installed.read_text("utf-8").splitlines()[0] == f"#!{python}"
    theme = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages" / \
        "boardwatch" / "theme"
    assert (theme / "templates" / "base.html").is_file() and (theme / "static" / "boardwatch.css").is_file()


def test_new_site_builds_with_no_warning_from_an_installed_copy(installed: Path, tmp_path: Path) -> None:
    made = bw("new", "site", "my-site", "--date", "2026-02-03", cwd=tmp_path, exe=installed)
    assert made.returncode == 0, made.stderr
    site = tmp_path / "my-site"
    assert "created a site in my-site" in made.stdout
    for rel in ("boardwatch.yaml", "content/people/rufus-firefly.md", "content/states/freedonia.md",
                "content/initiatives/harbour-talks.md", "content/articles/2026/freedonia-opens-the-harbour-talks.md",
                "templates/README.md"):
        assert (site / rel).is_file(), rel
    built = bw("build", "--strict", cwd=site, exe=installed)
    assert built.returncode == 0, built.stderr
    assert "warning" not in built.stderr and "error" not in built.stderr
    out = site / "site"
    article = page(out, "articles/freedonia-opens-the-harbour-talks.html")
    assert article.find("h1").text == "Freedonia opens the Harbour Talks"
    hrefs = article.hrefs()
    for target in ("../people/rufus-firefly.html", "../states/freedonia.html", "../initiatives/harbour-talks.html"):
        assert target in hrefs, target
    assert page(out, "people/rufus-firefly.html").find("h1").text == "Rufus Firefly"
    venv = installed.parent.parent
    css = next(venv.glob("lib/python*/site-packages/boardwatch/theme/static/boardwatch.css"))
    assert (out / "assets" / "boardwatch.css").read_bytes() == css.read_bytes()
    checked = bw("check", "--format", "json", "--strict", cwd=site, exe=installed)
    assert checked.returncode == 0 and json.loads(checked.stdout) == []


def test_new_site_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n", "utf-8")
    run = bw("new", "site", target)
    assert run.returncode == 1
    assert "not empty" in run.stderr and "nothing was written" in run.stderr
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    (tmp_path / "a-file").write_text("x", "utf-8")
    assert bw("new", "site", tmp_path / "a-file").returncode == 1


def test_new_site_accepts_an_empty_folder_and_takes_its_title(tmp_path: Path) -> None:
    target = tmp_path / "gulf-watch"
    target.mkdir()
    assert bw("new", "site", target).returncode == 0
    assert yaml.safe_load((target / "boardwatch.yaml").read_text("utf-8"))["title"] == "Gulf watch"
    assert front_matter(next((target / "content" / "articles").rglob("*.md")))["date"] == dt.date.today()


# -- new entities -------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), [
    ("Emmanuel Macron", "emmanuel-macron"),
    ("Émile Zola", "emile-zola"),
    ("Łukasz Ząbek", "lukasz-zabek"),
    ("Recep Tayyip Erdoğan", "recep-tayyip-erdogan"),
    ("Straße & Co.", "strasse-and-co"),
    ("Côte d'Ivoire", "cote-divoire"),
    ("  U.S. -- Department of State  ", "u-s-department-of-state"),
    ("Trump's Board of Peace: what's next?", "trumps-board-of-peace-whats-next"),
    ("Путин", ""),
])
def test_slugify_folds_accents_to_ascii(name: str, expected: str) -> None:
    assert slugify(name) == expected


def test_slugify_cuts_long_titles_at_a_word() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= 60 and slug.endswith("word") and "--" not in slug


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path)


@pytest.mark.parametrize(("kind", "folder", "key"), [
    ("person", "people", None), ("state", "states", None), ("body", "bodies", "type"),
    ("initiative", "initiatives", "status"),
])
def test_new_entity_writes_the_required_keys_and_passes_check(site: Path, kind: str, folder: str,
                                                               key: str | None) -> None:
    run = bw("new", kind, "Émile Zola Group", "--site", site)
    assert run.returncode == 0, run.stderr
    path = site / "content" / folder / "emile-zola-group.md"
    assert run.stdout.strip() == f"created content/{folder}/emile-zola-group.md"
    data = front_matter(path)
    assert data["name"] == "Émile Zola Group"
    if key:
        assert key in data
    code, items = check_json(site, "--strict")
    assert (code, items) == (0, [])


def test_new_person_refuses_to_overwrite_or_reuse_an_id(site: Path) -> None:
    assert bw("new", "person", "Emmanuel Macron", "--site", site).returncode == 0
    path = site / "content" / "people" / "emmanuel-macron.md"
    path.write_text(path.read_text("utf-8") + "My profile.\n", "utf-8")
    before = path.read_bytes()
    again = bw("new", "person", "Emmanuel Macron", "--site", site)
    assert again.returncode == 1
    assert "'emmanuel-macron' is already taken by content/people/emmanuel-macron.md" in again.stderr
    assert "nothing was written" in again.stderr and "--id" in again.stderr
    assert path.read_bytes() == before
    other_kind = bw("new", "state", "Emmanuel Macron", "--site", site)
    assert other_kind.returncode == 1 and not (site / "content" / "states" / "emmanuel-macron.md").exists()
    chosen = bw("new", "state", "Emmanuel Macron", "--id", "macron-state", "--site", site)
    assert chosen.returncode == 0 and (site / "content" / "states" / "macron-state.md").is_file()


def test_new_entity_refuses_names_it_cannot_make_an_id_from(site: Path) -> None:
    run = bw("new", "person", "Путин", "--site", site)
    assert run.returncode == 1 and "--id" in run.stderr
    assert bw("new", "person", "Путин", "--id", "vladimir-putin-ru", "--site", site).returncode == 0
    bad = bw("new", "person", "Someone", "--id", "Not An Id", "--site", site)
    assert bad.returncode == 1 and "lower-case" in bad.stderr
    assert bw("new", "person", "Index", "--site", site).returncode == 1


def test_new_runs_in_a_site_folder_only(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    run = bw("new", "person", "Someone", cwd=empty)
    assert run.returncode == 1 and "not a boardwatch site" in run.stderr and "new site" in run.stderr
    assert list(empty.iterdir()) == []
    missing = bw("new", "person", "Someone", "--site", tmp_path / "nowhere")
    assert missing.returncode == 2 and "does not exist" in missing.stderr


# -- new articles -------------------------------------------------------------------------------

def test_new_article_with_actors_and_initiative_passes_check_and_builds(site: Path, tmp_path: Path) -> None:
    title = 'Peskov: "no decision yet" on the board — #1 question?'
    run = bw("new", "article", title, "--actors", "dmitry-peskov,vladimir-putin", "--initiative", "board-of-peace",
             "--date", "2026-02-01", cwd=site)
    assert run.returncode == 0, run.stderr
    path = site / "content" / "articles" / "2026" / "peskov-no-decision-yet-on-the-board-1-question.md"
    assert run.stdout.strip() == "created " + path.relative_to(site).as_posix()
    data = front_matter(path)
    assert data == {"title": title, "date": dt.date(2026, 2, 1), "actors": ["dmitry-peskov", "vladimir-putin"],
                    "initiatives": ["board-of-peace"]}
    assert check_json(site, "--strict") == (0, [])
    built = bw("build", site, "--out", tmp_path / "out", "--no-search")
    assert built.returncode == 0, built.stderr
    article = page(tmp_path / "out", "articles/peskov-no-decision-yet-on-the-board-1-question.html")
    assert article.find("h1").text == title
    assert "../people/dmitry-peskov.html" in article.hrefs()


def test_new_article_is_dated_today_by_default(site: Path) -> None:
    before = dt.date.today()
    run = bw("new", "article", "Today's analysis", "--actors", "russia", "--site", site)
    after = dt.date.today()
    assert run.returncode == 0, run.stderr
    (path,) = [p for p in (site / "content" / "articles").rglob("todays-analysis.md")]
    data = front_matter(path)
    assert data["date"] in (before, after)
    assert path.parent.name == str(data["date"].year)  # type: ignore[union-attr]


def test_new_article_without_actors_passes_check_with_a_warning_only(site: Path) -> None:
    assert bw("new", "article", "An open question", "--site", site, "--date", "2026-02-02").returncode == 0
    code, items = check_json(site)
    assert code == 0 and [(d["code"], d["severity"]) for d in items] == [("BW309", "warning")]


def test_new_article_draft_is_left_out_of_builds(site: Path, tmp_path: Path) -> None:
    assert bw("new", "article", "Work in progress", "--actors", "russia", "--draft", "--date", "2026-02-02",
              "--site", site).returncode == 0
    assert front_matter(site / "content/articles/2026/work-in-progress.md")["draft"] is True
    assert check_json(site, "--strict") == (0, [])
    assert bw("build", site, "--out", tmp_path / "out", "--no-search").returncode == 0
    assert not (tmp_path / "out" / "articles" / "work-in-progress.html").exists()


@pytest.mark.parametrize(("args", "message"), [
    (("--actors", "vladimir-putn"), "unknown id 'vladimir-putn'"),
    (("--actors", "board-of-peace"), "'board-of-peace' is an initiative"),
    (("--initiative", "russia"), "'russia' is a state, not an initiative"),
    (("--initiative", "board-of-piece"), "did you mean 'board-of-peace'?"),
    (("--slug", "putin-invited"), "the slug 'putin-invited' is already taken by content/articles/putin-invited.md"),
    (("--slug", "Bad Slug"), "'Bad Slug' cannot be a slug"),
])
def test_new_article_refusals_write_nothing(site: Path, args: tuple[str, ...], message: str) -> None:
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    run = bw("new", "article", "Refused article", "--date", "2026-02-02", "--site", site, *args)
    assert run.returncode == 1
    assert message in run.stderr, run.stderr
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == before


def test_an_unknown_actor_suggests_the_nearest_id(site: Path) -> None:
    run = bw("new", "article", "Typo", "--actors", "russia,vladimir-putn", "--site", site)
    assert run.returncode == 1
    assert "did you mean 'vladimir-putin'?" in run.stderr and "content/people/" in run.stderr


def test_the_same_title_twice_is_refused(site: Path) -> None:
    args = ("new", "article", "Same title", "--actors", "russia", "--site", site)
    assert bw(*args, "--date", "2026-01-01").returncode == 0
    again = bw(*args, "--date", "2027-01-01")  # another year's folder: slugs are unique site-wide
    assert again.returncode == 1 and "already taken" in again.stderr
    assert not (site / "content" / "articles" / "2027").exists()
