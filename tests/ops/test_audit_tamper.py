"""The audit log cannot be changed from the application: every way around the model's own
refusal (base manager, raw SQL, upsert, INSERT OR REPLACE, save() with _state.adding, TRUNCATE)
is stopped by the database's triggers; on PostgreSQL the service's least-privilege role cannot
truncate, disable the triggers or switch off triggers with session_replication_role. Admin
changes to users, groups and permissions are audited."""

import os
import subprocess
import sys
import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from lifecircle.ops.access import Actor
from lifecircle.ops.audit import record
from lifecircle.store.org.models import AuditEntry


@pytest.fixture
def entry(demo):
    return record(
        Actor(demo.users["admin"]), "test.entry", demo.subdistrict, before=None, unit=None
    )


def refused(attempt) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        attempt()


def unchanged(entry: AuditEntry, count: int) -> None:
    row = AuditEntry._base_manager.get(pk=entry.pk)
    assert (row.note, row.action, AuditEntry._base_manager.count()) == ("", "test.entry", count)


def test_every_way_to_change_or_delete_an_audit_entry_is_refused_by_the_database(entry):
    count = AuditEntry._base_manager.count()
    table = AuditEntry._meta.db_table
    base = AuditEntry._base_manager.filter(pk=entry.pk)
    refused(lambda: base.update(note="changed"))
    refused(lambda: base.delete())
    refused(lambda: connection.cursor().execute(f"UPDATE {table} SET note = 'x'"))
    refused(lambda: connection.cursor().execute(f"DELETE FROM {table}"))
    twin = AuditEntry(
        pk=entry.pk,
        actor_label="x",
        action="test.entry",
        model="m",
        object_id="1",
        note="overwritten",
    )
    refused(
        lambda: AuditEntry._base_manager.bulk_create(
            [twin], update_conflicts=True, update_fields=["note"], unique_fields=["id"]
        )
    )

    def save_as_new() -> None:
        row = AuditEntry.objects.get(pk=entry.pk)
        row.note = "changed"
        row._state.adding = True  # past the model's own check
        row.save()

    refused(save_as_new)
    if connection.vendor == "sqlite":
        refused(
            lambda: connection.cursor().execute(
                f"INSERT OR REPLACE INTO {table} (id, at, actor_label, action, model, object_id,"
                f" note) VALUES ({entry.pk}, '2020-01-01', 'x', 'x', 'x', 'x', 'x')"
            )
        )
    else:

        def truncate() -> None:
            cursor = connection.cursor()
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks
            cursor.execute(f"TRUNCATE {table}")

        refused(truncate)
    unchanged(entry, count)
    # appending still works
    AuditEntry.objects.create(actor_label="x", action="test.more", model="m", object_id="2")
    assert AuditEntry._base_manager.count() == count + 1


def test_admin_changes_to_users_groups_and_permissions_are_audited(demo, as_user):
    from django.contrib.auth.models import Group, Permission

    admin = as_user("admin")
    permission = Permission.objects.get(codename="view_station")
    response = admin.post(
        "/admin/auth/group/add/", {"name": "窗口", "permissions": [permission.pk]}
    )
    assert response.status_code == 302, response.content[:1000]
    group = Group.objects.get(name="窗口")
    added = AuditEntry.objects.get(action="admin.add", model="auth.group")
    assert added.after["permissions"] == [permission.pk]  # many-to-many included

    user = demo.users["jumin1"]
    form = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "groups": [group.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = admin.post(f"/admin/auth/user/{user.pk}/change/", form)
    assert response.status_code == 302, response.content[:3000]
    changed = AuditEntry.objects.get(action="admin.change", model="auth.user")
    assert (changed.before["is_staff"], changed.after["is_staff"]) == (False, True)
    assert changed.after["groups"] == [group.pk]
    assert changed.after["password"] == "(hidden)"  # never the hash

    response = admin.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": "a-Long-new-passphrase-7", "password2": "a-Long-new-passphrase-7"},
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="admin.password", object_id=str(user.pk)).exists()


@pytest.fixture
def postgres_url():
    url = os.environ.get("LIFECIRCLE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("LIFECIRCLE_TEST_POSTGRES_URL 未设置 not set: no PostgreSQL to test against")
    return url


@pytest.mark.postgres
def test_the_app_role_cannot_truncate_disable_triggers_or_replicate(postgres_url):
    """`lifecircle db roles --create` on a migrated database, then connect as the app role."""
    import psycopg

    from lifecircle.store.org.roles import create_roles, plan_roles

    tag = uuid.uuid4().hex[:8]
    name = f"secure_roles_{tag}"
    base = postgres_url.rpartition("/")[0]
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    plan = plan_roles(name, owner=f"secure_owner_{tag}", app=f"secure_app_{tag}")
    try:
        env = {**os.environ, "LIFECIRCLE_DATABASE_URL": f"{base}/{name}"}
        env["DJANGO_SETTINGS_MODULE"] = "lifecircle.store.settings"
        done = subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--noinput"],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        create_roles(plan, f"{base}/{name}")
        host = base.rpartition("@")[2]
        app_url = f"postgresql://{plan.app}:{plan.app_password}@{host}/{name}"
        with psycopg.connect(app_url, autocommit=True) as app:
            assert app.execute("select current_user").fetchone()[0] == plan.app
            app.execute(
                "insert into org_auditentry (at, actor_label, action, model, object_id, note)"
                " values (now(), 'x', 'test', 'm', '1', '')"
            )
            attempts = [
                "TRUNCATE org_auditentry",
                "ALTER TABLE org_auditentry DISABLE TRIGGER ALL",
                "ALTER TABLE org_auditentry DISABLE TRIGGER org_auditentry_append_only",
                "DROP TRIGGER org_auditentry_append_only ON org_auditentry",
                "SET session_replication_role = replica",
                "UPDATE org_auditentry SET note = 'x'",
                "DELETE FROM org_auditentry",
                "CREATE OR REPLACE FUNCTION org_auditentry_append_only() RETURNS trigger"
                " AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql",
            ]
            for sql in attempts:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    app.execute(sql)
            # the service's ordinary work is allowed
            app.execute("update requests_servicerequest set version = version where false")
            assert app.execute("select count(*) from org_auditentry").fetchone()[0] == 1
        owner_url = f"postgresql://{plan.owner}:{plan.owner_password}@{host}/{name}"
        with psycopg.connect(owner_url, autocommit=True) as owner:  # the owner can migrate
            owner.execute("create table secure_probe (id int)")
            owner.execute("drop table secure_probe")
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for role in (plan.app, plan.owner):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')
