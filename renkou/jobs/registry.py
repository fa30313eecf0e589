"""Job kinds and the functions that run them.

Feature apps register their handlers here (from their AppConfig.ready), so the
jobs app runs any kind of work without importing the apps that define it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from renkou.jobs.models import Job


class JobFailed(Exception):
    """A handler's expected failure: ``message`` is shown, ``problems`` become the error file."""

    def __init__(
        self, message: str, problems: list[list[str]] | None = None, header: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        self.header = header or []


@dataclass(frozen=True)
class Outcome:
    message: str
    result: dict[str, object]


Progress = Callable[[int, int, str], None]
Handler = Callable[["Job", Progress], Outcome]

_HANDLERS: dict[str, Handler] = {}


def register(kind: str) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        _HANDLERS[kind] = handler
        return handler

    return decorator


def handler_for(kind: str) -> Handler:
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise JobFailed(f"未知的任务类型：{kind}") from None
