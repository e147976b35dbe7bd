"""The OpenAPI 3.1 document, built from the registered API routes and their pydantic bodies."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, jsonify
from pydantic.json_schema import models_json_schema

from hub import __version__
from hub.access import PUBLIC, allowed_roles
from hub.api import api_route

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def build_document() -> dict[str, Any]:
    """Describe every rule under /api/v1 that was declared with ``api_route``."""
    routes = []
    for rule in current_app.url_map.iter_rules():
        view = current_app.view_functions.get(rule.endpoint)
        spec = getattr(view, "api_spec", None)
        if spec is not None:
            routes.append((rule, spec))
    bodies = {spec["body"] for _, spec in routes if spec["body"] is not None}
    refs, top = models_json_schema(
        [(m, "validation") for m in bodies], ref_template="#/components/schemas/{model}"
    )
    schemas = dict(top.get("$defs", {}))
    schemas["Error"] = _ERROR
    paths: dict[str, dict] = {}
    for rule, spec in sorted(routes, key=lambda r: r[0].rule):
        path = _CONVERTER.sub(r"{\2}", rule.rule)
        params = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "integer" if conv == "int" else "string"},
            }
            for conv, name in _CONVERTER.findall(rule.rule)
        ]
        params += [
            {
                "name": k,
                "in": "query",
                "required": False,
                "description": v,
                "schema": {"type": "string"},
            }
            for k, v in spec["query"].items()
        ]
        roles = sorted(allowed_roles(rule.endpoint) or [])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "operationId": f"{rule.endpoint.split('.')[-1]}_{method.lower()}",
                "summary": spec["summary"],
                "tags": [spec["tag"]],
                "parameters": params,
                "x-roles": roles,
                "responses": {
                    str(code): {"description": text}
                    for code, text in (spec["responses"] or {200: "OK"}).items()
                },
            }
            if spec["doc"]:
                op["description"] = spec["doc"].strip()
            if PUBLIC not in roles:
                op["security"] = [{"bearer": []}, {"session": []}]
                op["responses"].setdefault("401", {"description": "not logged in"})
                op["responses"].setdefault("403", {"description": "role not allowed"})
            for code in ("400", "401", "403", "404", "409", "413", "415", "429"):
                if code in op["responses"]:
                    op["responses"][code]["content"] = {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    }
            if spec["body"] is not None:
                ref = refs[(spec["body"], "validation")]
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": ref}},
                }
            elif spec["multipart"]:
                props = {
                    k: ({"type": "string", "format": v} if v in ("binary", "date") else {"type": v})
                    for k, v in spec["multipart"].items()
                }
                op["requestBody"] = {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": props,
                                "required": list(props),
                            }
                        }
                    },
                }
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SmartCare hub API",
            "version": __version__,
            "description": "JSON API of the SmartCare hub. Authenticate with "
            "POST /auth/login and send 'Authorization: Bearer <token>', "
            "or use the browser session (with an X-CSRFToken header).",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {p[len("/api/v1") :] or "/": ops for p, ops in paths.items()},
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


@api_route("/openapi.json", roles=(PUBLIC,), tag="meta", summary="This document")
def openapi_document():
    return jsonify(build_document())
