"""`make bench` (= python -m bench [--quick]): prints every figure next to its target.

Figures, never assertions: timing depends on the machine, so tests check counts and the
benchmarks report speed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (about a minute)")
    parser.add_argument(
        "--only",
        choices=(
            "signing",
            "taps",
            "memory",
            "scale",
            "broadcast",
            "pages",
            "sources",
            "transport",
            "publish",
            "postgres",
        ),
        help="run one benchmark",
    )
    args = parser.parse_args()
    quick = args.quick
    started = time.perf_counter()
    print(f"machine: {os.cpu_count()} CPU cores; sizes: {'quick' if quick else 'full'}")
    if args.only in (None, "signing"):
        from bench import signing

        asyncio.run(signing.bench(1_000 if quick else 10_000))
        from bench import lean

        asyncio.run(lean.bench(1_000 if quick else 2_000, 1 if quick else 2))
    if args.only in (None, "taps"):
        from bench import taps

        asyncio.run(taps.bench(10 if quick else 30))
    if args.only in (None, "memory"):
        from bench import memory

        asyncio.run(memory.bench(10_000 if quick else 100_000))
    if args.only in (None, "scale"):
        from bench import scale

        asyncio.run(scale.bench(100_000 if quick else 1_000_000))
    if args.only in (None, "broadcast"):
        from bench import broadcast

        asyncio.run(broadcast.bench(5_000 if quick else 100_000, rate=500.0))
    if args.only in (None, "pages"):
        from bench import pages

        asyncio.run(pages.bench(30_000 if quick else 300_000))
    if args.only in (None, "sources"):
        from bench import sources

        asyncio.run(sources.bench(200, 30_000 if quick else 300_000))
    if args.only in (None, "transport"):
        from bench import transport

        asyncio.run(transport.bench(300 if quick else 1_000))
        from bench import over_http

        asyncio.run(over_http.bench(100 if quick else 300))
    if args.only in (None, "publish"):
        from bench import publish

        asyncio.run(publish.bench(10_000 if quick else 100_000))
    if args.only in (None, "postgres"):
        from bench import postgres

        asyncio.run(postgres.bench(60 if quick else 200))
    print(f"\nall benchmarks took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
