"""The contract's role table, executable: every endpoint × method × role.

Each row names an endpoint, a method and the status every caller gets:
admin, veterinario, recepcionista, the owner (a `cliente` user whose data the
object is), another `cliente` user, and an anonymous caller. Objects in the
paths belong to the owner; the consultas and bloqueos in them are the
veterinario's. A seventh caller, another veterinario, gets what the veterinario
gets except where a row says otherwise (`other_vet`: the vet's own records).
Two more are staff of another sede (a vet and a receptionist who work only at a
second sede): they get what another vet and the receptionist get, except on the
citas and horarios of the world's sede (and what belongs to them: a cita's mensajes),
invisible to them (`otra_sede`: their statuses, vet first).
`test_every_endpoint_has_a_row` fails as soon as an endpoint exists without a
row here.
"""

import datetime
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone
from drf_spectacular.generators import EndpointEnumerator
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Rol
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from citas.models import EstadoCita
from citas.tests.factories import BloqueoFactory, CitaFactory, HorarioFactory, manana_a_las
from clientes.tests.factories import ClienteConUsuarioFactory, ClienteFactory
from conftest import bearer
from facturacion import services as facturacion
from facturacion.tests.factories import ImpuestoFactory, ProductoFactory, borrador_con_lineas, emitida
from historial.tests.factories import ConsultaFactory, VacunaFactory
from integraciones.models import Entrega
from integraciones.tests.factories import WebhookFactory, integracion_con_clave
from pacientes.tests.factories import PacienteFactory
from recordatorios.tests.factories import MensajeFactory, PlantillaFactory
from sedes.tests.factories import SedeFactory, sede_principal

CALLERS = ("admin", "veterinario", "recepcionista", "owner", "other", "anonymous")


@dataclass
class Row:
    method: str
    path: str
    # Statuses in CALLERS order.
    expected: tuple
    payload: object = field(default=None)  # callable(world) -> dict
    # Status for another veterinario (not the one whose consulta or bloqueo is in the path);
    # None: the veterinario's.
    other_vet: int | None = None
    # (vet, receptionist) of another sede; None: what another vet and the receptionist get.
    otra_sede: tuple | None = None

    def __post_init__(self):
        assert len(self.expected) == len(CALLERS), self.path

    @property
    def id(self):
        return f"{self.method} {self.path}"


def statuses(admin, vet, recep, owner, other, anon=401):
    return (admin, vet, recep, owner, other, anon)


def nuevo_cliente(world):
    return {"nombre": "Nuevo", "apellidos": "Cliente", "telefono": "600000000"}


def nueva_plantilla(world):
    return {"tipo": "cita", "canal": "whatsapp", "idioma": "en", "cuerpo": "{paciente}: {fecha} {hora}"}


def nuevo_paciente(world):
    return {"nombre": "Nuevo", "especie": "gato", "propietario": world.cliente.id}


def nuevo_usuario(world):
    world.seq += 1
    return {
        "email": f"nuevo{world.seq}@clinica.test",
        "rol": "recepcionista",
        "password": "Clave-Muy-Segura-1",
        "sedes": [world.sede.id],
    }


def nueva_sede(world):
    world.seq += 1
    return {"nombre": f"Sede nueva {world.seq}", "codigo": f"N{world.seq}", "zona_horaria": "Atlantic/Canary"}


def nueva_consulta(world):
    return {"paciente": world.paciente.id, "motivo": "Cojera", "veterinario": world.users["veterinario"].id}


def nueva_vacuna(world):
    return {"paciente": world.paciente.id, "nombre": "Rabia", "fecha_aplicacion": "2024-01-10"}


def nueva_cita(world):
    return {
        "sede": world.sede.id,
        "paciente": world.paciente.id,
        "veterinario": world.users["veterinario"].id,
        "inicio": manana_a_las(16).isoformat(),
        "motivo": "Revisión",
    }


def cita_editada(world):
    return {**nueva_cita(world), "inicio": manana_a_las(17).isoformat()}


def dia_de_manana():
    return (timezone.localdate() + datetime.timedelta(days=1)).weekday()


def nuevo_horario(world):
    otro_dia = (dia_de_manana() + 3) % 7  # never the day of the world's own horario row
    vet = world.users["veterinario"].id
    return {
        "veterinario": vet,
        "sede": world.sede.id,
        "dia_semana": otro_dia,
        "hora_inicio": "09:00",
        "hora_fin": "13:00",
    }


