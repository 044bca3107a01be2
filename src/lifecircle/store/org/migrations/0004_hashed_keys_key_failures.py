"""Keys stored as SHA-256 and a prefix (existing keys hashed in place); failed key attempts."""

import hashlib

import django.utils.timezone
from django.db import migrations, models


def hash_existing(apps, schema_editor):
    ApiKey = apps.get_model("org", "ApiKey")
    for key in ApiKey.objects.all():
        key.key_hash = hashlib.sha256(key.key.encode()).hexdigest()
        key.prefix = key.key[:6]
        key.save(update_fields=["key_hash", "prefix"])


class Migration(migrations.Migration):
    dependencies = [("org", "0003_api_key_default")]
    operations = [
        migrations.AddField(
            model_name="apikey",
            name="key_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apikey",
            name="prefix",
            field=models.CharField(default="", editable=False, max_length=6),
            preserve_default=False,
        ),
        migrations.RunPython(hash_existing, migrations.RunPython.noop),
        migrations.RemoveField(model_name="apikey", name="key"),
        migrations.AlterField(
            model_name="apikey",
            name="key_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        migrations.CreateModel(
            name="KeyFailure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("ip", models.GenericIPAddressField(unpack_ipv4=True)),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "indexes": [models.Index(fields=["ip", "at"], name="org_keyfail_ip_d15eb5_idx")]
            },
        ),
    ]
