from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from recordatorios.services import enviar_recordatorios


class Command(BaseCommand):
    help = (
        "Envía por email a cada propietario sus recordatorios pendientes: vacunas que vencen en los "
        "próximos N días y citas que empiezan en las próximas N horas. Cada recordatorio se envía una vez."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dias", type=int, default=14, help="Vacunas que vencen de hoy a hoy + N días (14).")
        parser.add_argument("--horas", type=int, default=24, help="Citas que empiezan en las próximas N horas (24).")
        parser.add_argument("--dry-run", action="store_true", help="Calcula y cuenta, pero no envía ni marca nada.")

    def handle(self, *args, dias, horas, dry_run, **options):
        def progreso(owners):
            return tqdm(owners, desc="propietarios", file=self.stderr._out, disable=not self.stderr.isatty())

        resumen = enviar_recordatorios(dias=dias, horas=horas, dry_run=dry_run, progreso=progreso)
        # Failures go to stderr, by owner id (no personal data), and set the exit code; the summary
        # on stdout keeps its three counts, so that whatever parses it keeps working.
        for fallo in resumen.fallidos:
            self.stderr.write(f"no enviado al cliente {fallo.cliente}: {fallo.motivo}")
        self.stdout.write(str(resumen))
        if resumen.fallidos:
            raise CommandError(
                f"{len(resumen.fallidos)} emails no se pudieron enviar; sus recordatorios se reintentarán "
                "en la próxima ejecución."
            )
