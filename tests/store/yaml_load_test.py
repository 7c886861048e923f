"""`store.yaml_load`: PyYAML imported with its pure-Python reader's regex compiled on first
use; everything else as PyYAML has it (a fresh interpreter: this one has PyYAML loaded)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import re
compile_before = re.compile
from gitmem.store import yaml_load
yaml = yaml_load.load()
import yaml.reader, yaml.resolver
print(re.compile is compile_before)
print(type(yaml.reader.Reader.NON_PRINTABLE).__name__)
print(type(yaml.resolver.Resolver.yaml_implicit_resolvers["t"][0][1]).__name__)
print(yaml.load("a: 2026-01-05\\nb: [1, true]", Loader=yaml.CSafeLoader))
try:
    yaml.load("a: b\\x07", Loader=yaml.SafeLoader)  # the pure-Python reader: the regex used
except yaml.reader.ReaderError as error:
    print(str(error).splitlines()[0])
print(yaml.load("a: b", Loader=yaml.SafeLoader))
"""


def test_the_reader_regex_is_compiled_when_used() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "True",
        "_LaterPattern",
        "Pattern",
        "{'a': datetime.date(2026, 1, 5), 'b': [1, True]}",
        "unacceptable character #x0007: special characters are not allowed",
        "{'a': 'b'}",
    ]
