def register_routes(router):
    pass
