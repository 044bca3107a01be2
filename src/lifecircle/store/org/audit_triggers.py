"""The database itself refuses to change the audit log: triggers on SQLite and PostgreSQL.

SQLite: UPDATE and DELETE abort, and so does an INSERT that would replace an existing row
(`INSERT OR REPLACE`, `ON CONFLICT DO UPDATE`). PostgreSQL: UPDATE and DELETE per row and
TRUNCATE per statement raise. Only the table's owner can drop or disable the triggers; the
service's own role is not the owner (see `lifecircle.store.org.roles`).
"""

TABLE = "org_auditentry"
MESSAGE = "audit log is append-only (审计日志只能追加)"

SQLITE_CREATE = [
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_replace BEFORE INSERT ON {TABLE} "
    f"WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id) "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_{name}" for name in ("no_update", "no_delete", "no_replace")
]

POSTGRES_CREATE = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}';
END;
$$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()",
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
]


def create_statements(vendor: str) -> list[str]:
    """SQL that installs the triggers on this database vendor ("sqlite" or "postgresql")."""
    return {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor, [])


def drop_statements(vendor: str) -> list[str]:
    """SQL that removes the triggers (the owner only: migrations backwards, test resets)."""
    return {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, [])
