"""PagePlan -> bytes: the `render` stage. Pure, so it can run in a worker process."""

from __future__ import annotations

import _thread
import dataclasses
import functools
from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment, TemplateSyntaxError
from markupsafe import Markup

from . import urls
from .diagnostics import Diagnostic, Severity, Span
from .markup import Renderer, Target
from .pages import PagePlan
from .views import SiteView


class RenderError(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclasses.dataclass(frozen=True, slots=True)
class LinkTarget:
    name: str
    path: str  # site path of the entity's page
    kind: str


@functools.lru_cache(maxsize=2)
def _renderer(names: tuple[tuple[str, str], ...], autolink: bool, thread: int) -> Renderer:
    """One Markdown renderer per names table and thread (a renderer is not thread-safe) in a
    process: setting one up (Python-Markdown's processors, the autolink pattern of every name)
    is done once however many builds the process runs (serve). Each render starts from a
    reset renderer (see Renderer.render), as each page of a build always did."""
    return Renderer(names, autolink=autolink)


class RenderContext:
    """What every page render needs besides its plan. One per process: the Markdown renderer
    it holds is stateful, and the Jinja environment caches compiled templates."""

    def __init__(self, env: Environment, site: SiteView, names: Sequence[tuple[str, str]],
                 targets: Mapping[str, LinkTarget], *, autolink: bool = True) -> None:
        self.env = env
        self.site = site
        self.targets = targets
        self.renderer = _renderer(tuple((name, i) for name, i in names), autolink, _thread.get_ident())

    def markdown(self, text: str, from_path: str, self_id: str = "") -> Markup:
        targets = self.targets

        def lookup(entity_id: str) -> Target | None:
            target = targets.get(entity_id)
            if target is None:
                return None
            return Target(target.name, urls.relative(from_path, target.path), target.kind)

        return Markup(self.renderer.render(text, lookup, self_id=self_id))


def render(plan: PagePlan, ctx: RenderContext) -> bytes:
    path = plan.path
    view = plan.view
    if plan.markdown is not None:
        html = ctx.markdown(plan.markdown.text, path, plan.markdown.self_id)
        # The field is named at run time, so its type cannot be checked here (pages.Markdown says which).
        changes: dict[str, Any] = {plan.markdown.field: html}
        view = dataclasses.replace(view, **changes)

    link_base = view.link_base
    if link_base:  # a page shown at any depth (404): links start from the site's root URL
        def url(target: str) -> str:
            return link_base + target
    else:
        def url(target: str) -> str:
            return urls.relative(path, target)

    try:
        template = ctx.env.get_template(plan.template)
        out = template.render(page=view, site=ctx.site, url=url, root=urls.root_prefix(path))
    except TemplateSyntaxError as exc:
        raise RenderError(_diagnostic(exc, exc.filename or exc.name or plan.template, exc.lineno, plan)) from exc
    except Exception as exc:  # noqa: BLE001 - any error raised while a template runs is a template error
        raise RenderError(_diagnostic(exc, *_template_location(exc, plan.template), plan)) from exc
    return out.encode("utf-8")


def _template_location(exc: BaseException, fallback: str) -> tuple[str, int]:
    tb = exc.__traceback__
    where = (fallback, 0)
    while tb is not None:
        frame = tb.tb_frame
        name = frame.f_globals.get("__jinja_template__")
        if name is not None:
            where = (name.filename or name.name or fallback, name.get_corresponding_lineno(tb.tb_lineno))
        elif "__jinja_exception__" in frame.f_globals:  # a frame Jinja rewrote to the template's file and line
            where = (frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return where


def _diagnostic(exc: BaseException, filename: str, line: int, plan: PagePlan) -> Diagnostic:
    message = str(exc) if not isinstance(exc, (TypeError, ValueError, KeyError, AttributeError)) else \
        f"{type(exc).__name__}: {exc}"
    return Diagnostic("BW601", Severity.ERROR, f"template error while rendering {plan.path}: {message}",
                      Span(_display(filename), line or 0),
                      hint="fix the template; the variables a template receives are listed in docs/templates.md")


def _display(filename: str) -> str:
    """The template's path as a site path (``templates/article.html``), or the theme's name."""
    filename = filename.replace("\\", "/")
    marker = "/boardwatch/theme/"
    if marker in filename:
        return "(built-in theme) " + filename.split(marker, 1)[1]
    site = filename.rfind("/templates/")
    if site >= 0:
        return filename[site + 1:]
    return filename
