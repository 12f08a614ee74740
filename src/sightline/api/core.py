"""The NinjaAPI instance: authentication, problem+json errors, pagination and self-hosted docs.

Domain routers (``sightline.api.<domain>``) use these pieces::

    from sightline.api.core import Pagination, paginate
    from sightline.api.auth import current_user, require

    @router.get("/things", response=list[ThingOut])
    @paginate(Pagination)
    def things(request): ...

Every error leaves as RFC 9457 ``application/problem+json`` and is documented as such in the
OpenAPI document (3.1, at ``/api/openapi.json``).
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase
from ninja.pagination import LimitOffsetPagination, paginate

from sightline.api.auth import session_auth, token_auth
from sightline.core.errors import NotFound
from sightline.ledger.services import StaleVersionError

log = logging.getLogger("sightline.api")

PROBLEM = "application/problem+json"
PAGE_DEFAULT = 50
PAGE_MAX = 200
PAGE_OFFSET_MAX = 1_000_000_000

__all__ = ["PAGE_MAX", "PROBLEM", "Pagination", "api", "paginate", "problem"]


# --- problem details (RFC 9457) ------------------------------------------------------------------


def problem(
    request: HttpRequest | None,
    status: int,
    detail: str = "",
    *,
    title: str = "",
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if request is not None:
        body["instance"] = request.path
    if errors is not None:
        body["errors"] = errors
    body.update(extensions)
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM)
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _pointer(loc: list[Any]) -> dict[str, str]:
    """Where a validation error is: a JSON pointer into the body, or the parameter's name."""
    source, *path = [str(p) for p in loc] or ["body"]
    if source == "body":
        # ninja nests the body under the parameter name; the client's document starts below it.
        inner = path[1:] if len(path) > 1 else path
        return {"pointer": "#/" + "/".join(inner)}
    return {"parameter": path[-1] if path else source, "in": source}


class ProblemError(Schema):
    detail: str
    pointer: str | None = None
    parameter: str | None = None


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[ProblemError] | None = None


# --- the API -------------------------------------------------------------------------------------