def nuevo_bloqueo(world):
    return {
        "veterinario": world.users["veterinario"].id,
        "inicio": manana_a_las(19).isoformat(),
        "fin": manana_a_las(20).isoformat(),
        "motivo": "Formación",
    }


def credenciales(world):
    return {"email": world.users["admin"].email, "password": DEFAULT_PASSWORD}


def refresh_token(world):
    return {"refresh": str(RefreshToken.for_user(world.users["admin"]))}


def cambio_password(world):
    return {"password_actual": DEFAULT_PASSWORD, "password_nueva": "Otra-Clave-Muy-Larga-9"}


def nuevo_impuesto(world):
    return {"nombre": "IVA 4%", "porcentaje": "4.00"}


def nuevo_producto(world):
    world.seq += 1
    return {"codigo": f"NUEVO-{world.seq}", "nombre": "Nuevo", "precio": "10.00", "impuesto": world.ids["impuesto"]}


def nueva_factura(world):
    return {"cliente": world.cliente.id, "sede": world.ids["sede"], "notas": "nueva"}


def nuevo_pago(world):
    return {"factura": world.ids["factura"], "importe": "1.00"}
def nuevo_webhook(world):
    return {"url": "https://93.184.215.14/hook", "eventos": ["*"]}


def nueva_integracion(world):
    return {"nombre": "ERP", "permisos": ["citas:read"]}


OPEN = statuses(200, 200, 200, 200, 200, 200)
READ_ALL_SCOPED = statuses(200, 200, 200, 200, 404)
LIST_ALL = statuses(200, 200, 200, 200, 200)
ADMIN_ONLY_LIST = statuses(200, 403, 403, 403, 403)
STAFF_ONLY = statuses(200, 403, 403, 403, 403)
STAFF_READ = statuses(200, 200, 200, 403, 403)
CLINICAL_WRITE = statuses(200, 200, 403, 403, 403)
STAFF_WRITE_OWNER_403 = statuses(200, 200, 200, 403, 403)
ADMIN_DELETE = statuses(204, 403, 403, 403, 403)
INVISIBLE = (404, 404)  # a cita or horario of a sede the caller does not work at

