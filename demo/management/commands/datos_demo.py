"""Realistic Spanish demo data for a chain of two clinics (Madrid and Las Palmas, an hour apart):
one login per role, clients, pets, a week of agenda at each sede."""

import datetime
import random
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Rol, User
from citas.models import Bloqueo, Cita, EstadoCita, HorarioAtencion
from clientes.models import CanalPreferido, Cliente
from core.phones import normalize_phone
from facturacion import services as facturacion
from historial.models import Consulta, Vacuna
from pacientes.models import Especie, Paciente, Sexo
from sedes.models import Sede
from sedes.selectors import sede_por_defecto

PASSWORD = "vetclinic-demo"
LOGINS = [
    ("admin@vetclinic.local", Rol.ADMIN, "Lucía", "Ferrer Soler"),
    ("vet@vetclinic.local", Rol.VETERINARIO, "Javier", "Ortega Ruiz"),
    ("vet2@vetclinic.local", Rol.VETERINARIO, "Marta", "Iglesias Pardo"),
    ("vet3@vetclinic.local", Rol.VETERINARIO, "Yeray", "Santana Déniz"),
    ("recepcion@vetclinic.local", Rol.RECEPCIONISTA, "Sergio", "Molina Vidal"),
    ("cliente@vetclinic.local", Rol.CLIENTE, "Carmen", "Navarro Gil"),
]

NOMBRES = [
    "Ana",
    "Antonio",
    "Carmen",
    "David",
    "Elena",
    "Francisco",
    "Isabel",
    "Javier",
    "Laura",
    "Manuel",
    "María",
    "Pablo",
    "Pilar",
    "Raúl",
    "Rosa",
    "Sara",
    "Sergio",
    "Teresa",
    "Alberto",
    "Beatriz",
    "Carlos",
    "Cristina",
    "Diego",
    "Eva",
    "Fernando",
    "Inés",
    "Jorge",
    "Lucía",
    "Marcos",
    "Nuria",
]
APELLIDOS = [
    "García",
    "Fernández",
    "González",
    "Rodríguez",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Serrano",
]
CIUDADES = ["Madrid", "Valencia", "Sevilla", "Zaragoza", "Málaga", "Bilbao", "Valladolid", "Granada"]
CALLES = ["Calle Mayor", "Avenida de la Constitución", "Calle del Sol", "Paseo de la Castellana", "Calle Real"]
MASCOTAS = {
    Especie.PERRO: (
        ["Toby", "Luna", "Rocky", "Kira", "Coco", "Max", "Nala", "Bruno", "Lola", "Thor"],
        ["Mestizo", "Labrador", "Pastor alemán", "Beagle", "Yorkshire", "Galgo español"],
    ),
    Especie.GATO: (
        ["Misi", "Simba", "Nube", "Garfield", "Mia", "Tom", "Canela", "Salem"],
        ["Común europeo", "Siamés", "Persa", "Maine Coon"],
    ),
    Especie.CONEJO: (["Tambor", "Copito", "Pelusa"], ["Belier", "Cabeza de león"]),
    Especie.AVE: (["Piolín", "Kiwi"], ["Periquito", "Agapornis"]),
    Especie.HURON: (["Bandido"], [""]),
}
COLORES = ["negro", "blanco", "canela", "atigrado", "gris", "tricolor", "marrón"]
MOTIVOS = [
    "Revisión anual",
    "Vacunación",
    "Vómitos",
    "Cojera",
    "Otitis",
    "Control de peso",
    "Dermatitis",
    "Desparasitación",
]
# Adult weights by species (kg), so that a hurón does not weigh like a labrador.
PESOS_KG = {
    Especie.PERRO: (4.0, 38.0),
    Especie.GATO: (2.8, 6.5),
    Especie.CONEJO: (1.2, 3.5),
    Especie.AVE: (0.03, 0.6),
    Especie.HURON: (0.7, 2.0),
}
VACUNAS = {
    Especie.PERRO: ["Rabia", "Polivalente canina", "Leishmania"],
    Especie.GATO: ["Trivalente felina", "Leucemia felina", "Rabia"],
    Especie.CONEJO: ["Mixomatosis", "Enfermedad hemorrágica vírica"],
    Especie.HURON: ["Moquillo", "Rabia"],
    Especie.AVE: [],
}


def _with_history(objs, model):
    """bulk_create that also writes the audit history ("+" entries), like any other creation."""
    return bulk_create_with_history(objs, model, default_change_reason="datos de demostración")


