"""The plan editor's live banner: what the draft adds up to and what is wrong with it,
in the advisor's words."""

from __future__ import annotations

from ui.context import AppContext
from workbench.i18n import _, format_money, ngettext
from workbench.plans.checks import DraftState

TONES = {"problem": "color: #b00020;", "note": "color: #8a4b00;", "fine": "color: #1b5e20;"}


def banner(state: DraftState, count: int, capacity: int | None,
           ctx: AppContext) -> tuple[str, str]:
    """(text, tone): problems first, then notes; the tone is a key of ``TONES``."""
    def money(amount: int) -> str:
        return format_money(amount, ctx.currency, ctx.locale)

    problems, notes = [], []
    if state.difference:
        problems.append(_("The instalments add up to {sum}, the arrears are {total} "
                          "(difference {difference}).").format(
            sum=money(state.scheduled), total=money(state.total),
            difference=money(state.difference)))
    else:
        notes.append(ngettext("{count} instalment adds up to the arrears, {total}.",
                              "{count} instalments add up to the arrears, {total}.",
                              count).format(count=count, total=money(state.total)))
    if state.out_of_order:
        problems.append(_("Dates out of order at instalment {numbers}.").format(
            numbers=", ".join(str(n + 1) for n in state.out_of_order)))
    if state.not_positive:
        problems.append(_("Instalments must be more than zero."))
    if state.above_capacity:
        notes.append(ngettext(
            "{count} instalment is above the payment capacity of {capacity}.",
            "{count} instalments are above the payment capacity of {capacity}.",
            len(state.above_capacity)).format(count=len(state.above_capacity),
                                              capacity=money(capacity or 0)))
    tone = "problem" if problems else "note" if state.above_capacity else "fine"
    return " ".join(problems + notes), tone
