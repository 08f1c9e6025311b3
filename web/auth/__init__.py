"""Signing in and out; sessions kept in the database."""
