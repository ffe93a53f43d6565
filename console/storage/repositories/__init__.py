"""Repositories: queries and writes over rows, returning domain objects."""
