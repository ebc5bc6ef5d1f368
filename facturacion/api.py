from .views import FacturaViewSet, ImpuestoViewSet, PagoViewSet, PresupuestoViewSet, ProductoViewSet


def register_routes(router):
    router.register("impuestos", ImpuestoViewSet, basename="impuesto")
    router.register("productos", ProductoViewSet, basename="producto")
    router.register("presupuestos", PresupuestoViewSet, basename="presupuesto")
    router.register("facturas", FacturaViewSet, basename="factura")
    router.register("pagos", PagoViewSet, basename="pago")
