import json

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class StrictJSONParser(JSONParser):
    """JSON bodies whose strings are valid Unicode text.

    JSON may spell lone surrogates (`"\\udc80"`) and NUL characters that no
    database text column can hold; they are refused here with a 400 instead of
    failing deep inside the database driver.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        try:
            text = json.dumps(data, ensure_ascii=False)
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ParseError(_("El cuerpo contiene caracteres Unicode no válidos.")) from exc
        if "\\u0000" in text:
            raise ParseError(_("El cuerpo contiene caracteres nulos (NUL)."))
        return data
