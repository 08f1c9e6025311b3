"""GraphQL for mutu baku in practice (issue 17): the figures for integrators. See README.md."""
