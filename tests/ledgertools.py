"""Small helpers shared by the plugin tests: load a docstring ledger, find a line."""

from __future__ import annotations

from typing import Any

from beancount import loader


def plugin_errors(text: str, types: tuple[type, ...]) -> list[Any]:
    """Load ``text``; return the errors of ``types``, asserting there are no others."""
    _, errors, _ = loader.load_string(text)
    ours = [e for e in errors if isinstance(e, types)]
    others = [e for e in errors if not isinstance(e, types)]
    assert not others, others
    return ours


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """The 1-based number of the ``nth`` line of ``text`` containing ``needle`` (-1: the last)."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert found, needle
    return found[nth]


def only(errors: list[Any]) -> Any:
    """The one error in ``errors``."""
    assert len(errors) == 1, [e.message for e in errors]
    return errors[0]
