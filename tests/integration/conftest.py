"""Fixtures of the integration tests: the GraphQL runners (in process and over HTTP)."""

from tests.integration.graphql_support import api, client

__all__ = ["api", "client"]
