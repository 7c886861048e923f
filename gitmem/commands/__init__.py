"""One module per `git mem` verb; each exposes `run(args) -> int`."""
