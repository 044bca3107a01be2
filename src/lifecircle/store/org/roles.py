"""Least privilege on PostgreSQL: an owner role that runs migrations and an app role for the
service, which can read and write rows but cannot truncate, alter tables, disable triggers or
replicate (so the audit log's triggers hold against the service itself).

The app role gets SELECT, INSERT, UPDATE, DELETE on the tables and USAGE on the sequences of
the `public` schema (and on those the owner creates later), but only SELECT and INSERT on the
audit log. It is not a superuser and owns nothing, so `ALTER TABLE … DISABLE TRIGGER`,
`TRUNCATE` and `SET session_replication_role` are refused.
"""

import secrets
from dataclasses import dataclass

from psycopg import sql

from lifecircle.store.org.audit_triggers import TABLE as AUDIT_TABLE


@dataclass(frozen=True)
class RolePlan:
    """The roles to create and the statements that create them (passwords included)."""

    database: str
    owner: str
    app: str
    owner_password: str
    app_password: str

    def statements(self) -> list[sql.Composed]:
        """SQL for a superuser, in order; run once after the first migration."""
        owner, app = sql.Identifier(self.owner), sql.Identifier(self.app)
        db = sql.Identifier(self.database)
        table = sql.Identifier(AUDIT_TABLE)
        return [
            sql.SQL(
                "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION"
                " NOBYPASSRLS PASSWORD {}"
            ).format(owner, sql.Literal(self.owner_password)),
            sql.SQL(
                "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION"
                " NOBYPASSRLS PASSWORD {}"
            ).format(app, sql.Literal(self.app_password)),
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(db, owner),
            sql.SQL("ALTER SCHEMA public OWNER TO {}").format(owner),
            sql.SQL(
                "DO $$ DECLARE r record; BEGIN"
                " FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP"
                " EXECUTE format('ALTER TABLE public.%I OWNER TO %I', r.tablename, {}); END LOOP;"
                " FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p"
                " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' LOOP"
                " EXECUTE format('ALTER FUNCTION %s OWNER TO %I', r.f, {}); END LOOP; END $$"
            ).format(sql.Literal(self.owner), sql.Literal(self.owner)),
            sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db),
            sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(db, app),
            sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(app),
            sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
            ).format(app),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(app),
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(table, app),
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public"
                " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
            ).format(owner, app),
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public"
                " GRANT USAGE, SELECT ON SEQUENCES TO {}"
            ).format(owner, app),
        ]


def plan_roles(
    database: str,
    owner: str = "lifecircle_owner",
    app: str = "lifecircle_app",
    owner_password: str | None = None,
    app_password: str | None = None,
) -> RolePlan:
    """The owner and app roles for `database`, with fresh random passwords unless given.

    Example
    -------
    >>> plan = plan_roles("lifecircle")
    >>> plan.app
    'lifecircle_app'
    """
    return RolePlan(
        database,
        owner,
        app,
        owner_password or secrets.token_urlsafe(18),
        app_password or secrets.token_urlsafe(18),
    )


def as_text(plan: RolePlan, connection) -> str:
    """The statements as SQL text (quoting needs a connection to know its encoding)."""
    return ";\n".join(s.as_string(connection) for s in plan.statements()) + ";"


def create_roles(plan: RolePlan, superuser_url: str) -> None:
    """Run the plan as a superuser on the database (migrated already), in one transaction."""
    import psycopg

    with psycopg.connect(superuser_url) as connection:
        with connection.transaction():
            for statement in plan.statements():
                connection.execute(statement)
