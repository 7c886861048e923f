"""What assistants get: context packs and the MCP server.

Owns building a context pack within a budget (`context`, `pack_sections`, `packing`) and the
MCP server with its tools (`mcp_server`, `mcp_tools`, `mcp_assist`, their arguments
`mcp_arguments`; over streamable HTTP `mcp_http`, which `git mem serve` mounts at /mcp; this
package is the only importer of mcp, anyio and jsonschema, which arrive with the optional `mcp`
extra).

It may import `store`, `search`, `records` and `sessions`; it must not import the CLI.
"""
