"""Synthetic London safeguarding data in the interchange format, calibrated to the Met's figures.

Pure Python with no database access: `generate()` simulates each borough's families and what
police, children's social care, schools, health and probation record about them, and writes
one JSON Lines file per feed plus the ground truth. See docs/generator.md.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import orjson

from .reference import Borough, agency_lines, select_boroughs
from .simulation import BoroughSimulation

DEFAULT_END = date(2026, 3, 31)  # the end of the 2025-26 financial year
TRUTH_PEOPLE = Path("truth") / "people.jsonl"  # in a folder, so the importer never takes it for a feed


@dataclass
class Summary:
    files: dict[str, int] = field(default_factory=dict)  # lines per file
    counts: Counter[str] = field(default_factory=Counter)  # events by type, records by agency kind
    boroughs: int = 0
    years: tuple[date, date] | None = None

    @property
    def lines(self) -> int:
        return sum(self.files.values())


def year_bounds(years: int, end: date = DEFAULT_END) -> list[tuple[int, int]]:
    """Return [first day, day after the last) ordinals of each simulated year, the last ending on `end`."""
    if years < 1:
        raise ValueError("--years must be at least 1")
    after = end + timedelta(days=1)

    def shift(n: int) -> date:
        try:
            return after.replace(year=after.year + n)
        except ValueError:  # 29 February
            return after.replace(year=after.year + n, day=28)

    return [(shift(k - years).toordinal(), shift(k - years + 1).toordinal()) for k in range(years)]


def _simulate(job: tuple[str, tuple[str, ...], int, float, list[tuple[int, int]], str]) -> tuple[str, Counter[str]]:
    """Simulate one borough for every year, writing its part of each feed under the parts folder."""
    code, selected_codes, seed, scale, bounds, parts = job
    selected = select_boroughs(",".join(selected_codes))
    borough = next(b for b in selected if b.ons_code == code)
    # The simulation keeps every person until it ends, so the cyclic collector would only rescan
    # an ever larger heap for nothing: pause it for the borough (the simulation frees itself).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return code, _run(borough, selected, seed, scale, bounds, parts)
    finally:
        if collecting:
            gc.enable()


def _run(borough: Borough, selected: tuple[Borough, ...], seed: int, scale: float,
         bounds: list[tuple[int, int]], parts: str) -> Counter[str]:
    sim = BoroughSimulation(borough, selected, seed, scale, bounds)
    lines: Counter[str] = Counter()
    for y in range(len(bounds)):
        chunk = sim.run_year(y)
        if y == len(bounds) - 1:
            chunk["truth_people"] = sim.truth_people()
        for feed, rows in chunk.items():
            if not rows:
                continue
            folder = Path(parts) / f"{y:03d}" / feed
            folder.mkdir(parents=True, exist_ok=True)
            with (folder / f"{borough.index:02d}.jsonl").open("wb") as handle:
                handle.write(b"\n".join(rows))
                handle.write(b"\n")
            lines[feed] += len(rows)
    stats = Counter(sim.stats)
    stats.update({f"lines:{k}": v for k, v in lines.items()})
    stats["true_people"] = sum(1 for p in sim.persons if p.seen)
    sim.close()
    return stats


def _append(handle, part: Path) -> None:  # type: ignore[no-untyped-def]
    """Append a part file to an open output, inside the kernel where it can."""
    handle.flush()
    with part.open("rb") as source:
        size = os.fstat(source.fileno()).st_size
        offset = 0
        try:
            while offset < size:
                sent = os.sendfile(handle.fileno(), source.fileno(), offset, size - offset)
                if sent == 0:
                    break
                offset += sent
        except OSError:
            source.seek(offset)
            shutil.copyfileobj(source, handle, 1 << 20)


def _output_name(feed: str) -> Path:
    return TRUTH_PEOPLE if feed == "truth_people" else Path(f"{feed}.jsonl")


def _clear(out: Path, selected: tuple[Borough, ...]) -> None:
    """Remove the files an earlier run left, so nothing stale sits beside this run's feeds."""
    for name in ("agencies", "met", "schools", "health", "probation", "truth"):
        (out / f"{name}.jsonl").unlink(missing_ok=True)
    for stale in out.glob("csc-e09*.jsonl"):
        stale.unlink()
    (out / TRUTH_PEOPLE).unlink(missing_ok=True)
    shutil.rmtree(out / ".parts", ignore_errors=True)


def generate(out: Path | str, *, years: int = 1, scale: float = 1.0, boroughs: str = "all", seed: int = 1,
             workers: int | None = None, end: date = DEFAULT_END,
             progress: Callable[[str], None] | None = None) -> Summary:
    """Write agencies.jsonl, one file per feed, truth.jsonl and truth/people.jsonl into `out`.

    The same arguments give byte-identical files, whatever `workers` is.
    """
    if scale <= 0:
        raise ValueError("--scale must be more than 0")
    out = Path(out)
    selected = select_boroughs(boroughs)
    bounds = year_bounds(years, end)
    out.mkdir(parents=True, exist_ok=True)
    _clear(out, selected)
    parts = out / ".parts"
    codes = tuple(b.ons_code for b in selected)
    # Largest boroughs first, so two workers finish at about the same time.
    jobs = [(b.ons_code, codes, seed, scale, bounds, str(parts))
            for b in sorted(selected, key=lambda b: -b.children)]
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    summary = Summary(boroughs=len(selected),
                      years=(date.fromordinal(bounds[0][0]), date.fromordinal(bounds[-1][1] - 1)))
    names = {b.ons_code: b.name for b in selected}
    if workers > 1 and len(jobs) > 1:
        context = multiprocessing.get_context("fork")
        # Workers are forked: keep the collector in them from walking whatever this process holds.
        gc.freeze()
        try:
            with context.Pool(min(workers, len(jobs))) as pool:
                for code, stats in pool.imap_unordered(_simulate, jobs):
                    summary.counts.update(stats)
                    if progress:
                        progress(names[code])
        finally:
            gc.unfreeze()
    else:
        for job in jobs:
            code, stats = _simulate(job)
            summary.counts.update(stats)
            if progress:
                progress(names[code])

    agencies = agency_lines(selected)
    with (out / "agencies.jsonl").open("wb") as handle:
        handle.write(b"".join(orjson.dumps(line) + b"\n" for line in agencies))
    summary.files["agencies.jsonl"] = len(agencies)
    feeds = ["met", *(b.csc_code for b in selected), "schools", "health", "probation", "truth", "truth_people"]
    feeds += sorted({p.name for p in parts.glob("*/*")} - set(feeds))
    year_dirs = sorted(parts.iterdir()) if parts.exists() else []
    for feed in feeds:
        target = out / _output_name(feed)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            # Year by year, and within a year borough by borough in ONS order.
            for year_dir in year_dirs:
                for part in sorted((year_dir / feed).glob("*.jsonl")):
                    _append(handle, part)
        summary.files[str(_output_name(feed))] = summary.counts.get(f"lines:{feed}", 0)
    shutil.rmtree(parts, ignore_errors=True)
    return summary


__all__ = ["DEFAULT_END", "Summary", "generate", "year_bounds"]
