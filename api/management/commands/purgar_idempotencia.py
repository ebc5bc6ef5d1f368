from django.core.management.base import BaseCommand

from api.idempotency import purge_expired


class Command(BaseCommand):
    help = (
        "Borra las claves Idempotency-Key caducadas (guardadas más de 24 horas) y sus respuestas. "
        "Una clave caducada también se borra sola cuando vuelve a llegar."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{purge_expired()} claves caducadas borradas")
