import json

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request of this API nests deeper than a few levels (an invoice's lines); a body nested
# hundreds of levels deep only exists to exhaust the recursion of whatever walks it.
MAX_DEPTH = 32


def _too_deep(data, limit=MAX_DEPTH):
    """True when `data` nests lists/objects more than `limit` levels deep (walked without recursion)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class StrictJSONParser(JSONParser):
    """JSON bodies whose strings are valid Unicode text, nested at most MAX_DEPTH levels.

    JSON may spell lone surrogates (`"\\udc80"`) and NUL characters that no
    database text column can hold; they are refused here with a 400 instead of
    failing deep inside the database driver. Deep nesting is refused before anything
    (this parser's own checks included) walks the body recursively.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("El cuerpo JSON está anidado demasiado profundamente.")) from exc
        if _too_deep(data):
            raise ParseError(_("El cuerpo JSON está anidado demasiado profundamente."))
        try:
            text = json.dumps(data, ensure_ascii=False)
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ParseError(_("El cuerpo contiene caracteres Unicode no válidos.")) from exc
        if "\\u0000" in text:
            raise ParseError(_("El cuerpo contiene caracteres nulos (NUL)."))
        return data
