"""Office administration and platform operator pages."""
