from workbench.budget.model import Frequency
from workbench.cases import model
from workbench.labels import LABELS, label
from workbench.plans.model import Payer
from workbench.plans.tracking import InstalmentStatus, PlanStatus
from workbench.session import Role

ENUMS = [model.CaseStatus, model.ReferralSource, model.Reason, model.LandlordKind,
         model.MemberRole, model.ArrearsComponent, model.DebtKind, model.BenefitKind,
         model.BenefitStatus, model.DecisionKind, model.ConsentParty, model.ConsentMethod,
         model.Channel, model.Outcome, Role, Frequency, Payer, PlanStatus, InstalmentStatus]


def test_every_code_has_a_label():
    missing = [f"{enum.__name__}.{m.name}" for enum in ENUMS for m in enum
               if m not in LABELS.get(enum, {})]
    assert missing == []


def test_codes_shared_by_several_enums_keep_their_own_labels():
    assert label(model.Reason.OTHER) == "Other reason"
    assert label(model.ConsentParty.OTHER) == "Other party"
    assert label(model.DebtKind.OTHER) == "Other debt"


def test_labels_follow_the_language():
    from workbench.i18n import set_language

    set_language("da")
    assert label(model.Channel.HOME_VISIT) != "Home visit"
    set_language("en")
    assert label(model.Channel.HOME_VISIT) == "Home visit"
