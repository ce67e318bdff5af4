from django.db import migrations, models
from django.db.models import Q


def mark_existing(apps, schema_editor):
    """Lines held before these fields: API lines are known by their source, 'api:AGENCY:NAME';
    a line cut short, or kept with U+FFFD in it (bytes may have been replaced), is not offered again."""
    HeldLine = apps.get_model("intake", "HeldLine")
    for line in HeldLine.objects.filter(source__startswith="api:").only("source").iterator():
        HeldLine.objects.filter(pk=line.pk).update(feed_agency=line.source.split(":")[1][:60])
    HeldLine.objects.filter(Q(raw_truncated=True) | Q(raw__contains="\ufffd")).update(retriable=False)


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0004_held_lines_resolution_and_last_run'),
    ]

    operations = [
        migrations.AddField(
            model_name='heldline',
            name='feed_agency',
            field=models.CharField(blank=True, help_text='The one agency the feed that sent it may write, for API lines', max_length=60),
        ),
        migrations.AddField(
            model_name='heldline',
            name='retriable',
            field=models.BooleanField(default=True, help_text='Kept as sent, so it can be offered again'),
        ),
        migrations.RunPython(mark_existing, migrations.RunPython.noop),
    ]
