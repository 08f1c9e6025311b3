"""Where Alur reaches into piccolo's internals (kept here, checked by tests/test_library_patches.py)."""
