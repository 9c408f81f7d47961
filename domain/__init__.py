"""The committee's plans, activities and meetings as immutable facts. Pure: no I/O.

Stored events name their classes by topic ("module:Class"). A module that moves keeps its old
name readable here, so every event ever stored still loads: `domain.ledger` became `domain.facts`.
"""

from eventsourcing.utils import register_topic

from domain import facts

register_topic("domain.ledger", facts)
