from django.db import migrations, models


class Migration(migrations.Migration):
    """A reminder's mark keeps the address its first message went to: an email or, now that
    reminders go by SMS and WhatsApp, a mobile number."""

    dependencies = [
        ("recordatorios", "0002_plantillas_y_mensajes"),
    ]

    operations = [
        migrations.RenameField(model_name="recordatorio", old_name="email", new_name="destinatario"),
        migrations.AlterField(
            model_name="recordatorio",
            name="destinatario",
            field=models.CharField(help_text="Email o móvil.", max_length=254, verbose_name="enviado a"),
        ),
    ]
