"""`git mem serve`: a local web UI, a REST API under /api/v1 and MCP over HTTP at /mcp.

Owns the HTTP adapter only: the safety rules (`guard`: Host and Origin checks, the bearer
token kept in the common dir, the request size cap), turning query strings and JSON bodies into
the calls the CLI makes (`params`, `api`), the OpenAPI document (`openapi`), the server-rendered
pages (`pages`, `templates/`, `static/`) with Markdown rendered and sanitised (`markdown`), and
the Starlette app that ties them together (`app`). The logic stays in the domains it uses:
`records` (list, search, show, save, update, delete, supersede), `sessions` (listing and
transcripts), `reports` (the kinds and DORA), `share` (backup bundles), `assist` (context
packs and the MCP app) and `publish` (the org API over the published database: `org`). It
alone imports starlette, uvicorn, jinja2, markdown-it-py and nh3.

It may import `store`, `search`, `records` and the domains named above; it must not import the
CLI (`cli`, `commands`, `main`).
"""
