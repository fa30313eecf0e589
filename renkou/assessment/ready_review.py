from __future__ import annotations


def register() -> None:
    """Navigation entries, job kinds and demo seed steps of this half of the app."""
    from django.utils.translation import gettext_lazy as _

    from renkou import navigation
    from renkou.accounts.access import Cap
    from renkou.assessment.demo_review import seed_review
    from renkou.dashboard.demo import register_seed_step

    navigation.register(
        "assessment_published",
        _("考核结果"),
        "assessment:published_list",
        capability=Cap.VIEW_BUSINESS,
        order=51,
    )
    navigation.register(
        "assessment_pay", _("绩效挂钩"), "assessment:pay", capability=Cap.MANAGE_PAY, order=52
    )
    register_seed_step(seed_review, order=440)