class Command(BaseCommand):
    help = "Llena una base de datos vacía con datos de demostración realistas e imprime los accesos."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Permite ejecutarlo con DEBUG desactivado.")
        parser.add_argument(
            "--si-vacia", action="store_true", help="No hace nada (y termina bien) si la base de datos ya tiene datos."
        )

    def handle(self, *args, force, si_vacia, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG está desactivado: use --force para cargar datos de demostración.")
        if User.objects.exists() or Cliente.objects.exists():
            if si_vacia:
                self.stdout.write("La base de datos ya tiene datos: no se cargan datos de demostración.")
                return
            raise CommandError("La base de datos no está vacía.")
        with transaction.atomic():
            resumen = Demo(random.Random(2026)).build()
        self.stdout.write(f"Accesos de demostración (contraseña para todos: {PASSWORD}):")
        for email, rol, *_ in LOGINS:
            self.stdout.write(f"  {rol:<14} {email}")
        self.stdout.write(resumen)


class Demo:
    def __init__(self, rng, *, now=None):
        self.rng = rng
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.tz = timezone.get_current_timezone()

    def build(self):
        madrid, las_palmas = self.sedes()
        users = {}
        for email, rol, nombre, apellidos in LOGINS:
            users[email] = User.objects.create_user(
                email, PASSWORD, rol=rol, nombre=nombre, apellidos=apellidos, telefono=self.telefono()
            )
        vets = [users["vet@vetclinic.local"], users["vet2@vetclinic.local"], users["vet3@vetclinic.local"]]
        # Javier works at both sedes (Madrid Monday to Wednesday, Las Palmas Thursday and Friday),
        # Marta in Madrid, Yeray in Las Palmas; reception serves both.
        madrid.personal.add(vets[0], vets[1], users["recepcion@vetclinic.local"])
        las_palmas.personal.add(vets[0], vets[2], users["recepcion@vetclinic.local"])
        self.sede_del_dia = {
            vets[0].pk: {dia: madrid if dia < 3 else las_palmas for dia in range(7)},
            vets[1].pk: dict.fromkeys(range(7), madrid),
            vets[2].pk: dict.fromkeys(range(7), las_palmas),
        }
        clientes = self.clientes(users["cliente@vetclinic.local"])
        pacientes = self.pacientes(clientes)
        self.horarios(vets)
        citas = self.citas(vets, pacientes, users["recepcion@vetclinic.local"])
        consultas = self.consultas(vets, pacientes)
        vacunas = self.vacunas(vets, pacientes)
        Bloqueo.objects.create(
            veterinario=vets[1],
            inicio=self.at(self.today + datetime.timedelta(days=10), 9),
            fin=self.at(self.today + datetime.timedelta(days=12), 20),
            motivo="Congreso de dermatología",
            creado_por=users["admin@vetclinic.local"],
        )
        facturas = self.facturas(users["admin@vetclinic.local"], clientes, [madrid, las_palmas])
        return (
            f"{len(clientes)} clientes, {len(pacientes)} pacientes, {citas} citas, "
            f"{consultas} consultas, {vacunas} vacunas, {facturas} facturas."
        )

    def sedes(self):
        """The sede the migrations created becomes the Madrid clinic; Las Palmas is the second."""
        madrid = sede_por_defecto()
        madrid.nombre, madrid.zona_horaria = "VetClinic Madrid", "Europe/Madrid"
        madrid.direccion, madrid.telefono = "Calle de Alcalá, 120, Madrid", "+34910000001"
        madrid.email = "madrid@vetclinic.local"
        madrid.save()
        las_palmas = Sede.objects.create(
            nombre="VetClinic Las Palmas",
            codigo="LPA",
            zona_horaria="Atlantic/Canary",
            direccion="Calle Triana, 45, Las Palmas de Gran Canaria",
            telefono="+34928000001",
            email="laspalmas@vetclinic.local",
        )
        return madrid, las_palmas

    def facturas(self, admin, clientes, sedes):
        """Impuestos, a catalogue and a few invoices at each sede through the billing services:
        emitted, paid, one rectified and one borrador (the owner's demo login has one of each)."""
        iva = facturacion.impuesto_create(actor=admin, nombre="IVA 21%", porcentaje=Decimal("21"))
        reducido = facturacion.impuesto_create(actor=admin, nombre="IVA 10%", porcentaje=Decimal("10"))
        catalogo = [
            facturacion.producto_create(
                actor=admin, codigo=codigo, nombre=nombre, tipo=tipo, precio=Decimal(precio), impuesto=impuesto
            )
            for codigo, nombre, tipo, precio, impuesto in [
                ("CONS", "Consulta general", "servicio", "35.00", iva),
                ("URG", "Consulta de urgencia", "servicio", "60.00", iva),
                ("VAC-RAB", "Vacuna antirrábica", "servicio", "28.00", iva),
                ("VAC-POL", "Vacuna polivalente", "servicio", "32.50", iva),
                ("DESP", "Desparasitación interna", "medicamento", "12.40", reducido),
                ("PIEN", "Pienso renal 2 kg", "producto", "24.95", reducido),
            ]
        ]
        facturas = []
        for index, cliente in enumerate(clientes[:8]):
            sede = sedes[index % 2]
            lineas = [
                {"producto": producto, "cantidad": Decimal(self.rng.choice(["1", "1", "2"]))}
                for producto in self.rng.sample(catalogo, 2)
            ]
            facturas.append(facturacion.factura_create(actor=admin, cliente=cliente, sede=sede, lineas=lineas))
        for factura in facturas[:6]:
            facturacion.factura_emitir(actor=admin, factura=factura)
        for factura, metodo in zip(facturas[:3], ["tarjeta", "efectivo", "bizum"], strict=True):
            factura.refresh_from_db()
            facturacion.pago_create(actor=admin, factura=factura, importe=factura.pendiente, metodo=metodo)
        rectificativa = facturacion.factura_rectificar(actor=admin, factura=facturas[5])
        facturacion.factura_emitir(actor=admin, factura=rectificativa)
        return len(facturas) + 1

    def telefono(self):
        return f"+34 6{self.rng.randint(10, 99)} {self.rng.randint(100, 999)} {self.rng.randint(100, 999)}"

    def at(self, day, hour, minute=0, sede=None):
        tz = sede.zona if sede is not None else self.tz
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)

    def clientes(self, cliente_user):
        clientes = []
        for i in range(50):
            nombre = self.rng.choice(NOMBRES)
            apellidos = f"{self.rng.choice(APELLIDOS)} {self.rng.choice(APELLIDOS)}"
            clientes.append(
                Cliente(
                    nombre=nombre,
                    apellidos=apellidos,
                    documento=f"{10000000 + i * 7919:08d}{'TRWAGMYFPDXBNJZSQVHLCKE'[(10000000 + i * 7919) % 23]}",
                    email="" if i % 9 == 0 else f"{nombre.lower()}.{i}@correo.es".replace("í", "i").replace("ú", "u"),
                    # Stored as the API stores phones (E.164, core.phones).
                    telefono=normalize_phone(self.telefono()),
                    movil="" if i % 4 == 0 else normalize_phone(self.telefono()),
                    direccion=f"{self.rng.choice(CALLES)}, {self.rng.randint(1, 120)}",
                    ciudad=self.rng.choice(CIUDADES),
                    acepta_email=i % 9 != 0,
                    acepta_sms=i % 4 != 0 and i % 3 == 0,
                    acepta_whatsapp=i % 4 != 0 and i % 5 == 0,
                    canal_preferido=(
                        CanalPreferido.WHATSAPP
                        if i % 4 != 0 and i % 5 == 0
                        else CanalPreferido.SMS
                        if i % 9 == 0 and i % 4 != 0
                        else CanalPreferido.EMAIL
                    ),
                )
            )
        clientes[0].nombre, clientes[0].apellidos, clientes[0].usuario = "Carmen", "Navarro Gil", cliente_user
        clientes[0].email = cliente_user.email
        return _with_history(clientes, Cliente)

    def pacientes(self, clientes):
        pacientes = []
        especies = [Especie.PERRO] * 5 + [Especie.GATO] * 4 + [Especie.CONEJO, Especie.AVE, Especie.HURON]
        for i in range(80):
            especie = self.rng.choice(especies)
            nombres, razas = MASCOTAS[especie]
            fallecido = i % 37 == 36
            pacientes.append(
                Paciente(
                    nombre=self.rng.choice(nombres),
                    especie=especie,
                    raza=self.rng.choice(razas),
                    sexo=self.rng.choice([Sexo.MACHO, Sexo.HEMBRA]),
                    fecha_nacimiento=self.today - datetime.timedelta(days=self.rng.randint(120, 15 * 365)),
                    color=self.rng.choice(COLORES),
                    microchip=f"724{98000000000 + i * 131:012d}" if especie in (Especie.PERRO, Especie.GATO) else "",
                    esterilizado=self.rng.random() < 0.5,
                    alergias="Penicilina" if i % 13 == 0 else "",
                    fallecido=fallecido,
                    fecha_fallecimiento=self.today - datetime.timedelta(days=40) if fallecido else None,
                    propietario=clientes[i % len(clientes)] if i >= 2 else clientes[0],
                )
            )
        return _with_history(pacientes, Paciente)

    def horarios(self, vets):
        """Opening hours in each sede's local time: split shifts, a long day, a Saturday morning."""
        turnos = {
            vets[0].pk: [(datetime.time(9), datetime.time(14)), (datetime.time(16), datetime.time(20))],
            vets[1].pk: [(datetime.time(10), datetime.time(18))],
            vets[2].pk: [(datetime.time(9), datetime.time(17))],
        }
        rows = []
        for vet in vets:
            for dia in range(5):
                rows += [
                    HorarioAtencion(
                        veterinario=vet,
                        sede=self.sede_del_dia[vet.pk][dia],
                        dia_semana=dia,
                        hora_inicio=inicio,
                        hora_fin=fin,
                    )
                    for inicio, fin in turnos[vet.pk]
                ]
        rows.append(
            HorarioAtencion(
                veterinario=vets[1],
                sede=self.sede_del_dia[vets[1].pk][5],
                dia_semana=5,
                hora_inicio=datetime.time(10),
                hora_fin=datetime.time(13),
            )
        )
        HorarioAtencion.objects.bulk_create(rows)

    def citas(self, vets, pacientes, recepcion):
        vivos = [p for p in pacientes if not p.fallecido]
        citas = []
        for offset in range(-3, 5):
            day = self.today + datetime.timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for vet_index, vet in enumerate(vets):
                sede = self.sede_del_dia[vet.pk][day.weekday()]
                for slot in range(6):
                    inicio = self.at(day, 10 + slot, 30 * (vet_index % 2), sede=sede)
                    if offset < 0 or (offset == 0 and inicio < self.now):
                        estado = self.rng.choice(
                            [EstadoCita.COMPLETADA] * 4 + [EstadoCita.NO_ASISTIO, EstadoCita.CANCELADA]
                        )
                    else:
                        estado = self.rng.choice(
                            [EstadoCita.PROGRAMADA] * 3 + [EstadoCita.CONFIRMADA] * 2 + [EstadoCita.CANCELADA]
                        )
                    # The 18 positions of a day (vet, slot) take 18 different pacientes, so no
                    # paciente is booked twice at once; other days may reuse them.
                    paciente = vivos[((offset + 3) * 18 + vet_index * 6 + slot) % len(vivos)]
                    citas.append(
                        Cita(
                            sede=sede,
                            paciente=paciente,
                            veterinario=vet,
                            inicio=inicio,
                            fin=inicio + datetime.timedelta(minutes=30),
                            motivo=self.rng.choice(MOTIVOS),
                            estado=estado,
                            motivo_cancelacion="Avisó por teléfono" if estado == EstadoCita.CANCELADA else "",
                            creado_por=recepcion,
                        )
                    )
        return len(_with_history(citas, Cita))

    def consultas(self, vets, pacientes):
        consultas = []
        for paciente in pacientes[:60]:
            minimo, maximo = PESOS_KG[paciente.especie]
            peso = Decimal(self.rng.uniform(minimo, maximo)).quantize(Decimal("0.01"))
            for visita in range(self.rng.randint(1, 3)):
                # a few percent up or down between visits
                peso = (peso * Decimal(self.rng.uniform(0.95, 1.06))).quantize(Decimal("0.01"))
                vet = self.rng.choice(vets)
                consultas.append(
                    Consulta(
                        sede=self.sede_del_dia[vet.pk][0],
                        paciente=paciente,
                        veterinario=vet,
                        fecha=self.now - datetime.timedelta(days=400 - visita * 150 + self.rng.randint(0, 20)),
                        motivo=self.rng.choice(MOTIVOS),
                        anamnesis="El propietario refiere buen apetito.",
                        examen_fisico="Mucosas rosadas, auscultación normal.",
                        diagnostico="Sin hallazgos relevantes",
                        tratamiento="Ninguno",
                        peso_kg=peso,
                        temperatura_c=Decimal(self.rng.randint(378, 392)) / 10,
                    )
                )
        _with_history(consultas, Consulta)
        latest = {}
        for consulta in sorted(consultas, key=lambda c: c.fecha):
            latest[consulta.paciente_id] = consulta.peso_kg
        for paciente in pacientes:
            if paciente.id in latest:
                paciente.peso_kg = latest[paciente.id]
        Paciente.objects.bulk_update(pacientes, ["peso_kg"])
        return len(consultas)

    def vacunas(self, vets, pacientes):
        vacunas = []
        for i, paciente in enumerate(pacientes):
            for nombre in VACUNAS[paciente.especie][:2]:
                aplicada = self.today - datetime.timedelta(days=self.rng.randint(300, 420))
                # About a quarter are overdue, several fall due within the next two weeks.
                proxima = aplicada + datetime.timedelta(days=365) if i % 4 else self.today - datetime.timedelta(days=10)
                vacunas.append(
                    Vacuna(
                        paciente=paciente,
                        nombre=nombre,
                        lote=f"L{self.rng.randint(10000, 99999)}",
                        fecha_aplicacion=aplicada,
                        proxima_dosis=max(proxima, aplicada),
                        veterinario=self.rng.choice(vets),
                    )
                )
        return len(_with_history(vacunas, Vacuna))
