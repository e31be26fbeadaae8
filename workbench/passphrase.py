"""How strong a passphrase is, in words the user's language has (zxcvbn estimates it)."""

from __future__ import annotations

from dataclasses import dataclass

from zxcvbn import zxcvbn

from workbench.errors import ValidationError
from workbench.i18n import N_, _

VERDICTS = (N_("Very weak"), N_("Weak"), N_("Fair"), N_("Strong"), N_("Very strong"))
ADVICE = (N_("Easy to guess. Use four or five words that do not belong together."),
          N_("Easy to guess. Add more words."),
          N_("Could be guessed with effort. Another word would help."),
          N_("Good."),
          N_("Excellent."))
ACCEPTABLE_SCORE = 2


@dataclass(frozen=True)
class Strength:
    score: int  # 0 (very weak) to 4 (very strong)

    @property
    def verdict(self) -> str:
        return _(VERDICTS[self.score])

    @property
    def advice(self) -> str:
        return _(ADVICE[self.score])

    @property
    def acceptable(self) -> bool:
        return self.score >= ACCEPTABLE_SCORE


def strength(passphrase: str, user_inputs: tuple[str, ...] = ()) -> Strength:
    """Estimate the strength; ``user_inputs`` (user and organisation names) count as weak."""
    if not passphrase:
        return Strength(0)
    # zxcvbn is quadratic in length; the first 100 characters say enough.
    return Strength(zxcvbn(passphrase[:100], user_inputs=list(user_inputs))["score"])


class TooWeak(ValidationError):
    template = N_("Choose a stronger passphrase. {advice}")


def require_strong(passphrase: str, user_inputs: tuple[str, ...] = ()) -> None:
    """Refuse what the strength meter calls weak: the same rule in the set-up wizard, in
    Settings and at the command line."""
    verdict = strength(passphrase, user_inputs)
    if not verdict.acceptable:
        raise TooWeak(advice=ADVICE[verdict.score])
