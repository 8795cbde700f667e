"""What several workers share through the database (bot.core.workers says why): flood
allowances, the generations of what each worker caches, and the updates already handled."""

from __future__ import annotations

from bot.storage.engine import Database


def _bucket_sql(cost: float, burst: float, per_second: float) -> str:
    """One statement: the person's bucket refilled since its last update, then `cost` taken if
    it is there; RETURNING says the verdict. SET reads the row as it was (both engines)."""
    grown = f"flood_buckets.tokens + (excluded.at - flood_buckets.at) * {float(per_second)!r}"
    refill = f"(CASE WHEN {grown} < {float(burst)!r} THEN {grown} ELSE {float(burst)!r} END)"
    # A millionth of a token spared (and a bucket that far from full counted as full):
    # seconds since 1970 as floats lose about that much.
    enough = f"{refill} >= {float(cost) - 1e-6!r}"
    return (
        "INSERT INTO flood_buckets (bucket, tokens, at, warned, verdict) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (bucket) DO UPDATE SET"
        f" tokens = CASE WHEN {enough} THEN {refill} - {float(cost)!r} ELSE {refill} END,"
        f" warned = CASE WHEN {enough} THEN (CASE WHEN flood_buckets.warned = 1"
        f" AND {refill} < {float(burst) - 1e-6!r} THEN 1 ELSE 0 END) ELSE 1 END,"
        f" verdict = CASE WHEN {enough} THEN 'run' WHEN flood_buckets.warned = 1 THEN 'drop'"
        " ELSE 'notice' END,"
        " at = excluded.at"
        " RETURNING verdict"
    )


async def take(
    db: Database, bucket: int, cost: float, burst: float, per_second: float, now: float
) -> str:
    """'run', 'notice' (the flood's first refusal) or 'drop': the token-bucket rule, in one
    statement that touches only this person's row."""
    enough = burst >= cost
    first = (bucket, burst - cost if enough else burst, now, 0 if enough else 1)
    args = (*first, "run" if enough else "notice")
    row = await db.write_row(_bucket_sql(cost, burst, per_second), args)
    return str(row[0]) if row else "run"


async def forget(db: Database, buckets_before: float, updates_before: int) -> None:
    """Buckets idle since `buckets_before` and updates handled before `updates_before`."""
    await db.write_row("DELETE FROM flood_buckets WHERE at < ?", (buckets_before,))
    await db.write_row("DELETE FROM handled_updates WHERE handled_at < ?", (updates_before,))


async def generations(db: Database) -> dict[str, int]:
    return {str(k): int(v) for k, v in await db.fetchall("SELECT kind, value FROM generations")}
