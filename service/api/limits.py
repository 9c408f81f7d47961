"""Limits on what one document may ask for, each refused with an error naming the limit.

Tokens, depth and aliases are bounded before validation, with the size of the document once its
fragments are expanded (service.api.documents). The cost is this module's: every field costs 1,
times how many of it the lists above it may return (a list's `first` or `last`, else an estimate of
how long such a list gets), so a document that multiplies lists is refused before it runs,
whatever its depth. A fragment's cost is computed once per type it is spread on (a cost is linear
in the multiplier), so fragments that spread the next one twice cost a step each, not 2^n.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
)

MAX_DEPTH = 15
MAX_ALIASES = 30
MAX_TOKENS = 5_000
MAX_COST = 250_000

#: how many items a list field ("Type.field", else "field") is assumed to return when no `first` (or `last`) says
LIST_SIZES = {
    "plans": 20,
    "activities": 300,
    "strategies": 10,
    "milestones": 5,
    "risks": 5,
    "Query.milestones": 1000,
    "Query.risks": 1000,
    "Query.actionItems": 1000,
    "Risk.history": 5,
    "Milestone.reschedules": 3,
    "resolutions": 20,
    "actionItems": 5,
    "attendance": 40,
    "edges": 1,  # a connection's size is its `first` (or default page), counted at the connection field
}
#: connections: their default page when neither `first` nor `last` is given (what the resolvers use)
PAGES = {"history": 50, "events": 50, "meetings": 20}
DEFAULT_LIST = 20


def _unwrap(kind: Any) -> Any:
    return kind.of_type if isinstance(kind, GraphQLNonNull) else kind


class CostLimit(ValidationRule):
    """Refuses an operation whose estimated cost is over MAX_COST."""

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        #: (fragment, parent type) -> the fragment's cost at multiplier 1; None while it is counted
        self._fragments: dict[tuple[str, str], int | None] = {}

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        schema = self.context.schema
        root = {
            "query": schema.query_type,
            "mutation": schema.mutation_type,
            "subscription": schema.subscription_type,
        }[node.operation.value]
        cost = self._cost(node.selection_set, root)
        if cost > MAX_COST:
            self.report_error(
                GraphQLError(
                    f"the query's estimated cost {cost:,} is over the limit of {MAX_COST:,} "
                    "(each field counts once per item of the lists above it): ask for fewer fields, "
                    "or smaller pages with `first`",
                    node,
                    extensions={"code": "COST_LIMIT", "limit": MAX_COST, "cost": cost},
                )
            )

    def _cost(self, selections: SelectionSetNode | None, parent: Any) -> int:
        """The cost of a selection set at multiplier 1 (at multiplier m it is m times that)."""
        if selections is None or parent is None:
            return 0
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                fields = getattr(parent, "fields", {})
                definition = fields.get(selection.name.value)
                if definition is None:
                    continue
                kind = _unwrap(definition.type)
                size = self._size(selection, kind, parent.name)
                total += 1 + size * self._cost(selection.selection_set, get_named_type(kind))
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition is not None:
                    target = self.context.schema.get_type(selection.type_condition.name.value) or parent
                total += self._cost(selection.selection_set, target)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value, parent)
            if total > MAX_COST * 10:
                return total  # far over already: stop counting
        return total

    def _fragment(self, name: str, parent: Any) -> int:
        key = (name, parent.name)
        if key in self._fragments:
            return self._fragments[key] or 0  # None: a fragment within itself (validation says so)
        fragment = self.context.get_fragment(name)
        if fragment is None:
            return 0
        self._fragments[key] = None
        target = self.context.schema.get_type(fragment.type_condition.name.value) or parent
        cost = self._fragments[key] = self._cost(fragment.selection_set, target)
        return cost

    @staticmethod
    def _size(node: FieldNode, kind: Any, parent: str) -> int:
        name = node.name.value
        page = next((a.value for a in node.arguments or () if a.name.value in ("first", "last")), None)
        if isinstance(page, IntValueNode):
            return max(1, int(page.value))
        if page is not None:  # a variable: assume the largest page
            return 500
        if isinstance(kind, GraphQLList):
            return LIST_SIZES.get(f"{parent}.{name}", LIST_SIZES.get(name, DEFAULT_LIST))
        if get_named_type(kind).name.endswith("Connection"):
            return PAGES.get(name, DEFAULT_LIST)
        return 1
