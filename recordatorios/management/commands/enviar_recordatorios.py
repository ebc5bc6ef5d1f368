import argparse

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from recordatorios.services import enviar_pendientes


def antelacion(maximo):
    """An argparse type: a whole number from 0 to `maximo` (a far one would overflow the dates)."""

    def parse(valor):
        try:
            numero = int(valor)
        except ValueError:
            raise argparse.ArgumentTypeError(f"«{valor}» no es un número entero") from None
        if not 0 <= numero <= maximo:
            raise argparse.ArgumentTypeError(f"debe estar entre 0 y {maximo}")
        return numero

    return parse


class Command(BaseCommand):
    help = (
        "Envía los recordatorios que tocan ahora por el canal de cada propietario (email, SMS o WhatsApp) "
        "y reintenta los mensajes fallidos: vacunas RECORDATORIO_VACUNA_DIAS días antes de la dosis, citas "
        "RECORDATORIO_CITA_HORAS horas antes. Cada recordatorio se envía una vez por antelación."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dias",
            type=antelacion(3660),
            help="Una sola antelación de N días para las vacunas (por defecto, RECORDATORIO_VACUNA_DIAS).",
        )
        parser.add_argument(
            "--horas",
            type=antelacion(24 * 366),
            help="Una sola antelación de N horas para las citas (por defecto, RECORDATORIO_CITA_HORAS).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Calcula y cuenta, pero no envía ni escribe nada.")

    def handle(self, *args, dias, horas, dry_run, **options):
        def progreso(owners):
            return tqdm(owners, desc="propietarios", file=self.stderr._out, disable=not self.stderr.isatty())

        resumen = enviar_pendientes(dias=dias, horas=horas, dry_run=dry_run, progreso=progreso)
        # Failures go to stderr, by owner id (no personal data), and set the exit code; the summary
        # on stdout keeps its three counts, so that whatever parses it keeps working.
        for fallo in resumen.fallidos:
            self.stderr.write(f"no enviado al cliente {fallo.cliente}: {fallo.motivo}")
        self.stdout.write(str(resumen))
        if resumen.fallidos:
            raise CommandError(
                f"{len(resumen.fallidos)} mensajes no se pudieron enviar; se reintentarán con espera creciente "
                "en las próximas ejecuciones."
            )
