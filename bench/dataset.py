"""The benchmark's clinic-chain dataset, generated inside PostgreSQL.

Every table is filled by one `INSERT ... SELECT ... FROM generate_series(...)`, so no row
crosses the wire and a million citas take seconds, not an ORM hour. Values are spread
deterministically (no random()): the same scale always yields the same rows.

Citas never break the rules the API enforces: each vet works at one sede of the chain, a grid
of half-hour slots on weekdays (09:00-12:30 and 14:30-18:00, local time of the sede), and the
citas sharing a slot go to distinct pacientes, so the exclusion constraints (no overlap per vet
or per paciente) hold. The chain has four sedes in two zones (SEDES); consultas take place at
their vet's sede.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

FULL_SIZES = {"clientes": 100_000, "pacientes": 150_000, "citas": 1_000_000, "consultas": 300_000, "vacunas": 400_000}
SLOTS_PER_DAY = 14  # half-hour slots a vet fills per weekday
DAYS_BACK = 2 * 365  # citas span two years back and one ahead
DAYS_AHEAD = 365
BENCH_PASSWORD = "bench-password-0"  # noqa: S105 - a throwaway database's login
ADMIN_EMAIL = "admin@bench.vetclinic"

NOMBRES = [
    "María",
    "Carmen",
    "José",
    "Antonio",
    "Manuel",
    "Francisco",
    "Lucía",
    "Laura",
    "Marta",
    "Pablo",
    "Javier",
    "David",
    "Daniel",
    "Sergio",
    "Ana",
    "Isabel",
    "Cristina",
    "Raquel",
    "Pilar",
    "Rosa",
    "Alejandro",
    "Carlos",
    "Jorge",
    "Alberto",
    "Elena",
    "Sara",
    "Paula",
    "Nuria",
    "Irene",
    "Andrea",
    "Íñigo",
    "Begoña",
    "Óscar",
    "Ángel",
    "Zoe",
    "Adrián",
    "Rubén",
    "Iván",
    "Víctor",
    "Beatriz",
]
APELLIDOS = [
    "García",
    "Rodríguez",
    "González",
    "Fernández",
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
    "Ramírez",
    "Serrano",
    "Blanco",
    "Molina",
    "Morales",
    "Suárez",
    "Ortega",
    "Delgado",
    "Castro",
    "Ortiz",
    "Rubio",
    "Marín",
    "Sanz",
    "Núñez",
    "Iglesias",
    "Medina",
    "Garrido",
    "Cortés",
    "Castillo",
    "Santos",
    "Lozano",
    "Guerrero",
    "Cano",
    "Prieto",
]
CIUDADES = ("Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza", "Málaga", "Bilbao", "Logroño", "León", "Cádiz")
MASCOTAS = [
    "Luna",
    "Toby",
    "Coco",
    "Rocky",
    "Nala",
    "Simba",
    "Lola",
    "Max",
    "Kira",
    "Thor",
    "Bimba",
    "Chispa",
    "Lucas",
    "Maya",
    "Canela",
    "Trufa",
    "Rufo",
    "Mía",
    "Bruno",
    "Zeus",
    "Nube",
    "Pipo",
    "Kiwi",
    "Misi",
    "Golfo",
    "Sultán",
    "Duna",
    "Frida",
    "Leo",
    "Olivia",
    "Lía",
    "Tango",
    "Chester",
    "Bobby",
    "Nico",
    "Pelusa",
    "Tara",
    "Sombra",
    "Yako",
    "Boira",
]
# The chain's sedes beyond the one the migrations create (codigo, nombre, zone); that one
# takes the benchmark's zone.
SEDES = (
    ("BCN", "Bench Barcelona", "Europe/Madrid"),
    ("LPA", "Bench Las Palmas", "Atlantic/Canary"),
    ("SVQ", "Bench Sevilla", "Europe/Madrid"),
)
MOTIVOS_CITA = ("Revisión anual", "Vacunación", "Control de peso", "Consulta dermatológica", "Cojera", "Vómitos")
VACUNAS = ("Rabia", "Polivalente canina", "Leptospirosis", "Trivalente felina", "Leucemia felina", "Mixomatosis")


@dataclass(frozen=True)
class Sizes:
    clientes: int
    pacientes: int
    citas: int
    consultas: int
    vacunas: int

    @classmethod
    def at_scale(cls, scale: float) -> Sizes:
        return cls(**{name: max(10, round(count * scale)) for name, count in FULL_SIZES.items()})

    @property
    def veterinarios(self) -> int:
        """Enough vets for the citas to fill ~14 slots a weekday over three years."""
        weekdays = (DAYS_BACK + DAYS_AHEAD) * 5 // 7
        return max(1, math.ceil(self.citas / (SLOTS_PER_DAY * weekdays)))


def _array(values) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _coprime(n: int, start: int) -> int:
    """A multiplier that permutes 0..n-1 (n * k mod n is a bijection when gcd(k, n) = 1)."""
    k = start
    while math.gcd(k, n) != 1:
        k += 1
    return k


def first_monday(today: datetime.date) -> datetime.date:
    start = today - datetime.timedelta(days=DAYS_BACK)
    return start - datetime.timedelta(days=start.weekday())


def statements(
    sizes: Sizes,
    *,
    vet_ids: list[int],
    admin_id: int,
    tz: str,
    today: datetime.date,
    vet_sedes: list[int] | None = None,
    vet_zonas: list[str] | None = None,
) -> list[str]:
    """The INSERTs, in dependency order. Ids are explicit (1..N) on freshly truncated tables.
    `vet_sedes` and `vet_zonas`: each vet's sede and its zone (by default the sede id 1 in `tz`)."""
    vets = "ARRAY[" + ",".join(str(v) for v in vet_ids) + "]::bigint[]"
    sedes = "ARRAY[" + ",".join(str(s) for s in (vet_sedes or [1] * len(vet_ids))) + "]::bigint[]"
    zonas = _array(vet_zonas or [tz] * len(vet_ids))
    n_vets = len(vet_ids)
    start = first_monday(today)
    cita_step = _coprime(sizes.pacientes, 7919)
    consulta_step = _coprime(sizes.pacientes, 104_729)
    return [
        f"""
        INSERT INTO clientes_cliente (id, nombre, apellidos, documento, email, telefono, movil, direccion, ciudad,
                                      notas, acepta_email, acepta_sms, acepta_whatsapp, canal_preferido, idioma,
                                      activo, usuario_id, creado_en, actualizado_en)
        SELECT n,
               ({_array(NOMBRES)})[1 + n % {len(NOMBRES)}],
               ({_array(APELLIDOS)})[1 + (n / {len(NOMBRES)}) % {len(APELLIDOS)}] || ' ' ||
                   ({_array(APELLIDOS)})[1 + (n / 7) % {len(APELLIDOS)}],
               lpad(n::text, 8, '0') || substr('TRWAGMYFPDXBNJZSQVHLCKE', 1 + n % 23, 1),
               CASE WHEN n % 4 = 0 THEN '' ELSE 'cliente' || n || '@correo.test' END,
               -- phones as the application stores them (E.164, core.phones)
               CASE WHEN n % 5 = 0 THEN '+3491' || lpad(n::text, 7, '0') ELSE '+346' || lpad(n::text, 8, '0') END,
               CASE WHEN n % 3 = 0 THEN '' ELSE '+346' || lpad(n::text, 8, '0') END,
               'Calle Mayor ' || (n % 300) || ', ' || (n % 9 + 1) || 'º',
               ({_array(CIUDADES)})[1 + n % {len(CIUDADES)}],
               CASE WHEN n % 7 = 0 THEN 'Prefiere WhatsApp' ELSE '' END,
               n % 4 <> 0, n % 3 = 1, n % 7 = 0 AND n % 3 <> 0,
               CASE WHEN n % 7 = 0 AND n % 3 <> 0 THEN 'whatsapp'
                    WHEN n % 4 = 0 AND n % 3 = 1 THEN 'sms' ELSE 'email' END,
               CASE WHEN n % 10 = 0 THEN 'en' ELSE 'es' END,
               n % 50 <> 0, NULL,
               now() - make_interval(days => n % 1500), now() - make_interval(days => n % 300)
        FROM generate_series(1, {sizes.clientes}) AS n
        """,
        f"""
        INSERT INTO pacientes_paciente (id, nombre, especie, raza, sexo, fecha_nacimiento, color, microchip,
                                        esterilizado, peso_kg, alergias, notas, fallecido, fecha_fallecimiento,
                                        propietario_id, activo, creado_en, actualizado_en)
        SELECT p, nombre, especie, raza, sexo, nacimiento, color, microchip, p % 2 = 0, peso, alergias, '',
               p % 25 = 0, CASE WHEN p % 25 = 0 THEN LEAST(current_date, nacimiento + 3000) END,
               1 + (p - 1) % {sizes.clientes}, p % 40 <> 0,
               now() - make_interval(days => p % 1500), now() - make_interval(days => p % 200)
        FROM (
            SELECT p,
                   ({_array(MASCOTAS)})[1 + (p * 13) % {len(MASCOTAS)}] AS nombre,
                   CASE WHEN p % 20 < 10 THEN 'perro' WHEN p % 20 < 17 THEN 'gato'
                        WHEN p % 20 = 17 THEN 'conejo' WHEN p % 20 = 18 THEN 'ave' ELSE 'huron' END AS especie,
                   CASE WHEN p % 3 = 0 THEN 'Mestizo' WHEN p % 3 = 1 THEN 'Labrador' ELSE '' END AS raza,
                   (ARRAY['macho', 'hembra', 'desconocido'])[1 + p % 3] AS sexo,
                   DATE '2008-01-01' + (p * 37) % 6000 AS nacimiento,
                   (ARRAY['Negro', 'Blanco', 'Canela', 'Atigrado', 'Gris'])[1 + p % 5] AS color,
                   CASE WHEN p % 3 = 0 THEN '' ELSE '724' || lpad(p::text, 12, '0') END AS microchip,
                   ((p % 400) + 5) / 10.0 AS peso,
                   CASE WHEN p % 17 = 0 THEN 'Penicilina' ELSE '' END AS alergias
            FROM generate_series(1, {sizes.pacientes}) AS p
        ) AS generated
        """,
        f"""
        INSERT INTO citas_cita (id, sede_id, paciente_id, veterinario_id, inicio, fin, motivo, estado, notas,
                                motivo_cancelacion, creado_por_id, creado_en, actualizado_en)
        SELECT n + 1, sede, paciente, vet, inicio, inicio + interval '30 minutes', motivo,
               CASE WHEN inicio < now() THEN
                        CASE WHEN n % 100 < 85 THEN 'completada' WHEN n % 100 < 93 THEN 'cancelada'
                             ELSE 'no_asistio' END
                    ELSE CASE WHEN n % 100 < 70 THEN 'programada' WHEN n % 100 < 95 THEN 'confirmada'
                              ELSE 'cancelada' END
               END,
               '', '', {admin_id}, inicio - interval '7 days', inicio - interval '7 days'
        FROM (
            SELECT n,
                   1 + (n::bigint * {cita_step}) % {sizes.pacientes} AS paciente,
                   ({vets})[1 + n % {n_vets}] AS vet,
                   ({sedes})[1 + n % {n_vets}] AS sede,
                   ((DATE '{start.isoformat()}'
                       + ((n / {n_vets} / {SLOTS_PER_DAY}) / 5) * 7 + (n / {n_vets} / {SLOTS_PER_DAY}) % 5)
                     + TIME '09:00'
                     + make_interval(mins => 30 * ((n / {n_vets}) % {SLOTS_PER_DAY}
                                                  + CASE WHEN (n / {n_vets}) % {SLOTS_PER_DAY} >= 7
                                                         THEN 4 ELSE 0 END))
                   ) AT TIME ZONE ({zonas})[1 + n % {n_vets}] AS inicio,
                   ({_array(MOTIVOS_CITA)})[1 + n % {len(MOTIVOS_CITA)}] AS motivo
            FROM generate_series(0, {sizes.citas - 1}) AS n
        ) AS generated
        """,
        f"""
        INSERT INTO pacientes_consulta (id, sede_id, paciente_id, veterinario_id, cita_id, fecha, motivo, anamnesis,
                                        examen_fisico, diagnostico, tratamiento, peso_kg, temperatura_c, notas,
                                        creado_en, actualizado_en)
        SELECT j + 1, ({sedes})[1 + j % {n_vets}], 1 + (j::bigint * {consulta_step}) % {sizes.pacientes},
               ({vets})[1 + j % {n_vets}], NULL,
               fecha, ({_array(MOTIVOS_CITA)})[1 + j % {len(MOTIVOS_CITA)}],
               'El propietario refiere decaimiento desde hace dos días y menor apetito.',
               'Mucosas rosadas, TRC < 2 s, auscultación sin hallazgos.',
               'Gastroenteritis leve', 'Dieta blanda 3 días; revisión si no mejora.',
               CASE WHEN j % 3 = 0 THEN NULL ELSE ((j % 400) + 5) / 10.0 END,
               37.5 + (j % 20) / 10.0, '', fecha, fecha
        FROM (
            SELECT j, now() - make_interval(days => 1 + j % {DAYS_BACK}, mins => j % 480) AS fecha
            FROM generate_series(0, {sizes.consultas - 1}) AS j
        ) AS generated
        """,
        f"""
        INSERT INTO pacientes_vacuna (id, paciente_id, nombre, lote, fecha_aplicacion, proxima_dosis,
                                      veterinario_id, notas, creado_en, actualizado_en)
        SELECT j + 1, 1 + j % {sizes.pacientes}, ({_array(VACUNAS)})[1 + (j / {sizes.pacientes}) % {len(VACUNAS)}],
               'L' || lpad((j % 9999)::text, 4, '0'), aplicada, aplicada + 365, ({vets})[1 + j % {n_vets}], '',
               aplicada, aplicada
        FROM (
            SELECT j, current_date - (1 + (j * 31) % 1095) AS aplicada
            FROM generate_series(0, {sizes.vacunas - 1}) AS j
        ) AS generated
        """,
    ]


