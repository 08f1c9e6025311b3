"""SOP definitions in GraphQL."""
