"""The GraphQL API: types, queries, mutations and subscriptions over the read models and the ledger."""
