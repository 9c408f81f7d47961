"""The committee's plans, activities and meetings as immutable facts. Pure: no I/O."""
