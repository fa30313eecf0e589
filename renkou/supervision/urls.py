from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from renkou.supervision.views import checklists, inspections, plans, results, tasks

app_name = "supervision"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", results.home, name="home"),
    # Checklists
    path("checklists/", checklists.template_list, name="templates"),
    path("checklists/new/", checklists.template_new, name="template_new"),
    path("checklists/import/", checklists.template_import, name="template_import"),
    path("checklists/<int:pk>/", checklists.template_detail, name="template"),
    path("checklists/<int:pk>/edit/", checklists.template_edit, name="template_edit"),
    path("checklists/<int:pk>/publish/", checklists.template_publish, name="template_publish"),
    path("checklists/<int:pk>/copy/", checklists.template_copy, name="template_copy"),
    path(
        "checklists/<int:pk>/export.<str:fmt>",
        checklists.template_export,
        name="template_export",
    ),
    path("checklists/<int:pk>/items/new/", checklists.item_new, name="item_new"),
    path("checklists/<int:pk>/items/<int:item_pk>/edit/", checklists.item_edit, name="item_edit"),
    path(
        "checklists/<int:pk>/items/<int:item_pk>/delete/",
        checklists.item_delete,
        name="item_delete",
    ),
    # Plans
    path("plans/", plans.plan_list, name="plans"),
    path("plans/new/", plans.plan_new, name="plan_new"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/teams/new/", plans.team_new, name="team_new"),
    path("plans/<int:pk>/teams/<int:team_pk>/edit/", plans.team_edit, name="team_edit"),
    path("plans/<int:pk>/teams/<int:team_pk>/delete/", plans.team_delete, name="team_delete"),
    path("plans/<int:pk>/units/add/", plans.units_add, name="units_add"),
    path("plans/<int:pk>/units/assign/", plans.units_assign, name="units_assign"),
    path("plans/<int:pk>/units/<int:unit_pk>/remove/", plans.unit_remove, name="unit_remove"),
    path("plans/<int:pk>/sample/", plans.sample_draw, name="sample_draw"),
    path("plans/<int:pk>/sample/verify/", plans.sample_verify, name="sample_verify"),
    path("plans/<int:pk>/publish/", plans.plan_publish, name="plan_publish"),
    path("plans/<int:pk>/close/", plans.plan_close, name="plan_close"),
    path("plans/<int:pk>/results/", results.plan_results, name="results"),
    path("plans/<int:pk>/bulletin.<str:fmt_name>", results.bulletin_file, name="bulletin"),
    path("visits/<int:pk>/start/", plans.start_inspection, name="start"),
    # Inspections
    path("mine/", inspections.mine, name="mine"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/sync/", inspections.inspection_sync, name="inspection_sync"),
    path("inspections/<int:pk>/photos/", inspections.inspection_photo, name="inspection_photo"),
    path(
        "inspections/<int:pk>/acknowledge/",
        inspections.inspection_acknowledge,
        name="inspection_acknowledge",
    ),
    path("inspections/<int:pk>/reopen/", inspections.inspection_reopen, name="inspection_reopen"),
    path("inspections/<int:pk>/tasks/", inspections.open_task, name="open_task"),
    # Rectification
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task"),
    path("tasks/<int:pk>/evidence/", tasks.task_evidence, name="task_evidence"),
    path("tasks/<int:pk>/done/", tasks.task_done, name="task_done"),
    path("tasks/<int:pk>/verify/", tasks.task_verify, name="task_verify"),
    path("tasks/<int:pk>/reopen/", tasks.task_reopen, name="task_reopen"),
    path("files/<int:pk>/", tasks.file_view, name="file"),
    # Results over the year
    path("results/", results.year_results, name="year"),
]
