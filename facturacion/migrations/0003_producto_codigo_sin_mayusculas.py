import django.db.models.functions.text
from django.db import migrations, models
from django.db.models.functions import Lower

MAX_LENGTH = 30  # Producto.codigo


def distinguish_codigos_that_differ_only_in_case(apps, schema_editor):
    """Before the case-insensitive constraint: of the productos whose codigos differ only in
    case ("cons", "CONS"), the oldest keeps its codigo and each other gets `-<id>` appended
    (shortened to fit), so that the migration never fails on existing data and nothing is lost."""
    Producto = apps.get_model("facturacion", "Producto")
    manager = Producto.objects.using(schema_editor.connection.alias)
    repetidos = (
        manager.annotate(clave=Lower("codigo"))
        .values("clave")
        .annotate(n=models.Count("pk"))
        .filter(n__gt=1)
        .values_list("clave", flat=True)
    )
    usados = {codigo.lower() for codigo in manager.values_list("codigo", flat=True)}
    for clave in list(repetidos):
        for producto in manager.annotate(clave=Lower("codigo")).filter(clave=clave).order_by("pk")[1:]:
            sufijo = f"-{producto.pk}"
            codigo = producto.codigo[: MAX_LENGTH - len(sufijo)] + sufijo
            while codigo.lower() in usados:
                sufijo = f"-{sufijo}"
                codigo = producto.codigo[: MAX_LENGTH - len(sufijo)] + sufijo
            usados.add(codigo.lower())
            manager.filter(pk=producto.pk).update(codigo=codigo)


class Migration(migrations.Migration):
    """Producto codigos unique whatever their case."""

    dependencies = [
        ("facturacion", "0002_inmutabilidad"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="producto",
            name="facturacion_producto_codigo_unique",
        ),
        migrations.RunPython(distinguish_codigos_that_differ_only_in_case, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="producto",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("codigo"),
                name="facturacion_producto_codigo_ci_unique",
                violation_error_code="unique",
                violation_error_message="Ya existe un producto con este código.",
            ),
        ),
    ]
