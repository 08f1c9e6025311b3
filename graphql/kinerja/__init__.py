"""Data kinerja in GraphQL: types, reads, mutations."""
