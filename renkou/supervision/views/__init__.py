"""Supervision pages, one module per area (checklists, plans, inspections, tasks, results)."""
