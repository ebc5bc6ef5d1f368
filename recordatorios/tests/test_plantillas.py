"""Templates: whitelisted variables, SMS segments, built-in defaults and which template wins."""

import itertools

import pytest
from django.core.exceptions import ValidationError

from clientes.models import CanalPreferido, Idioma
from recordatorios.models import Plantilla, TipoRecordatorio
from recordatorios.plantillas import DEFECTO, EJEMPLO, render, segmentos, validate_plantilla
from recordatorios.selectors import plantillas_activas, texto_de
from recordatorios.tests.factories import PlantillaFactory
from sedes.tests.factories import SedeFactory


def codigos(exc_info):
    return [error.code for error in exc_info.value.error_list]


# --- variables ----------------------------------------------------------------------------------


@pytest.mark.parametrize("texto", ["Hola {nombre}", "{cliente.usuario}", "{paciente[0]}", "{fecha!r}", "{hora:>9}"])
def test_a_template_with_an_unknown_or_decorated_variable_is_refused(texto):
    with pytest.raises(ValidationError) as exc_info:
        validate_plantilla(texto)

    assert codigos(exc_info) == ["variable_desconocida"]


@pytest.mark.parametrize("texto", ["Hola {cliente", "Hola cliente}"])
def test_a_template_with_an_unbalanced_brace_is_refused(texto):
    with pytest.raises(ValidationError) as exc_info:
        validate_plantilla(texto)

    assert codigos(exc_info) == ["plantilla_invalida"]


@pytest.mark.django_db
def test_saving_a_template_with_an_unknown_variable_names_the_field():
    plantilla = PlantillaFactory.build(cuerpo="Hola {cliente}, {mascota} tiene cita")

    with pytest.raises(ValidationError) as exc_info:
        plantilla.full_clean()

    assert [e.code for e in exc_info.value.error_dict["cuerpo"]] == ["variable_desconocida"]


def test_every_whitelisted_variable_renders_and_literal_braces_stay():
    texto = "{cliente} {paciente} {vacuna} {fecha} {hora} {sede} {telefono_sede} {{literal}}"
    validate_plantilla(texto)

    assert render(texto, EJEMPLO) == "Marta Nube Rabia 14/03/2027 10:30 Clínica Veterinaria +34910000000 {literal}"


# --- segments -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texto", "codificacion", "partes"),
    [
        ("", "GSM-7", 0),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("ñÑüé@£" * 20, "GSM-7", 1),  # accented letters of the GSM-7 set stay GSM-7
        ("€" * 80, "GSM-7", 1),  # extension characters count double: 160
        ("€" * 81, "GSM-7", 2),  # 162
        ("a" * 159 + "€", "GSM-7", 2),  # 161: one € more than fits
        ("a" * 158 + "|", "GSM-7", 1),  # 160
        ("á" * 70, "UCS-2", 1),  # á is not GSM-7
        ("á" * 71, "UCS-2", 2),
        ("a" * 133 + "ó", "UCS-2", 2),  # one character outside GSM-7 turns the whole text UCS-2
        ("a" * 134 + "ó", "UCS-2", 3),
        ("🐶" * 35, "UCS-2", 1),  # an emoji is two UTF-16 units
        ("🐶" * 36, "UCS-2", 2),
    ],
)
def test_segment_counts(texto, codificacion, partes):
    resultado = segmentos(texto)

    assert (resultado.codificacion, resultado.partes) == (codificacion, partes)


# --- defaults and which template wins -----------------------------------------------------------


def test_there_is_a_valid_built_in_default_for_every_tipo_channel_and_language():
    combinaciones = set(itertools.product(TipoRecordatorio.values, CanalPreferido.values, Idioma.values))

    assert set(DEFECTO) == combinaciones
    for texto in DEFECTO.values():
        validate_plantilla(texto.cuerpo)
        validate_plantilla(texto.asunto)


def test_built_in_sms_defaults_fit_one_gsm7_part_with_plain_names():
    valores = {**EJEMPLO, "sede": "VetClinic Madrid"}
    for idioma in Idioma.values:
        for tipo in TipoRecordatorio.values:
            resultado = segmentos(render(DEFECTO[(tipo, "sms", idioma)].cuerpo, valores))
            assert (resultado.codificacion, resultado.partes) == ("GSM-7", 1)


def test_a_built_in_default_leaves_the_phone_out_when_the_sede_has_none():
    texto = DEFECTO[("vacuna", "email", "es")]

    con = render(texto.para(EJEMPLO).cuerpo, EJEMPLO)
    sin = render(texto.para({**EJEMPLO, "telefono_sede": ""}).cuerpo, {**EJEMPLO, "telefono_sede": ""})

    assert con.endswith("en Clínica Veterinaria (tel. +34910000000).")
    assert sin.endswith("en Clínica Veterinaria.")


@pytest.mark.django_db
def test_the_sedes_active_template_wins_over_the_general_one_and_that_over_the_default():
    madrid, canarias, otra = SedeFactory(), SedeFactory(), SedeFactory()
    PlantillaFactory(tipo="vacuna", canal="sms", idioma="es", sede=None, cuerpo="general")
    PlantillaFactory(tipo="vacuna", canal="sms", idioma="es", sede=madrid, cuerpo="de Madrid")
    PlantillaFactory(tipo="vacuna", canal="sms", idioma="es", sede=canarias, cuerpo="inactiva", activo=False)
    plantillas = plantillas_activas()

    def cuerpo(sede, idioma="es"):
        return texto_de(plantillas, tipo="vacuna", canal="sms", idioma=idioma, sede_id=sede.pk).cuerpo

    assert cuerpo(madrid) == "de Madrid"
    assert cuerpo(canarias) == "general"
    assert cuerpo(otra) == "general"
    assert cuerpo(madrid, idioma="en") == DEFECTO[("vacuna", "sms", "en")].cuerpo


@pytest.mark.django_db
def test_a_templates_segments_are_those_of_its_text_rendered_with_example_values():
    corta = PlantillaFactory(cuerpo="{paciente}: vacuna el {fecha}")
    larga = PlantillaFactory(cuerpo="{paciente} " + "a" * 160, sede=SedeFactory())

    assert (corta.segmentos, larga.segmentos) == (1, 2)
    assert Plantilla.objects.count() == 2
