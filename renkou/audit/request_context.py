"""The client address of the request being served, for the audit trail.

Actions take ``acting_user`` but not the request; the address is carried here
(set by middleware, one value per thread or task) so every audit row gets it
without threading the request through each action.
"""

from __future__ import annotations

from contextvars import ContextVar

_client_ip: ContextVar[str | None] = ContextVar("renkou_client_ip", default=None)


def current_ip() -> str | None:
    return _client_ip.get()


def set_current_ip(ip: str | None) -> object:
    return _client_ip.set(ip)


def reset_current_ip(token: object) -> None:
    _client_ip.reset(token)  # type: ignore[arg-type]
