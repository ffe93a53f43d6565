"""SQLAlchemy rows, repositories returning domain objects, and migrations."""
