"""A throwaway PostgreSQL server for the benchmarks, so no managed database is needed.

`--database auto` on `bench/fanout.py` or `bench/search.py` starts one for the run and
removes it after. To keep one up (to run several benches against it, or psql):

    .venv/bin/python bench/pgserver.py      # prints how to connect; serves until Ctrl-C

It is the tests' server (tests/store/postgres.py: the distribution's binaries, a temporary
folder, loopback, a free port, run as an unprivileged user under root), started durable:
fsync and synchronous commit on, 512 MB of shared buffers, as a server is really run (the
tests turn both off). The password goes to a pgpass file, never to the output.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.store.postgres import SUPERUSER, PostgresServer, find_binaries


@contextmanager
def throwaway() -> Iterator[PostgresServer]:
    """A started server with an empty database `bench` (URL: `server.url("bench")`)."""
    binaries = find_binaries()
    if binaries is None:
        raise SystemExit(
            "PostgreSQL is not installed (no initdb): apt-get install postgresql, "
            "or give --database postgresql://user@host:port/db"
        )
    server = PostgresServer(binaries, durable=True)
    print(f"postgresql: starting a throwaway server ({binaries})", file=sys.stderr, flush=True)
    server.start()
    try:
        server.create_database("bench")
        yield server
    finally:
        server.stop()


def main() -> int:
    with throwaway() as server:
        passfile = server.root / "pgpass"
        passfile.write_text(
            f"127.0.0.1:{server.port}:*:{SUPERUSER}:{server.password}\n", encoding="utf-8"
        )
        passfile.chmod(0o600)
        url = server.url("bench", password=False)
        print(f"PostgreSQL on 127.0.0.1:{server.port} ({server.binaries}), Ctrl-C stops it")
        print(f"  export PGPASSFILE={passfile}")
        print(f"  .venv/bin/python bench/fanout.py --database {url}")
        print(f"  .venv/bin/python bench/search.py --database {url}")
        sys.stdout.flush()
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        with suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
