"""Storage: piccolo tables, migrations, choosing and binding the database."""
