import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BATCH = 2000


def confidence_to_score(apps, schema_editor):
    """Groups kept their confidence (0–1); the product now shows one 相似度 (0–100)."""
    DuplicateGroup = apps.get_model("dedup", "DuplicateGroup")
    for group in DuplicateGroup.objects.only("pk", "confidence").iterator(chunk_size=BATCH):
        DuplicateGroup.objects.filter(pk=group.pk).update(score=round(group.confidence * 100))


def rebuild_keys(apps, schema_editor):
    """Every customer's keys as keys.keys_for now derives them: cores read as simplified,
    the reversed core, place and branch."""
    from kehu.dedup.keys import keys_for

    Customer = apps.get_model("customers", "Customer")
    Contact = apps.get_model("customers", "Contact")
    DedupKey = apps.get_model("dedup", "DedupKey")
    last = 0
    while True:
        customers = list(Customer.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not customers:
            return
        last = customers[-1].pk
        ids = [c.pk for c in customers]
        contacts: dict[int, list] = {}
        for contact in Contact.objects.filter(customer_id__in=ids).only(
            "customer_id", "mobile", "email"
        ):
            contacts.setdefault(contact.customer_id, []).append(contact)
        DedupKey.objects.filter(customer_id__in=ids).delete()
        DedupKey.objects.bulk_create(
            [
                DedupKey(customer_id=c.pk, kind=kind, value=value)
                for c in customers
                for kind, value in keys_for(c, contacts.get(c.pk, []))
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0007_owner_sort_indexes"),
        ("dedup", "0002_key_byte_collation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DedupPolicy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "phone",
                    models.CharField(
                        choices=[("block", "禁止重复创建"), ("warn", "强提醒（填写原因后可创建）")],
                        default="block",
                        max_length=10,
                        verbose_name="手机号相同",
                    ),
                ),
                (
                    "email",
                    models.CharField(
                        choices=[("block", "禁止重复创建"), ("warn", "强提醒（填写原因后可创建）")],
                        default="block",
                        max_length=10,
                        verbose_name="邮箱相同",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="修改时间")),
            ],
            options={
                "verbose_name": "查重规则",
                "verbose_name_plural": "查重规则",
            },
        ),
        migrations.CreateModel(
            name="PairDecision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("entry", "录入时仍然创建"),
                            ("override", "录入时说明原因后创建"),
                            ("review", "查重审核：不是重复"),
                        ],
                        max_length=10,
                        verbose_name="来源",
                    ),
                ),
                ("signals", models.JSONField(default=list, verbose_name="当时的依据")),
                ("score", models.PositiveSmallIntegerField(default=0, verbose_name="当时的相似度")),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="原因")),
                ("decided_at", models.DateTimeField(auto_now=True, verbose_name="判定时间")),
            ],
            options={
                "verbose_name": "不是重复的判定",
                "verbose_name_plural": "不是重复的判定",
                "ordering": ["-decided_at"],
            },
        ),
        migrations.AlterModelOptions(
            name="duplicategroup",
            options={
                "ordering": ["-score", "id"],
                "verbose_name": "重复组",
                "verbose_name_plural": "重复组",
            },
        ),
        migrations.RemoveIndex(
            model_name="duplicategroup",
            name="dup_group_status_idx",
        ),
        migrations.AddField(
            model_name="duplicategroup",
            name="score",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="相似度"),
        ),
        migrations.RunPython(confidence_to_score, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="duplicategroup",
            name="confidence",
        ),
        migrations.AlterField(
            model_name="dedupkey",
            name="kind",
            field=models.CharField(
                choices=[
                    ("uscc", "统一社会信用代码"),
                    ("phone", "手机号"),
                    ("email", "邮箱"),
                    ("name", "名称核心"),
                    ("person", "姓名+手机号"),
                    ("name_rev", "名称核心（倒序）"),
                    ("place", "所在地"),
                    ("branch", "分支机构"),
                ],
                max_length=10,
                verbose_name="类型",
            ),
        ),
        migrations.AddIndex(
            model_name="duplicategroup",
            index=models.Index(fields=["status", "-score", "id"], name="dup_group_status_idx"),
        ),
        migrations.AddField(
            model_name="deduppolicy",
            name="updated_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="修改人",
            ),
        ),
        migrations.AddField(
            model_name="pairdecision",
            name="decided_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="判定人",
            ),
        ),
        migrations.AddField(
            model_name="pairdecision",
            name="first",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="customers.customer",
            ),
        ),
        migrations.AddField(
            model_name="pairdecision",
            name="second",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="customers.customer",
            ),
        ),
        migrations.AddIndex(
            model_name="pairdecision",
            index=models.Index(fields=["second", "first"], name="dedup_decision_second_idx"),
        ),
        migrations.AddConstraint(
            model_name="pairdecision",
            constraint=models.UniqueConstraint(
                fields=("first", "second"), name="dedup_decision_pair"
            ),
        ),
        migrations.AddConstraint(
            model_name="pairdecision",
            constraint=models.CheckConstraint(
                condition=models.Q(("first__lt", models.F("second"))), name="dedup_decision_order"
            ),
        ),
        migrations.RunPython(rebuild_keys, migrations.RunPython.noop),
    ]
