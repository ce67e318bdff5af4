"""The JSON API, version 1. OpenAPI at /api/v1/openapi.json, generated from typed schemas."""

from ninja import NinjaAPI

from . import intake

api = NinjaAPI(title="Lantern API", version="1", urls_namespace="api-v1", docs_url=None)
api.add_router("/intake", intake.router)