class SelfHostedDocs(DocsBase):
    """A GOV.UK page rendered from the OpenAPI document on the server: no CDN and no script, so
    it works under the strict Content-Security-Policy."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        return render(
            request,
            "web/api/docs.html",
            {
                "api": api,
                "schema": schema,
                "operations": _operations(schema),
                "openapi_url": self.get_openapi_url(api, kwargs),
            },
        )


METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(ref_or_schema: dict[str, Any]) -> str:
    if "$ref" in ref_or_schema:
        return str(ref_or_schema["$ref"]).rsplit("/", 1)[-1]
    if ref_or_schema.get("type") == "array":
        return f"list of {_schema_name(ref_or_schema.get('items', {}))}"
    if "anyOf" in ref_or_schema:
        return " or ".join(_schema_name(s) for s in ref_or_schema["anyOf"])
    if "allOf" in ref_or_schema:
        # An extended schema (e.g. Problem with extra members) is named after its base.
        return _schema_name(ref_or_schema["allOf"][0])
    return str(ref_or_schema.get("type", "object"))


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            params = [
                {
                    "name": p["name"],
                    "in": p["in"],
                    "required": p.get("required", False),
                    "type": _schema_name(p.get("schema", {})),
                    "description": p.get("description", ""),
                }
                for p in op.get("parameters", [])
            ]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            responses = []
            for code, resp in op.get("responses", {}).items():
                content = resp.get("content", {})
                media, spec = next(iter(content.items()), ("", None))
                responses.append(
                    {
                        "code": code,
                        "description": resp.get("description", ""),
                        "media": media,
                        "type": _schema_name(spec.get("schema", {})) if spec else "",
                    }
                )
            out.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tags": op.get("tags", []),
                    "auth": bool(op.get("security")),
                    "parameters": params,
                    "body": _schema_name(body) if body else "",
                    "responses": responses,
                    "id": op.get("operationId", f"{method}-{path}"),
                }
            )
    return out


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


class SightlineAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(problem_schema.pop("$defs", {}))
        components["Problem"] = problem_schema
        # Document the errors every operation can return, so clients (and schemathesis) expect them.
        for path, item in schema.get("paths", {}).items():
            for method in METHODS:
                op = item.get(method)
                if not op:
                    continue
                # ninja keys responses by int; with str keys added below, an operation's own 4xx
                # would be written twice to the JSON and the generic one would win.
                responses = op["responses"] = {str(k): v for k, v in op.get("responses", {}).items()}
                extra = {}
                if op.get("security"):
                    extra["401"] = "Not signed in, or the token is missing, unknown or revoked"
                    extra["403"] = "Signed in, but the role or need to know does not allow this"
                if op.get("requestBody"):
                    extra["400"] = "The request body could not be parsed"
                if method != "get":
                    extra["409"] = "The object changed since it was read, or its state does not allow this"
                if op.get("parameters") or op.get("requestBody"):
                    extra["422"] = "The request did not validate; `errors` says where"
                if "{" in path or op.get("requestBody"):
                    extra["404"] = "There is no such object (in the path, or referred to by the body)"
                extra["500"] = "Something went wrong on the server"
                for code, description in extra.items():
                    responses.setdefault(code, _problem_response(description))
        return schema


api = SightlineAPI(
    title="Sightline API",
    version="1",
    description=(
        "Multi-agency safeguarding records on a tamper-evident ledger. Authenticate with a bearer token "
        "(`sightline token create`) or a signed-in browser session. The same permission matrix, need to know "
        "and ledgered reads apply as on the web pages. Errors are RFC 9457 `application/problem+json`."
    ),
    urls_namespace="api",
    docs=SelfHostedDocs(),
    docs_url="/docs",
    auth=[token_auth, session_auth],
)


# --- error handlers ------------------------------------------------------------------------------


@api.exception_handler(NinjaValidationError)
def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"detail": str(e.get("msg", "invalid")), **_pointer(list(e.get("loc", [])))} for e in exc.errors
    ]
    return problem(request, 422, "The request did not validate", errors=errors)


@api.exception_handler(DjangoValidationError)
def _service_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"detail": msg, "pointer": f"#/{field}"} if field != "__all__" else {"detail": msg}
            for field, msgs in exc.message_dict.items()
            for msg in msgs
        ]
    else:
        errors = [{"detail": msg} for msg in exc.messages]
    return problem(request, 422, "The request did not validate", errors=errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="sightline"'} if exc.status_code == 401 else None
    detail = str(exc)
    if isinstance(exc, AuthenticationError) and detail == "Unauthorized":
        detail = "Sign in, or send a valid API token as 'Authorization: Bearer <token>'"
    return problem(request, exc.status_code, detail, headers=headers)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    extensions: dict[str, Any] = {}
    if getattr(exc, "can_break_glass", False):
        extensions["breakGlassAvailable"] = True
    return problem(request, 403, str(exc) or "Forbidden", **extensions)


@api.exception_handler(Http404)
@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 404, str(exc) or "Not found")


@api.exception_handler(StaleVersionError)
def _conflict(request: HttpRequest, exc: StaleVersionError) -> HttpResponse:
    return problem(request, 409, "Someone else changed this since you read it; read it again and retry")


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return problem(request, 500, "Something went wrong on the server. It has been logged.")


# --- pagination ----------------------------------------------------------------------------------


class Pagination(LimitOffsetPagination):
    """``limit`` (1 to PAGE_MAX, default PAGE_DEFAULT) and ``offset``; a larger limit is a 422."""

    class Input(Schema):
        limit: int = Field(
            PAGE_DEFAULT, ge=1, le=PAGE_MAX, description=f"Items per page (at most {PAGE_MAX})"
        )
        # Bounded so that offset + limit fits the databases' 64-bit LIMIT/OFFSET.
        offset: int = Field(0, ge=0, le=PAGE_OFFSET_MAX, description="Items to skip")

    class Output(Schema):
        items: list[Any]
        count: int
        limit: int
        offset: int

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=PAGE_MAX, **kwargs)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        out = super().paginate_queryset(queryset, pagination, request, **params)
        out["limit"] = pagination.limit
        out["offset"] = pagination.offset
        return out


def arguments(payload: Schema) -> dict[str, Any]:
    """A payload's fields as a service's keyword arguments, read from its attributes (nested values stay
    as they are); ``version`` goes as ``expected_version``."""
    kwargs = {name: getattr(payload, name) for name in type(payload).model_fields}
    if "version" in kwargs:
        kwargs["expected_version"] = kwargs.pop("version")
    return kwargs
