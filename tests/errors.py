"""Reading the API's error answers in tests: `{"type", "errors": [{"code", "detail", "attr"}]}`.

assert error_codes(response) == {"inicio": ["inicio_en_pasado"]}
"""

ERROR_TYPES = {"validation_error", "client_error", "server_error"}


def error_body(response) -> dict:
    """The body of an error answer, checked to have the contract's shape."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["type"] in ERROR_TYPES, body
    assert all(set(error) == {"code", "detail", "attr"} for error in body["errors"]), body
    return body


def error_codes(response) -> dict:
    """{attr: [code, ...]} of an error answer (attr None for errors about the whole request)."""
    codes = {}
    for error in error_body(response)["errors"]:
        codes.setdefault(error["attr"], []).append(error["code"])
    return codes


def error_details(response) -> dict:
    """{attr: [detail, ...]}: the translated messages."""
    details = {}
    for error in error_body(response)["errors"]:
        details.setdefault(error["attr"], []).append(error["detail"])
    return details


def error_code(response) -> str:
    """The code of an answer with exactly one error (401, 403, 404, 409, …)."""
    errors = error_body(response)["errors"]
    assert len(errors) == 1, errors
    return errors[0]["code"]
