"""Two `importar_*` runs of one kind at once: the second waits for the first and finds its rows
(PostgreSQL only; SQLite's IMMEDIATE transactions already let a single writer in).

The runs connect as a role that does not own the tables, as a production database user
often is: its ANALYZE is skipped (statistics.py), and the lock ANALYZE takes on a table,
which happens to queue imports run by the owner, is not taken either.
"""

import threading
import time
import uuid

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import Lower

from clientes.models import Cliente
from clientes.tests.factories import ClienteFactory
from core.importing.locking import serialize
from core.importing.testing import run_import, write_csv
from historial.models import Vacuna
from pacientes.importers import PacienteImporter
from pacientes.models import Paciente
from pacientes.tests.factories import PacienteFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

ROWS = 400


@pytest.fixture
def non_owner_role():
    """A role with the rights an application user has (read and write rows), not the tables."""
    role = connection.ops.quote_name(f"vc_import_{uuid.uuid4().hex[:12]}")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}")
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


def import_twice_at_once(command, path, role):
    """Runs `command path` in two threads, each on its own connection as `role`, released together."""
    barrier = threading.Barrier(2)
    results = [None, None]

    def worker(index):
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SET ROLE {role}")
            barrier.wait(timeout=30)
            results[index] = run_import(command, path, "--batch-size", 50)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def assert_one_created_everything_and_the_other_found_it(results):
    assert [r.code for r in results] == [0, 0], [r.stderr for r in results]
    assert sorted(r.summary for r in results) == [
        f"0 creados, 0 actualizados, {ROWS} sin cambios, 0 con errores",
        f"{ROWS} creados, 0 actualizados, 0 sin cambios, 0 con errores",
    ]


def duplicated(queryset, *key):
    return list(queryset.values(*key).annotate(n=Count("pk")).filter(n__gt=1))


def test_two_simultaneous_client_imports_create_each_client_once(tmp_path, non_owner_role):
    # given a file of clientes
    lines = [f"{n:08d}X;Ana;Núñez;600{n:06d}" for n in range(ROWS)]
    path = write_csv(tmp_path / "clientes.csv", "\n".join(["documento;nombre;apellidos;telefono", *lines]) + "\n")
    # when it is imported twice at the same time
    results = import_twice_at_once("importar_clientes", path, non_owner_role)
    # then one run created them and the other, run after it, found them unchanged
    assert_one_created_everything_and_the_other_found_it(results)
    assert Cliente.objects.count() == ROWS
    assert duplicated(Cliente.objects.annotate(key=Lower("documento")), "key") == []


def test_two_simultaneous_paciente_imports_create_each_paciente_once(tmp_path, non_owner_role):
    # given owners, and a file of their pacientes, half of them without microchip (whose key,
    # owner + name + species, no unique index can guard: two such animals may exist)
    owners = ClienteFactory.create_batch(20)
    lines = ["documento_propietario,nombre,especie,microchip"]
    for n in range(ROWS):
        chip = f"{900000000000000 + n}" if n % 2 else ""
        lines.append(f"{owners[n % 20].documento},P{n},perro,{chip}")
    path = write_csv(tmp_path / "pacientes.csv", "\n".join(lines) + "\n")
    # when it is imported twice at the same time
    results = import_twice_at_once("importar_pacientes", path, non_owner_role)
    # then each paciente exists once
    assert_one_created_everything_and_the_other_found_it(results)
    assert Paciente.objects.count() == ROWS
    assert duplicated(Paciente.objects.annotate(key=Lower("nombre")), "propietario", "key", "especie") == []


def test_two_simultaneous_vaccine_imports_record_each_dose_once(tmp_path, non_owner_role):
    # given pacientes, and a file of their doses (a key no unique index guards)
    pacientes = PacienteFactory.create_batch(40, microchip="")
    lines = ["documento_propietario,paciente,vacuna,fecha_aplicacion"]
    for n in range(ROWS):
        p = pacientes[n % 40]
        lines.append(f"{p.propietario.documento},{p.nombre},Rabia,{1 + n // 40:02d}/01/2024")
    path = write_csv(tmp_path / "vacunas.csv", "\n".join(lines) + "\n")
    # when it is imported twice at the same time
    results = import_twice_at_once("importar_vacunas", path, non_owner_role)
    # then each dose is recorded once
    assert_one_created_everything_and_the_other_found_it(results)
    assert Vacuna.objects.count() == ROWS
    assert duplicated(Vacuna.objects.annotate(key=Lower("nombre")), "paciente", "key", "fecha_aplicacion") == []


def test_a_run_waits_for_the_run_of_its_kind_in_progress_and_says_so(tmp_path):
    # given a run of importar_pacientes in progress (its lock held by this transaction)
    owner = ClienteFactory(documento="1X")
    path = write_csv(tmp_path / "pacientes.csv", "documento_propietario,nombre,especie\n1X,Toby,perro\n")
    results = []

    def other_run():
        try:
            results.append(run_import("importar_pacientes", path))
        finally:
            connection.close()

    thread = threading.Thread(target=other_run)
    with transaction.atomic():
        serialize(PacienteImporter.lock_name(), Paciente)
        Paciente.objects.create(propietario=owner, nombre="toby", especie="perro")
        # when another run starts, then it waits for the lock
        thread.start()
        assert wait_for_a_waiting_advisory_lock(), "the second run did not wait"
        assert not results
    # and once the first commits, it goes on, finds the first's paciente and says it waited
    thread.join(timeout=30)
    (result,) = results
    assert (result.code, result.summary) == (0, "0 creados, 0 actualizados, 1 sin cambios, 0 con errores")
    assert "otra importación de pacientes está en curso: se espera a que termine" in result.stderr
    assert Paciente.objects.count() == 1


def test_runs_of_different_kinds_do_not_wait_for_each_other(tmp_path):
    path = write_csv(tmp_path / "clientes.csv", "documento;nombre;apellidos;telefono\n1X;Ana;Pi;611\n")
    results = []

    def other_run():
        try:
            results.append(run_import("importar_clientes", path))
        finally:
            connection.close()

    with transaction.atomic():
        serialize(PacienteImporter.lock_name(), Paciente)
        thread = threading.Thread(target=other_run)
        thread.start()
        thread.join(timeout=30)
        assert [r.summary for r in results] == ["1 creados, 0 actualizados, 0 sin cambios, 0 con errores"]


def wait_for_a_waiting_advisory_lock(seconds=10):
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False