GENERATED_TABLES = ("pacientes_vacuna", "pacientes_consulta", "citas_cita", "pacientes_paciente", "clientes_cliente")


def _bulk_load(cursor, table: str, statement: str) -> None:
    """Runs `statement` with the table's secondary indexes, foreign keys and exclusion
    constraints set aside, then rebuilds them in one pass each (and so re-validates every
    row): far faster than maintaining them row by row, with the same end state."""
    cursor.execute(
        """
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype IN ('f', 'x')
        """,
        [table],
    )
    constraints = cursor.fetchall()
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
        WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [table],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    cursor.execute(statement)
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def _sedes(tz: str) -> list:
    """The chain: the sede the migrations created (in the benchmark's zone) and SEDES."""
    from django.conf import settings

    from sedes.models import CODIGO_PRINCIPAL, Sede

    principal = Sede.objects.filter(codigo=CODIGO_PRINCIPAL).first() or Sede(
        codigo=CODIGO_PRINCIPAL, nombre=settings.CLINIC_NAME
    )
    principal.zona_horaria = tz
    principal.save()
    otras = [
        Sede.objects.get_or_create(codigo=codigo, defaults={"nombre": nombre, "zona_horaria": zona})[0]
        for codigo, nombre, zona in SEDES
    ]
    return [principal, *otras]


