from tenants.middleware import TenantResolutionMiddleware

FLOOR_PATH = "/floor/healthz"


class BenchTenantMiddleware(TenantResolutionMiddleware):
    """The production middleware, except that FLOOR_PATH bypasses host resolution and tenancy:
    the same view through the same remaining middleware, i.e. the cost floor of a request."""

    def __call__(self, request):
        if request.path == FLOOR_PATH:
            request.urlconf = "deploy.bench.urls_floor"
            return self.get_response(request)
        return super().__call__(request)
