"""The shared validators of core/validators.py, on their own."""

import sys
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from core.validators import no_control_characters, strip_control_characters


@pytest.mark.parametrize(
    "valor", ["Ana\nBcc: x@evil.com", "a\rb", "a\tb", "\x00", "\x1b[2J", "a\x7fb", "a\x85b", "a\u2028b"]
)
def test_control_characters_are_refused_with_a_stable_code(valor):
    with pytest.raises(ValidationError) as error:
        no_control_characters(valor)

    assert error.value.code == "caracteres_de_control"


@pytest.mark.parametrize(
    "valor", ["", "Íñigo Núñez-Peña", "O'Brien", "José María", "李小龍", "Zoë 🐾", "+34 600 111 222"]
)
def test_ordinary_names_pass(valor):
    no_control_characters(valor)


def test_every_code_point_of_category_cc_is_refused():
    controles = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cc"]

    for char in controles:
        with pytest.raises(ValidationError):
            no_control_characters(f"a{char}b")


def test_strip_turns_each_run_of_control_characters_and_spaces_into_one_space():
    assert strip_control_characters("  Ana\r\nBcc: x@evil.com\t\x1b[31m Sol\x00 ") == "Ana Bcc: x@evil.com [31m Sol"
