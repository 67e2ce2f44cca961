"""Boardwatch: a static site generator for news analysis.

Public API: :func:`build`, :func:`check`, :class:`BuildResult`, :class:`Diagnostic`,
:class:`Severity`, :class:`BoardwatchError`, :class:`ContentErrors`.
"""

__version__ = "0.1.0"

from .build import BoardwatchError, BuildResult, ContentErrors, OutputError, build, check  # noqa: E402
from .diagnostics import Diagnostic, Severity  # noqa: E402

__all__ = ["BoardwatchError", "BuildResult", "ContentErrors", "Diagnostic", "OutputError", "Severity",
           "__version__", "build", "check"]
