"""Derived state: the disposable index that answers "which records?" in milliseconds.

Owns the manifest of what the index was built from (`catalog`), finding what changed since
(`changes`), the search engine (`index`, the only importer of whoosh), and query syntax and
filters (`query`). Deleting `<git-common-dir>/gitmem/index/` loses nothing: it is rebuilt.

It may import `store` (the record format, files, git); it must not import `records`, a domain
package or the CLI.
"""
