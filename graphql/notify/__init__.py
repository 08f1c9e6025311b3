"""Webhooks and notifications in GraphQL."""
