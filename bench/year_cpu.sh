#!/bin/bash
# Import a folder of feeds into a fresh database and print the wall time, the CPU time of
# the importing process (the writer) and that of its parsing processes, and the bytes the
# writer wrote (on SQLite: its log, checkpoints and database). On PostgreSQL, also the CPU
# time of the server's processes (a local server: read from /proc, exited backends included
# through the postmaster's children's time).
#
# Usage: bench/year_cpu.sh sqlite|pg DATA_DIR [CHECKOUT]
#   DATA_DIR from `lantern generate --years 1 --out DATA_DIR` (one London year);
#   CHECKOUT: another checkout (a git worktree of an older commit, say) to time with this
#   checkout's virtual environment, for an old-and-new comparison in one sitting.
#   PARSED_BEFOREHAND=1: parse every line first, untimed, and then import with parsing free
#   (each chunk handed to the writer as the parsing processes would return it): how long
#   the writer and the database take alone, the most a quicker parser could give.
# PostgreSQL: the database lantern_yr on 127.0.0.1 is dropped and made again.
set -euo pipefail
DB=$1; DATA=$(realpath "$2"); HERE=$(cd "$(dirname "$0")/.." && pwd); CHECKOUT=${3:-$HERE}
PYTHON=$HERE/.venv/bin/python
cd "$CHECKOUT"
if [ "$DB" = pg ]; then
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS lantern_yr" -c "CREATE DATABASE lantern_yr" postgres >/dev/null
  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/lantern_yr
else
  SCRATCH=$(mktemp -d)
  export DATABASE_URL=sqlite:///$SCRATCH/lantern.sqlite3
fi
"$PYTHON" -m lantern migrate -v0 >/dev/null 2>&1
# CPU seconds of every postgres process so far: own time and that of children that have exited.
server_cpu() {
  local ticks=0 pid fields
  for pid in $(pgrep -x postgres); do
    read -r -a fields < "/proc/$pid/stat" || continue
    ticks=$((ticks + fields[13] + fields[14] + fields[15] + fields[16]))
  done
  echo "$ticks"
}
[ "$DB" = pg ] && server_before=$(server_cpu)
DATA=$DATA "$PYTHON" - <<'PY'
import os, resource, time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantern.config.settings.local")
import django

django.setup()
from lantern.intake.importer import import_paths

def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def written() -> int:
    """Bytes this process has handed to write calls (SQLite's log, its checkpoints, the database)."""
    return int(next(line.split()[1] for line in open("/proc/self/io") if line.startswith("wchar:")))


if os.environ.get("PARSED_BEFOREHAND"):
    from itertools import chain

    from lantern.intake import importer
    from lantern.intake.transfer import pack_lines, parse_packed, unpack_parsed

    from django.conf import settings

    # Read and parsed as import_paths does into a fresh database (no trained model: not linking).
    files = importer.feed_files([Path(os.environ["DATA"])])
    lines = chain.from_iterable(importer.read_feed(f, settings.LANTERN_MAX_LINE_BYTES) for f in files)
    packed = [parse_packed(pack_lines(chunk), False) for chunk in importer._chunks(lines, importer.CHUNK_LINES)]
    print(f"parsed beforehand: {len(packed)} chunks, {sum(map(len, packed)) / 1e6:.0f} MB")

    def parsed_already(chunks, workers, linking=True):
        for chunk, parsed in zip(chunks, packed, strict=True):
            yield len(chunk), unpack_parsed(parsed, chunk)

    importer._parsed_chunks = parsed_already

before, written_before = cpu(resource.RUSAGE_SELF), written()  # Django's start-up is not the import's
start = time.perf_counter()
run = import_paths([Path(os.environ["DATA"])], workers=2)
wall = time.perf_counter() - start
# The writer's process includes SQLite's helper threads (sorting for index builds).
writer, parsers = cpu(resource.RUSAGE_SELF) - before, cpu(resource.RUSAGE_CHILDREN)
print(f"{wall:.1f} s wall; writer {writer:.1f} CPU-s ({100 * writer / wall:.0f}% of the wall); "
      f"parsing processes {parsers:.1f} CPU-s; {run.counts['created']:,} created; "
      f"writer wrote {(written() - written_before) / 1e9:.2f} GB; peak memory: writer "
      f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB, a parsing process "
      f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024} MB")
PY
if [ "$DB" = pg ]; then
  awk -v ticks=$(( $(server_cpu) - server_before )) -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "PostgreSQL server %.1f CPU-s\n", ticks / hz }'
fi
