"""Load the 32 London boroughs and the City of London from the ONS-derived reference file."""

from django.db import migrations


def load_boroughs(apps, schema_editor):
    from lantern.organisations.selectors import london_borough_rows

    Borough = apps.get_model("organisations", "Borough")
    for row in london_borough_rows():
        Borough.objects.update_or_create(
            ons_code=row["ons_code"],
            defaults={
                "name": row["name"],
                "population_total": int(row["population_total"]),
                "population_0_17": int(row["population_0_17"]),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(load_boroughs, migrations.RunPython.noop)]
