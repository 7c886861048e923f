"""Derived state: the disposable index that answers "which records?" in milliseconds.

Owns the manifest of what the index was built from (`catalog`), finding what changed since
(`changes`), which noted commits neither HEAD nor the default branch reaches (`reach`), the
search engine behind one interface (`engine`: build, update, is-current, open
a reader; rows, hits and opaque `Doc` handles, never an engine's own types), its Whoosh
implementation (`whoosh_*` and `index`, the only importers of whoosh), and query filters
(`query`). Deleting `<git-common-dir>/gitmem/index/` loses nothing: it is rebuilt.

It may import `store` (the record format, files, git); it must not import `records`, a domain
package or the CLI.
"""
