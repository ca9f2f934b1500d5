from django.db import migrations

from patientcap.ledger import pg


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("audit", "0002_lanes_and_guards")]

    operations = [migrations.RunPython(pg.install, pg.remove)]
