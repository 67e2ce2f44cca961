"""PagePlan -> bytes: the `render` stage. Pure, so it can run in a worker process."""

from __future__ import annotations

from jinja2 import Environment, TemplateError, TemplateSyntaxError, UndefinedError

from . import urls
from .diagnostics import Diagnostic, Severity, Span
from .pages import PagePlan
from .views import SiteView


class RenderError(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def render(plan: PagePlan, env: Environment, site: SiteView) -> bytes:
    path = plan.path

    def url(target: str) -> str:
        return urls.relative(path, target)

    try:
        template = env.get_template(plan.template)
        html = template.render(page=plan.view, site=site, url=url, root=urls.root_prefix(path))
    except TemplateSyntaxError as exc:
        raise RenderError(_diagnostic(exc, exc.filename or exc.name or plan.template, exc.lineno, plan)) from exc
    except (UndefinedError, TemplateError) as exc:
        raise RenderError(_diagnostic(exc, *_template_location(exc, plan.template), plan)) from exc
    return html.encode("utf-8")


def _template_location(exc: BaseException, fallback: str) -> tuple[str, int]:
    tb = exc.__traceback__
    where = (fallback, 0)
    while tb is not None:
        frame = tb.tb_frame
        name = frame.f_globals.get("__jinja_template__")
        if name is not None:
            where = (name.filename or name.name or fallback, name.get_corresponding_lineno(tb.tb_lineno))
        tb = tb.tb_next
    return where


def _diagnostic(exc: BaseException, filename: str, line: int, plan: PagePlan) -> Diagnostic:
    return Diagnostic("BW601", Severity.ERROR, f"template error while rendering {plan.path}: {exc}",
                      Span(_display(filename), line or 0),
                      hint="fix the template; the variables a template receives are listed in docs/templates.md")


def _display(filename: str) -> str:
    marker = "/boardwatch/theme/"
    if marker in filename:
        return "(built-in theme) " + filename.split(marker, 1)[1]
    return filename
