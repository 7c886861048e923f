"""The warm index service's client side: where a repository's service lives, the protocol, and
asking it (`client`), starting, stopping and describing it (`control`).

Owns the service's state directory (`<git-common-dir>/gitmem/service/`: lock, pid, log), its
socket (a short path in a private runtime directory), the versioned wire protocol, and the
client `gitmem.main` consults before it builds a parser. The service process itself is
`gitmem.daemon` (it runs the CLI's own commands, so it sits above `main`).

Everything here is standard library only: the client runs in every `git mem` read command
before anything else is imported. It must not import any other gitmem package or a
third-party module.
"""

# The commands the service answers (`main` asks the client only for these: every other
# command, the commit hook among them, imports nothing more than this package).
READ_COMMANDS = frozenset({"search", "list", "ls", "show", "context"})
