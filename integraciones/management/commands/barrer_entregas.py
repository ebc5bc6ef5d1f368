from django.core.management.base import BaseCommand

from integraciones import deliveries


class Command(BaseCommand):
    help = "Queues (without a broker: makes) every webhook delivery that is due; beat runs it on the workers."

    def handle(self, *args, **options):
        self.stdout.write(f"{deliveries.barrer()} entregas en cola")
