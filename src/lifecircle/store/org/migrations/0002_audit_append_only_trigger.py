"""On PostgreSQL, refuse UPDATE and DELETE on the audit log inside the database too."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION org_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only (审计日志只能追加)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER org_auditentry_append_only
    BEFORE UPDATE OR DELETE ON org_auditentry
    FOR EACH ROW EXECUTE FUNCTION org_auditentry_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS org_auditentry_append_only ON org_auditentry;
DROP FUNCTION IF EXISTS org_auditentry_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
