"""The case's lists: what each shows, which fields its form has, and its extra actions."""

from __future__ import annotations

from datetime import date

from ui.case_editor.record_page import Action, Field, RecordKind
from ui.fields import DateEditor, DateTimeEditor, EnumEditor, IntEditor, NoteEditor, TextEditor
from workbench.cases.model import (
    AuthorityDecision,
    Benefit,
    BenefitKind,
    BenefitStatus,
    Channel,
    Consent,
    ConsentMethod,
    ConsentParty,
    Contact,
    DecisionKind,
    FollowUp,
    Referral,
)
from workbench.i18n import N_

CONTACTS = RecordKind(
    Contact, N_("Contacts"),
    [Field("at", N_("Date"), lambda ctx: DateTimeEditor(ctx.locale)),
     Field("channel", N_("Channel"), lambda ctx: EnumEditor(Channel)),
     Field("minutes", N_("Minutes"), lambda ctx: IntEditor(0, 1440)),
     Field("topic", N_("Topic"), lambda ctx: TextEditor()),
     Field("note", N_("Note"), lambda ctx: NoteEditor())],
    records=lambda file: file.contacts,
    defaults=lambda file: {"minutes": 10, "channel": Channel.PHONE},
    focus="channel")

CONSENTS = RecordKind(
    Consent, N_("Consents"),
    [Field("party", N_("With whom"), lambda ctx: EnumEditor(ConsentParty)),
     Field("scope", N_("What may be shared"), lambda ctx: TextEditor()),
     Field("method", N_("How given"), lambda ctx: EnumEditor(ConsentMethod)),
     Field("given_on", N_("Given"), lambda ctx: DateEditor(ctx.locale, required=True)),
     Field("withdrawn_on", N_("Withdrawn"), lambda ctx: DateEditor(ctx.locale))],
    records=lambda file: file.consents,
    defaults=lambda file: {"given_on": date.today()},
    actions=[Action(N_("Withdraw consent"),
                    lambda ctx, consent: ctx.cases.withdraw_consent(consent.id),
                    enabled=lambda consent: consent.withdrawn_on is None)])

BENEFITS = RecordKind(
    Benefit, N_("Benefits"),
    [Field("kind", N_("Benefit"), lambda ctx: EnumEditor(BenefitKind)),
     Field("status", N_("Status"), lambda ctx: EnumEditor(BenefitStatus)),
     Field("decided_on", N_("Decided"), lambda ctx: DateEditor(ctx.locale)),
     Field("note", N_("Note"), lambda ctx: TextEditor())],
    records=lambda file: file.benefits)

DECISIONS = RecordKind(
    AuthorityDecision, N_("Authority decisions"),
    [Field("kind", N_("Decision"), lambda ctx: EnumEditor(DecisionKind)),
     Field("event_date", N_("Date"), lambda ctx: DateEditor(ctx.locale, required=True)),
     Field("note", N_("Note"), lambda ctx: TextEditor())],
    records=lambda file: file.decisions)

REFERRALS = RecordKind(
    Referral, N_("Referrals"),
    [Field("partner", N_("Referred to"), lambda ctx: TextEditor(required=True)),
     Field("referred_on", N_("Date"), lambda ctx: DateEditor(ctx.locale, required=True)),
     Field("result", N_("Result"), lambda ctx: TextEditor())],
    records=lambda file: file.referrals,
    defaults=lambda file: {"referred_on": date.today()})

FOLLOWUPS = RecordKind(
    FollowUp, N_("Follow-ups"),
    [Field("task", N_("Task"), lambda ctx: TextEditor(required=True)),
     Field("due_on", N_("Due"), lambda ctx: DateEditor(ctx.locale, required=True)),
     Field("done_on", N_("Done"), lambda ctx: DateEditor(ctx.locale))],
    records=lambda file: file.followups,
    actions=[Action(N_("Mark done"),
                    lambda ctx, task: ctx.cases.complete_followup(task.id),
                    enabled=lambda task: task.done_on is None)])
