"""Demo offices and sample data kinerja (never imported by the domain code)."""