ROWS = [
    # --- auth
    Row("POST", "/api/v1/auth/token/", OPEN, credenciales),
    Row("POST", "/api/v1/auth/token/refresh/", OPEN, refresh_token),
    Row("POST", "/api/v1/auth/logout/", statuses(205, 205, 205, 205, 205, 205), refresh_token),
    Row("GET", "/api/v1/auth/me/", LIST_ALL),
    Row("PATCH", "/api/v1/auth/me/", LIST_ALL, lambda w: {"telefono": "600111222"}),
    Row("POST", "/api/v1/auth/password/", statuses(204, 204, 204, 204, 204), cambio_password),
    # --- usuarios (admin only)
    Row("GET", "/api/v1/usuarios/", ADMIN_ONLY_LIST),
    Row("POST", "/api/v1/usuarios/", statuses(201, 403, 403, 403, 403), nuevo_usuario),
    Row("GET", "/api/v1/usuarios/{usuario}/", ADMIN_ONLY_LIST),
    Row(
        "PUT",
        "/api/v1/usuarios/{usuario}/",
        ADMIN_ONLY_LIST,
        lambda w: {"email": w.spare_user.email, "rol": "recepcionista"},
    ),
    Row("PATCH", "/api/v1/usuarios/{usuario}/", ADMIN_ONLY_LIST, lambda w: {"nombre": "Otro"}),
    Row("DELETE", "/api/v1/usuarios/{usuario}/", statuses(204, 403, 403, 403, 403)),
    # --- sedes (owners read the active ones that take online bookings)
    Row("GET", "/api/v1/sedes/", LIST_ALL),
    Row("POST", "/api/v1/sedes/", statuses(201, 403, 403, 403, 403), nueva_sede),
    Row("GET", "/api/v1/sedes/{sede}/", LIST_ALL),
    Row("PUT", "/api/v1/sedes/{sede}/", ADMIN_ONLY_LIST, lambda w: {**nueva_sede(w), "codigo": "PRAL"}),
    Row("PATCH", "/api/v1/sedes/{sede}/", ADMIN_ONLY_LIST, lambda w: {"telefono": "928000000"}),
    Row("DELETE", "/api/v1/sedes/{sede_vacia}/", ADMIN_DELETE),
    # --- clientes
    Row("GET", "/api/v1/clientes/", LIST_ALL),
    Row("POST", "/api/v1/clientes/", statuses(201, 403, 201, 403, 403), nuevo_cliente),
    Row("GET", "/api/v1/clientes/{cliente}/", READ_ALL_SCOPED),
    Row("PUT", "/api/v1/clientes/{cliente}/", statuses(200, 403, 200, 200, 404), nuevo_cliente),
    Row("PATCH", "/api/v1/clientes/{cliente}/", statuses(200, 403, 200, 200, 404), lambda w: {"ciudad": "Lugo"}),
    Row("DELETE", "/api/v1/clientes/{cliente_sin_pacientes}/", statuses(204, 403, 403, 403, 403)),
    Row("GET", "/api/v1/clientes/{cliente}/pacientes/", READ_ALL_SCOPED),
    # --- pacientes
    Row("GET", "/api/v1/pacientes/", LIST_ALL),
    Row("POST", "/api/v1/pacientes/", statuses(201, 403, 201, 403, 403), nuevo_paciente),
    Row("GET", "/api/v1/pacientes/{paciente}/", READ_ALL_SCOPED),
    Row("PUT", "/api/v1/pacientes/{paciente}/", statuses(200, 200, 200, 403, 403), nuevo_paciente),
    Row("PATCH", "/api/v1/pacientes/{paciente}/", statuses(200, 200, 200, 403, 403), lambda w: {"color": "negro"}),
    Row("DELETE", "/api/v1/pacientes/{paciente_sin_historia}/", ADMIN_DELETE),
    Row("GET", "/api/v1/pacientes/{paciente}/historial/", READ_ALL_SCOPED),
    Row("GET", "/api/v1/pacientes/{paciente}/pesos/", READ_ALL_SCOPED),
    # --- consultas
    Row("GET", "/api/v1/consultas/", LIST_ALL),
    Row("POST", "/api/v1/consultas/", statuses(201, 201, 403, 403, 403), nueva_consulta),
    Row("GET", "/api/v1/consultas/{consulta}/", READ_ALL_SCOPED),
    Row("PUT", "/api/v1/consultas/{consulta}/", CLINICAL_WRITE, nueva_consulta, other_vet=403),
    Row("PATCH", "/api/v1/consultas/{consulta}/", CLINICAL_WRITE, lambda w: {"diagnostico": "Esguince"}, other_vet=403),
    Row("DELETE", "/api/v1/consultas/{consulta}/", ADMIN_DELETE),
    # --- vacunas
    Row("GET", "/api/v1/vacunas/", LIST_ALL),
    Row("POST", "/api/v1/vacunas/", statuses(201, 201, 403, 403, 403), nueva_vacuna),
    Row("GET", "/api/v1/vacunas/{vacuna}/", READ_ALL_SCOPED),
    Row("PUT", "/api/v1/vacunas/{vacuna}/", CLINICAL_WRITE, nueva_vacuna),
    Row("PATCH", "/api/v1/vacunas/{vacuna}/", CLINICAL_WRITE, lambda w: {"lote": "B-2"}),
    Row("DELETE", "/api/v1/vacunas/{vacuna}/", ADMIN_DELETE),
    # --- citas
    Row("GET", "/api/v1/citas/", LIST_ALL),
    # staff of another sede may not book at this one (400 sede_no_permitida)
    Row("POST", "/api/v1/citas/", statuses(201, 201, 201, 201, 400), nueva_cita, otra_sede=(400, 400)),
    Row("GET", "/api/v1/citas/{cita}/", READ_ALL_SCOPED, otra_sede=INVISIBLE),
    Row("PUT", "/api/v1/citas/{cita}/", STAFF_WRITE_OWNER_403, cita_editada, otra_sede=INVISIBLE),
    Row(
        "PATCH",
        "/api/v1/citas/{cita}/",
        STAFF_WRITE_OWNER_403,
        lambda w: {"notas": "Traer cartilla"},
        otra_sede=INVISIBLE,
    ),
    Row("DELETE", "/api/v1/citas/{cita}/", ADMIN_DELETE),
    Row("POST", "/api/v1/citas/{cita}/confirmar/", STAFF_WRITE_OWNER_403, otra_sede=INVISIBLE),
    Row("POST", "/api/v1/citas/{cita}/iniciar/", STAFF_WRITE_OWNER_403, otra_sede=INVISIBLE),
    Row("POST", "/api/v1/citas/{cita_en_curso}/completar/", STAFF_WRITE_OWNER_403, otra_sede=INVISIBLE),
    Row(
        "POST",
        "/api/v1/citas/{cita}/cancelar/",
        statuses(200, 200, 200, 200, 404),
        lambda w: {"motivo": "viaje"},
        otra_sede=INVISIBLE,
    ),
    Row("POST", "/api/v1/citas/{cita}/no-asistio/", STAFF_WRITE_OWNER_403, otra_sede=INVISIBLE),
    Row("GET", "/api/v1/citas/disponibilidad/?veterinario={veterinario}&fecha=2031-05-05", LIST_ALL),
    Row("GET", "/api/v1/veterinarios/", LIST_ALL),
    # --- horarios
    Row("GET", "/api/v1/horarios/", STAFF_READ),
    Row("POST", "/api/v1/horarios/", statuses(201, 403, 403, 403, 403), nuevo_horario),
    Row("GET", "/api/v1/horarios/{horario}/", STAFF_READ, otra_sede=INVISIBLE),
    Row("PUT", "/api/v1/horarios/{horario}/", STAFF_ONLY, nuevo_horario),
    Row("PATCH", "/api/v1/horarios/{horario}/", STAFF_ONLY, lambda w: {"hora_fin": "15:00"}),
    Row("DELETE", "/api/v1/horarios/{horario}/", ADMIN_DELETE),
    # --- bloqueos (a vet manages its own; the one in the path is the world's vet's)
    Row("GET", "/api/v1/bloqueos/", STAFF_READ),
    Row("POST", "/api/v1/bloqueos/", statuses(201, 201, 201, 403, 403), nuevo_bloqueo, other_vet=403),
    Row("GET", "/api/v1/bloqueos/{bloqueo}/", STAFF_READ),
    Row("PUT", "/api/v1/bloqueos/{bloqueo}/", STAFF_WRITE_OWNER_403, nuevo_bloqueo, other_vet=403),
    Row("PATCH", "/api/v1/bloqueos/{bloqueo}/", STAFF_WRITE_OWNER_403, lambda w: {"motivo": "Congreso"}, other_vet=403),
    Row("DELETE", "/api/v1/bloqueos/{bloqueo}/", statuses(204, 204, 204, 403, 403), other_vet=403),
    # --- recordatorios (read-only; owners see their own)
    Row("GET", "/api/v1/recordatorios/", LIST_ALL),
    # --- facturación: catalogue (admin writes, staff read)
    Row("GET", "/api/v1/impuestos/", STAFF_READ),
    Row("POST", "/api/v1/impuestos/", statuses(201, 403, 403, 403, 403), nuevo_impuesto),
    Row("GET", "/api/v1/impuestos/{impuesto}/", STAFF_READ),
    Row("PUT", "/api/v1/impuestos/{impuesto}/", STAFF_ONLY, nuevo_impuesto),
    Row("PATCH", "/api/v1/impuestos/{impuesto}/", STAFF_ONLY, lambda w: {"activo": False}),
    Row("DELETE", "/api/v1/impuestos/{impuesto_libre}/", ADMIN_DELETE),
    Row("GET", "/api/v1/productos/", STAFF_READ),
    Row("POST", "/api/v1/productos/", statuses(201, 403, 403, 403, 403), nuevo_producto),
    Row("GET", "/api/v1/productos/{producto}/", STAFF_READ),
    Row("PUT", "/api/v1/productos/{producto}/", STAFF_ONLY, nuevo_producto),
    Row("PATCH", "/api/v1/productos/{producto}/", STAFF_ONLY, lambda w: {"precio": "9.99"}),
    Row("DELETE", "/api/v1/productos/{producto_libre}/", ADMIN_DELETE),
    # --- facturas (the owner's: one emitted, one borrador the owner never sees)
    Row("GET", "/api/v1/facturas/", LIST_ALL),
    Row("POST", "/api/v1/facturas/", statuses(201, 201, 201, 403, 403), nueva_factura, otra_sede=(400, 400)),
    Row("GET", "/api/v1/facturas/{factura}/", READ_ALL_SCOPED, otra_sede=INVISIBLE),
    Row("PUT", "/api/v1/facturas/{factura_borrador}/", STAFF_WRITE_OWNER_403, nueva_factura, otra_sede=INVISIBLE),
    Row(
        "PATCH",
        "/api/v1/facturas/{factura_borrador}/",
        STAFF_WRITE_OWNER_403,
        lambda w: {"notas": "x"},
        otra_sede=INVISIBLE,
    ),
    Row("DELETE", "/api/v1/facturas/{factura_borrador}/", ADMIN_DELETE),
    Row("POST", "/api/v1/facturas/{factura_borrador}/emitir/", STAFF_WRITE_OWNER_403, otra_sede=INVISIBLE),
    Row("POST", "/api/v1/facturas/{factura}/rectificar/", statuses(201, 201, 201, 403, 403), otra_sede=INVISIBLE),
    Row("GET", "/api/v1/facturas/{factura}/pdf/", READ_ALL_SCOPED, otra_sede=INVISIBLE),
    Row("GET", "/api/v1/facturas/verificar-cadena/?sede={sede}", STAFF_READ, otra_sede=(400, 400)),
    Row("GET", "/api/v1/facturas/resumen/", STAFF_READ),
    # --- pagos (never edited)
    Row("GET", "/api/v1/pagos/", LIST_ALL),
    Row("POST", "/api/v1/pagos/", statuses(201, 201, 201, 403, 403), nuevo_pago, otra_sede=(400, 400)),
    Row("GET", "/api/v1/pagos/{pago}/", READ_ALL_SCOPED, otra_sede=INVISIBLE),
    Row("DELETE", "/api/v1/pagos/{pago}/", ADMIN_DELETE),
    # --- presupuestos
    Row("GET", "/api/v1/presupuestos/", LIST_ALL),
    Row("POST", "/api/v1/presupuestos/", statuses(201, 201, 201, 403, 403), nueva_factura, otra_sede=(400, 400)),
    Row("GET", "/api/v1/presupuestos/{presupuesto}/", READ_ALL_SCOPED, otra_sede=INVISIBLE),
    Row("PUT", "/api/v1/presupuestos/{presupuesto}/", STAFF_WRITE_OWNER_403, nueva_factura, otra_sede=INVISIBLE),
    Row(
        "PATCH",
        "/api/v1/presupuestos/{presupuesto}/",
        STAFF_WRITE_OWNER_403,
        lambda w: {"notas": "x"},
        otra_sede=INVISIBLE,
    ),
    Row("DELETE", "/api/v1/presupuestos/{presupuesto}/", ADMIN_DELETE),
    Row("POST", "/api/v1/presupuestos/{presupuesto}/aceptar/", STAFF_WRITE_OWNER_403, otra_sede=INVISIBLE),
    Row("POST", "/api/v1/presupuestos/{presupuesto}/rechazar/", STAFF_WRITE_OWNER_403, otra_sede=INVISIBLE),
    Row(
        "POST", "/api/v1/presupuestos/{presupuesto}/facturar/", statuses(201, 201, 201, 403, 403), otra_sede=INVISIBLE
    ),
    # --- eventos, webhooks, integraciones (admin only) ---
    Row("GET", "/api/v1/eventos/", ADMIN_ONLY_LIST),
    Row("GET", "/api/v1/webhooks/", ADMIN_ONLY_LIST),
    Row("POST", "/api/v1/webhooks/", statuses(201, 403, 403, 403, 403), nuevo_webhook),
    Row("GET", "/api/v1/webhooks/{webhook}/", ADMIN_ONLY_LIST),
    Row("PUT", "/api/v1/webhooks/{webhook}/", ADMIN_ONLY_LIST, nuevo_webhook),
    Row("PATCH", "/api/v1/webhooks/{webhook}/", ADMIN_ONLY_LIST, lambda w: {"activo": False}),
    Row("DELETE", "/api/v1/webhooks/{webhook}/", ADMIN_DELETE),
    Row("POST", "/api/v1/webhooks/{webhook}/rotar-secreto/", ADMIN_ONLY_LIST),
    Row("POST", "/api/v1/webhooks/{webhook}/probar/", statuses(202, 403, 403, 403, 403)),
    Row("GET", "/api/v1/webhooks/{webhook}/entregas/", ADMIN_ONLY_LIST),
    Row("POST", "/api/v1/webhooks/{webhook}/entregas/{entrega}/reenviar/", statuses(202, 403, 403, 403, 403)),
    Row("GET", "/api/v1/integraciones/", ADMIN_ONLY_LIST),
    Row("POST", "/api/v1/integraciones/", statuses(201, 403, 403, 403, 403), nueva_integracion),
    Row("GET", "/api/v1/integraciones/{integracion}/", ADMIN_ONLY_LIST),
    Row("PUT", "/api/v1/integraciones/{integracion}/", ADMIN_ONLY_LIST, nueva_integracion),
    Row("PATCH", "/api/v1/integraciones/{integracion}/", ADMIN_ONLY_LIST, lambda w: {"activo": False}),
    Row("DELETE", "/api/v1/integraciones/{integracion}/", ADMIN_DELETE),
    Row("POST", "/api/v1/integraciones/{integracion}/rotar-clave/", ADMIN_ONLY_LIST),
    # --- plantillas (admin CRUD, staff read) and mensajes (staff read; the callback is signed)
    Row("GET", "/api/v1/plantillas/", STAFF_READ),
    Row("POST", "/api/v1/plantillas/", statuses(201, 403, 403, 403, 403), nueva_plantilla),
    Row("GET", "/api/v1/plantillas/{plantilla}/", STAFF_READ),
    Row("PUT", "/api/v1/plantillas/{plantilla}/", ADMIN_ONLY_LIST, nueva_plantilla),
    Row("PATCH", "/api/v1/plantillas/{plantilla}/", ADMIN_ONLY_LIST, lambda w: {"activo": False}),
    Row("DELETE", "/api/v1/plantillas/{plantilla}/", ADMIN_DELETE),
    Row("GET", "/api/v1/mensajes/", STAFF_READ),
    Row("GET", "/api/v1/mensajes/{mensaje}/", STAFF_READ),
    Row("GET", "/api/v1/mensajes/{mensaje_cita}/", STAFF_READ, otra_sede=INVISIBLE),
    # no credentials but the signature: unsigned, every caller (a logged-in one too) is 403
    Row(
        "POST",
        "/api/v1/mensajes/estado/{canal}/",
        statuses(403, 403, 403, 403, 403, 403),
        lambda w: {"id": "gw-1", "estado": "entregado"},
    ),
]


