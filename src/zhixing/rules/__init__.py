"""Implements docs/rules.md (preamble): the vocabulary every rule module shares.

The law as pure functions. A rule never answers with a bare boolean but with
a Decision that carries its reasons, each naming the article it rests on, so
the same refusal reaches the page, the API and the audit log. Bad input is a RuleError whose message (str(e)) is Chinese and can be
shown to the user as it is.

Nothing in this package touches Django, the database, files, settings or the
clock: callers pass `today` and the court's settings in.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Decision", "Reason", "RuleError"]


@dataclass(frozen=True)
class Reason:
    """One ground of a decision: Chinese text and the article it rests on."""

    text: str
    basis: str = ""

    def __str__(self) -> str:
        return f"{self.text}（{self.basis}）" if self.basis else self.text


@dataclass(frozen=True)
class Decision:
    """An answer with its grounds; truthy when the thing is allowed."""

    ok: bool
    reasons: tuple[Reason, ...] = ()

    def __post_init__(self) -> None:
        # Accept any iterable of reasons (or plain strings) but store a tuple.
        reasons = tuple(r if isinstance(r, Reason) else Reason(str(r)) for r in self.reasons)
        object.__setattr__(self, "reasons", reasons)

    def __bool__(self) -> bool:
        return self.ok

    def explain(self) -> str:
        return "；".join(str(r) for r in self.reasons)

    @classmethod
    def allow(cls, *reasons: Reason | str) -> Decision:
        return cls(True, tuple(reasons))

    @classmethod
    def refuse(cls, *reasons: Reason | str) -> Decision:
        return cls(False, tuple(reasons))


class RuleError(ValueError):
    """Input a rule cannot judge; the message is Chinese and fit for the user."""
