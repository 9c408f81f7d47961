"""Wires the domain, the event store and the read side into a service and a CLI."""
