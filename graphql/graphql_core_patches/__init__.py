"""Where Alur reaches into graphql-core's executor (checked by tests/test_library_patches.py)."""
