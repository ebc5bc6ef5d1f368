from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import SafeListsMixin

from .models import IdempotencyKey


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(SafeListsMixin, admin.ModelAdmin):
    """The stored Idempotency-Key answers, to look at (support: "did my retry run twice?").
    Read-only: they are written by the requests and deleted by their expiry."""

    list_display = ("key", "caller", "method", "path", "status_code", "created_at", "expires_at")
    list_filter = ("method", "status_code")
    search_fields = ("key", "caller", "path")
    ordering = ("-created_at",)
    fields = (
        "caller",
        "key",
        "method",
        "path",
        "status_code",
        "response_headers",
        "body",
        "created_at",
        "locked_at",
        "completed_at",
        "expires_at",
    )
    readonly_fields = fields

    @admin.display(description=_("cuerpo de la respuesta"))
    def body(self, obj):
        return bytes(obj.response_body).decode("utf-8", errors="replace")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