def generate(connection, sizes: Sizes, *, tz: str, log=print, vacuum: bool = True) -> dict:
    """Fills an empty, migrated database; returns {table: seconds}. `connection` is Django's."""
    import time

    from django.contrib.auth.hashers import make_password

    from accounts.models import Rol, User

    timings = {}
    password = make_password(BENCH_PASSWORD)
    admin = User.objects.create(email=ADMIN_EMAIL, nombre="Admin", apellidos="Bench", rol=Rol.ADMIN, password=password)
    vets = User.objects.bulk_create(
        User(
            email=f"vet{i}@bench.vetclinic",
            nombre=NOMBRES[i % len(NOMBRES)],
            apellidos=APELLIDOS[i % len(APELLIDOS)],
            rol=Rol.VETERINARIO,
            password=password,
        )
        for i in range(sizes.veterinarios)
    )
    chain = _sedes(tz)
    vet_sedes = [chain[i % len(chain)] for i in range(len(vets))]
    for vet, sede in zip(vets, vet_sedes, strict=True):
        sede.personal.add(vet)
    today = datetime.date.today()
    sql = statements(
        sizes,
        vet_ids=[v.pk for v in vets],
        admin_id=admin.pk,
        tz=tz,
        today=today,
        vet_sedes=[s.pk for s in vet_sedes],
        vet_zonas=[s.zona_horaria for s in vet_sedes],
    )
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for table, statement in zip(reversed(GENERATED_TABLES), sql, strict=True):
            started = time.perf_counter()
            _bulk_load(cursor, table, statement)
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            timings[table] = time.perf_counter() - started
            log(f"  {table:20} {getattr(sizes, table.split('_')[1] + 's', 0) or '':>10} rows in {timings[table]:.1f}s")
        if vacuum:
            started = time.perf_counter()
            # Visibility map and statistics, as a long-lived database would have them.
            cursor.execute("VACUUM ANALYZE")
            timings["vacuum_analyze"] = time.perf_counter() - started
    return timings
