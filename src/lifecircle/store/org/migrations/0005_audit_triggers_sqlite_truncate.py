"""The audit log refuses changes in the database: SQLite triggers; PostgreSQL also on TRUNCATE."""

from django.db import migrations

from lifecircle.store.org import audit_triggers


def create(apps, schema_editor):
    for sql in audit_triggers.create_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = audit_triggers.drop_statements(vendor)
    if vendor == "postgresql":  # 0002 owns the row trigger
        statements = [s for s in statements if "no_truncate" in s]
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("org", "0004_hashed_keys_key_failures")]
    operations = [migrations.RunPython(create, drop)]
