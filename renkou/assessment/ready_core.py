from __future__ import annotations


def register() -> None:
    """Navigation entries, job kinds and demo seed steps of this half of the app."""
    from django.utils.translation import gettext_lazy as _

    from renkou import navigation
    from renkou.accounts.access import Cap
    from renkou.assessment import runs
    from renkou.assessment.demo_core import seed_assessment
    from renkou.dashboard.demo import register_seed_step

    navigation.register(
        "assessment", _("年度考核"), "assessment:home", capability=Cap.VIEW_BUSINESS, order=50
    )
    runs.register()
    register_seed_step(seed_assessment, order=420)
