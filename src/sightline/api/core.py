"""The NinjaAPI instance, authentication and problem+json errors (owned by the access/API work)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Sightline API", version="1", urls_namespace="api", docs_url="/docs")
