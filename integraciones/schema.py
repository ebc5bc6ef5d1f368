from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """`Authorization: Api-Key <clave>` in the schema's security schemes."""

    target_class = "integraciones.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An integration key: `Api-Key <clave>` (see /api/v1/integraciones/).",
        }
