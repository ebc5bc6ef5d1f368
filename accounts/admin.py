import functools
import math

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm
from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from core.admin import SafeListsMixin, ServiceAdminMixin

from . import services
from .models import User
from .throttles import PasswordChangeRateThrottle, check_login_attempt

# The Cliente model, reached through the reverse relation so that accounts never imports clientes.
ClienteModel = User._meta.get_field("cliente").related_model
# The Sede model, likewise (Sede.personal is seen from here as User.sedes).
SedeModel = User._meta.get_field("sedes").related_model
SEDES_HELP = _("Veterinarios y recepcionistas: las sedes en las que trabajan (con una sola sede activa, vacío es esa).")


def sedes_field():
    return forms.ModelMultipleChoiceField(
        label=_("sedes"),
        queryset=SedeModel.objects.all(),
        required=False,
        widget=admin.widgets.FilteredSelectMultiple(_("sedes"), is_stacked=False),
        help_text=SEDES_HELP,
    )


class UserCreationForm(AdminUserCreationForm):
    cliente = forms.ModelChoiceField(
        label=_("cliente"),
        queryset=ClienteModel.objects.filter(usuario__isnull=True),
        required=False,
        help_text=_("Solo para el rol cliente: la ficha del propietario que usará este acceso."),
    )
    sedes = sedes_field()

    class Meta:
        model = User
        fields = ("email", "rol", "nombre", "apellidos", "telefono")


class UserEditForm(forms.ModelForm):
    cliente = forms.ModelChoiceField(label=_("cliente"), queryset=ClienteModel.objects.all(), required=False)
    sedes = sedes_field()

    class Meta:
        model = User
        fields = ("email", "nombre", "apellidos", "telefono", "rol", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["cliente"].initial = getattr(self.instance, "cliente", None)
            self.fields["sedes"].initial = list(self.instance.sedes.all())


class PasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "change password" page: like a change through the API, every refresh token
    issued before stops working (access tokens already die with the old password's hash)."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            services.revoke_refresh_tokens(user=user)
        return user


@admin.register(User)
class UserAdmin(ServiceAdminMixin, SafeListsMixin, DjangoUserAdmin):
    """Users are created and changed through accounts.services: the rol decides the group
    (admin permissions), staff status and the link to a Cliente."""

    form = UserEditForm
    add_form = UserCreationForm
    change_password_form = PasswordChangeForm
    list_display = ("email", "nombre", "apellidos", "rol", "is_active", "last_login")
    list_filter = ("rol", "is_active", "sedes")
    search_fields = ("email", "nombre", "apellidos", "telefono")
    ordering = ("email",)
    readonly_fields = ("contrasena", "grupos", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "contrasena")}),
        (_("Datos personales"), {"fields": ("nombre", "apellidos", "telefono")}),
        (_("Acceso"), {"fields": ("rol", "cliente", "sedes", "is_active", "grupos")}),
        (_("Fechas"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "rol",
                    "cliente",
                    "sedes",
                    "nombre",
                    "apellidos",
                    "telefono",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    @admin.display(description=_("contraseña"))
    def contrasena(self, obj):
        return format_html('<a href="{}">{}</a>', "../password/", _("Cambiar la contraseña"))

    @admin.display(description=_("grupos"))
    def grupos(self, obj):
        return ", ".join(group.name for group in obj.groups.all()) or "—"

    def get_form(self, request, obj=None, **kwargs):
        # The password is changed on its own page; the read-only hash is not a form field.
        if obj is not None:
            kwargs["fields"] = [*UserEditForm.Meta.fields, "cliente", "sedes"]
        return super().get_form(request, obj, **kwargs)

    def service_save(self, *, request, obj, data):
        fields = {name: data[name] for name in ("nombre", "apellidos", "telefono") if name in data}
        if obj is None:
            return services.user_create(
                actor=request.user,
                email=data["email"],
                password=data["password1"],
                rol=data["rol"],
                cliente=data.get("cliente"),
                sedes=list(data.get("sedes") or []),
                **fields,
            )
        fields.update({name: data[name] for name in ("email", "rol", "is_active")})
        return services.user_update(
            actor=request.user, user=obj, cliente=data.get("cliente"), sedes=list(data.get("sedes") or []), **fields
        )


def _too_many_attempts(wait):
    response = HttpResponse(
        gettext("Demasiados intentos de acceso. Vuelva a intentarlo dentro de unos minutos."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    if wait is not None:
        response["Retry-After"] = str(math.ceil(wait))
    return response


def throttled_login(login):
    """The admin's login view, limited like the API's: each POST (an attempt) counts against
    the login throttles' counters (per client IP and email, per client IP), the very ones the
    API login uses, so attempts through either add up. Over a limit the password is not even
    checked."""

    @functools.wraps(login)
    def view(request, extra_context=None):
        if request.method == "POST":
            wait = check_login_attempt(request)
            if wait is not None:
                return _too_many_attempts(wait)
        return login(request, extra_context)

    return never_cache(login_not_required(view))


def throttled_password_change(password_change):
    """The admin's own "change my password" page, like `POST /auth/password/`: each attempt
    counts against the user's PasswordChangeRateThrottle counter (it asks for the current
    password, so it must not be a way to guess it), and a change kills the user's tokens."""

    @functools.wraps(password_change)
    def view(request, extra_context=None):
        if request.method == "POST":
            throttle = PasswordChangeRateThrottle()
            if not throttle.allow_request(request, None):
                return _too_many_attempts(throttle.wait())
        response = password_change(request, extra_context)
        if request.method == "POST" and response.status_code == 302:  # the form redirects only once saved
            services.revoke_refresh_tokens(user=request.user)
        return response

    return view


# The other apps' admins get the same safe lists as ours.
for _model in (Group, OutstandingToken, BlacklistedToken):
    _model_admin = type(admin.site.get_model_admin(_model))
    admin.site.unregister(_model)
    admin.site.register(_model, type(_model_admin.__name__, (SafeListsMixin, _model_admin), {}))

# Wrapped on the default site, before vetclinic.urls asks it for its URLs (admin modules are
# imported when the apps are ready, the URLconf on the first request).
admin.site.login = throttled_login(admin.site.login)
admin.site.password_change = throttled_password_change(admin.site.password_change)
