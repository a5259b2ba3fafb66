"""``cityhub programme``: the programme office from the shell (tasks, targets, registries,
reports, warnings, the leading group's report, incentives)."""

from __future__ import annotations

import typer

from cityhub.cli import (
    programme_cockpit,
    programme_incentives,
    programme_registries,
    programme_reports,
    programme_targets,
    programme_tasks,
)

programme_app = typer.Typer(
    help="Programme office: the policy's tasks and targets, registries, reports, incentives.",
    no_args_is_help=True,
)
programme_app.add_typer(programme_tasks.tasks_app, name="tasks")
programme_app.add_typer(programme_targets.targets_app, name="targets")
programme_app.add_typer(programme_registries.projects_app, name="projects")
programme_app.add_typer(programme_registries.parks_app, name="parks")
programme_app.add_typer(programme_registries.training_app, name="training")
programme_app.add_typer(programme_registries.talent_app, name="talent")
programme_app.add_typer(programme_reports.reports_app, name="reports")
programme_app.command("warnings")(programme_targets.warnings)
programme_app.add_typer(programme_cockpit.cockpit_app, name="cockpit")
programme_app.add_typer(programme_incentives.incentives_app, name="incentives")

__all__ = ["programme_app"]