class World:
    """One owner with a paciente, another owner, staff users, and spare objects to delete."""

    def __init__(self):
        self.seq = 0
        self.sede = sede_principal()
        otra_sede = SedeFactory(zona_horaria="Atlantic/Canary")
        self.cliente = ClienteConUsuarioFactory()
        otro = ClienteConUsuarioFactory()
        self.users = {
            "admin": UserFactory(rol=Rol.ADMIN),
            "veterinario": UserFactory(rol=Rol.VETERINARIO),
            "recepcionista": UserFactory(rol=Rol.RECEPCIONISTA),
            "owner": self.cliente.usuario,
            "other": otro.usuario,
            "other_vet": UserFactory(rol=Rol.VETERINARIO),
            "vet_otra_sede": UserFactory(rol=Rol.VETERINARIO, sedes=[otra_sede]),
            "recep_otra_sede": UserFactory(rol=Rol.RECEPCIONISTA, sedes=[otra_sede]),
        }
        self.paciente = PacienteFactory(propietario=self.cliente)
        self.spare_user = UserFactory(rol=Rol.RECEPCIONISTA)
        vet = self.users["veterinario"]
        cita = CitaFactory(paciente=self.paciente, veterinario=vet, inicio=manana_a_las(10), fin=manana_a_las(10, 30))
        en_curso = CitaFactory(
            paciente=self.paciente, veterinario=vet, inicio=manana_a_las(11), fin=manana_a_las(11, 30)
        )
        en_curso.estado = EstadoCita.EN_CURSO
        en_curso.save()
        self.ids = {
            "consulta": ConsultaFactory(paciente=self.paciente, veterinario=vet).id,
            "vacuna": VacunaFactory(paciente=self.paciente).id,
            "cita": cita.id,
            "cita_en_curso": en_curso.id,
            # Tomorrow's hours cover the slots an owner books (owners book only offered slots).
            "horario": HorarioFactory(
                veterinario=vet,
                dia_semana=dia_de_manana(),
                hora_inicio=datetime.time(9),
                hora_fin=datetime.time(18),
            ).id,
            "bloqueo": BloqueoFactory(veterinario=vet, inicio=manana_a_las(18), fin=manana_a_las(19)).id,
            "veterinario": vet.id,
            "sede": self.sede.id,
            "sede_vacia": SedeFactory().id,
            "usuario": self.spare_user.id,
            "cliente": self.cliente.id,
            "cliente_sin_pacientes": ClienteFactory().id,
            "paciente": self.paciente.id,
            "paciente_sin_historia": PacienteFactory(propietario=self.cliente).id,
            "plantilla": PlantillaFactory().id,
            "mensaje": MensajeFactory(vacuna=VacunaFactory(paciente=self.paciente)).id,
            "mensaje_cita": MensajeFactory(
                vacuna=None, cita=cita, recordatorio_tipo="cita", sede=cita.sede, offset=2
            ).id,
            "canal": "sms",
        }
        webhook = WebhookFactory()
        self.ids["webhook"] = webhook.id
        self.ids["entrega"] = Entrega.objects.create(webhook=webhook, tipo="ping", estado="entregada").id
        self.ids["integracion"] = integracion_con_clave(permisos=[])[0].id
        self._facturacion()

    def _facturacion(self):
        """The owner's emitted factura with a pago, a borrador and a presupuesto, at the sede
        every staff user of the world works at; a catalogue with unused rows to delete."""
        admin = self.users["admin"]
        producto = ProductoFactory()
        factura = emitida(actor=admin, cliente=self.cliente, lineas=[{"producto": producto, "cantidad": 1}])
        self.ids.update(
            {
                "impuesto": producto.impuesto_id,
                "impuesto_libre": ImpuestoFactory().id,
                "producto": producto.id,
                "producto_libre": ProductoFactory().id,
                "factura": factura.id,
                "factura_borrador": borrador_con_lineas(actor=admin, cliente=self.cliente).id,
                "pago": facturacion.pago_create(actor=admin, factura=factura, importe=Decimal("1.00")).id,
                "presupuesto": facturacion.presupuesto_create(
                    actor=admin, cliente=self.cliente, sede=factura.sede, lineas=[{"producto": producto, "cantidad": 1}]
                ).id,
                "sede": factura.sede_id,
            }
        )

    def client(self, caller):
        api = APIClient()
        if caller != "anonymous":
            api.credentials(**bearer(self.users[caller]))
        return api


