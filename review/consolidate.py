"""The program manager's consolidation: every reviewer's items with a priority and an effort
(the shipped table, overridden per code by the course), in a suggested order, with totals.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinyrelease.review.model import REVIEWERS, Item, Priority, Report

ORDER = list(REVIEWERS)


@dataclass
class Plan:
    """The consolidated report: ordered action items, effort totals and the approvals."""

    reports: list[Report]
    items: list[Item]

    @property
    def approvals(self) -> dict[str, bool]:
        return {r.reviewer: r.approved for r in self.reports}

    @property
    def approved(self) -> bool:
        return all(self.approvals.values())

    def effort(self, priority: Priority | None = None) -> float:
        return sum(i.effort or 0.0 for i in self.items
                   if priority is None or i.priority is priority)

    def count(self, priority: Priority) -> int:
        return sum(1 for i in self.items if i.priority is priority)


def consolidate(reports: list[Report], effort: dict[str, float]) -> Plan:
    """Settle every item's priority and effort and order them: blockers (HIGH) first, and
    within a priority the cheapest first, so approvals flip as early as possible."""
    for report in reports:
        report.items = [item.settled(effort) for item in report.items]
    items = sorted((i for r in reports for i in r.items), key=_order)
    return Plan(sorted(reports, key=lambda r: ORDER.index(r.reviewer)), items)


def _order(item: Item) -> tuple[object, ...]:
    priority = item.priority or item.info.priority
    return (priority.rank, item.effort or 0.0, ORDER.index(item.reviewer), item.module or "~",
            item.path or "", item.line or 0, item.code)
