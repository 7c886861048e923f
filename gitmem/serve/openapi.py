"""The OpenAPI 3.1 document of /api/v1, made from the endpoint table (`api.ENDPOINTS`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from gitmem import __version__
from gitmem.serve.api import ENDPOINTS, Endpoint
from gitmem.serve.org import OPERATIONS as ORG_OPERATIONS
from gitmem.serve.org import Operation

PREFIX = "/api/v1"
MEANING = {
    "q": "the query, in `git mem search` syntax",
    "scope": "records (default), sessions (transcript messages) or all (both in one list)",
    "match": "plain words: any (default: any may match, ranked) or all (each required)",
    "limit": "at most this many",
    "offset": "skip this many (paging: next_offset says where the next page starts)",
    "all": "include retired records and those on unmerged commits (true/false)",
    "format": "json, markdown or html",
    "since": "from this time on: a date (2026-11-01), a time, or `3 days ago`",
    "until": "up to this time: a date (2026-11-01), a time, or `3 days ago`",
    "budget": "tokens (ceil(characters / 4))",
    "query": "search text moving matches to the top of each section (repeatable)",
}
ERROR = {
    "description": "a JSON error: the CLI's one-line message",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
                "required": ["error", "status"],
            }
        }
    },
}


def _parameters(
    path: str, params: Sequence[str], meaning: Mapping[str, str] = MappingProxyType({})
) -> list[dict[str, Any]]:
    names = re.findall(r"{(\w+)}", path)
    parameters: list[dict[str, Any]] = [
        {"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names
    ]
    parameters += [
        {
            "name": name,
            "in": "query",
            "required": name == "q",
            "schema": {"type": "string"},
            "description": meaning.get(name)
            or MEANING.get(name, f"the `--{name}` filter of the CLI (repeatable)"),
        }
        for name in params
    ]
    return parameters


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    parameters = _parameters(endpoint.path, endpoint.params)
    operation: dict[str, Any] = {
        "summary": endpoint.summary,
        "operationId": f"{endpoint.method.lower()}_{endpoint.handler.__name__}",
        "parameters": parameters,
        "responses": {
            "200": {"description": "the document the CLI's --json prints"},
            "400": ERROR,
            "404": ERROR,
        },
    }
    if endpoint.body:
        properties: dict[str, Any] = {name: {} for name in endpoint.body}
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": properties,
                        "additionalProperties": False,
                    }
                }
            },
        }
    if endpoint.method != "GET":
        operation["security"] = [{"bearer": []}]
        operation["responses"]["401"] = ERROR
        operation["responses"]["403"] = ERROR
    return operation


def _org_operation(operation: Operation) -> dict[str, Any]:
    """An operation of the org API (`serve.org`): read-only, from the published database."""
    return {
        "summary": operation.summary,
        "operationId": operation.name,
        "parameters": _parameters(operation.path, operation.params, operation.meaning),
        "responses": {
            "200": {"description": operation.answer},
            "400": ERROR,
            "404": ERROR,
            "422": {
                **ERROR,
                "description": "the database cannot answer (down, a wrong "
                "password, nothing published yet): the CLI's one-line message",
            },
        },
    }


def document(org: bool = False) -> dict[str, Any]:
    """The OpenAPI document; `org`: the server has a database, so its org API is listed too
    (without one those paths answer 404 saying how to give one, and are not listed)."""
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINTS:
        paths.setdefault(PREFIX + endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint)
    if org:
        for operation in ORG_OPERATIONS:
            paths[PREFIX + operation.path] = {"get": _org_operation(operation)}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "gitmem",
            "version": __version__,
            "description": "A repository's memory: records, search, sessions, reports, "
            "deploys, backups and context packs. Writes need `git mem serve --allow-writes` "
            "and the token it prints (Authorization: Bearer TOKEN). With a database "
            "(`git mem serve --database URL`), /api/v1/org/ searches and reports across every "
            "repository published there.",
        },
        "paths": paths,
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