CASES = [
    pytest.param(row, caller, id=f"{row.id} as {caller}")
    for row, caller in itertools.product(ROWS, (*CALLERS, "other_vet", "vet_otra_sede", "recep_otra_sede"))
]


@pytest.mark.django_db
@pytest.mark.parametrize("row,caller", CASES)
def test_role_table(row, caller):
    world = World()
    path = row.path.format(**world.ids)
    data = row.payload(world) if row.payload else None

    response = getattr(world.client(caller), row.method.lower())(path, data, format="json")

    other_vet = row.expected[CALLERS.index("veterinario")] if row.other_vet is None else row.other_vet
    if caller == "other_vet":
        expected = other_vet
    elif caller in ("vet_otra_sede", "recep_otra_sede"):
        default = (other_vet, row.expected[CALLERS.index("recepcionista")])
        expected = (row.otra_sede or default)[caller == "recep_otra_sede"]
    else:
        expected = row.expected[CALLERS.index(caller)]
    assert response.status_code == expected, response.content[:300]


def _normalise(path):
    return re.sub(r"\{[^}]+\}", "{}", path.split("?")[0])


def test_every_endpoint_has_a_row():
    endpoints = {
        (method, _normalise(path))
        for path, _regex, method, _callback in EndpointEnumerator().get_api_endpoints()
        if path.startswith("/api/v1/")
    }
    rows = {(row.method, _normalise(row.path)) for row in ROWS}

    assert endpoints - rows == set(), "endpoints without a row in the role table"
    assert rows - endpoints == set(), "rows for endpoints that do not exist"
