"""Django ORM models and migrations (SQLite by default, PostgreSQL by URL)."""
