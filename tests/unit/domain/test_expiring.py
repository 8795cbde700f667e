"""The expiring map every per-person structure in memory is made of."""

from __future__ import annotations

from bot.domain.expiring import Blinder, Expiring, Memory


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_is_gone_once_its_time_has_passed_even_unswept() -> None:
    clock = Clock()
    m: Expiring[str, int] = Expiring(60, clock)
    m["a"] = 1
    clock.now += 59
    assert m.get("a") == 1
    clock.now += 1
    assert m.get("a") is None and len(m) == 0


def test_a_write_restarts_the_time_and_the_sweep_drops_only_the_stale() -> None:
    clock = Clock()
    m: Expiring[str, int] = Expiring(60, clock)
    m["old"], m["kept"] = 1, 2
    clock.now += 30
    m["kept"] = 3
    clock.now += 40
    assert m.sweep() == 1
    assert m.get("kept") == 3 and "old" not in m


def test_a_clock_set_back_forgets_rather_than_keeps() -> None:
    clock = Clock()
    m: Expiring[str, int] = Expiring(60, clock)
    m["a"] = 1
    clock.now -= 3600
    assert m.get("a") is None


def test_the_map_never_stores_a_telegram_id() -> None:
    blind = Blinder(b"secret")
    m: Expiring[int, str] = Expiring(60, Clock(), blind=blind)
    m[123456789] = "x"
    assert m.get(123456789) == "x"
    [stored] = m.stored_keys()
    assert stored == blind(123456789) and stored != 123456789
    assert b"123456789" not in stored and Blinder(b"other")(123456789) != stored


def test_a_bounded_map_drops_the_oldest_first() -> None:
    m: Expiring[int, int] = Expiring(60, Clock(), most=2)
    m[1], m[2], m[3] = 1, 2, 3
    assert m.get(1) is None and m.get(2) == 2 and m.get(3) == 3


def test_one_sweep_forgets_every_map_of_the_memory() -> None:
    clock = Clock()
    memory = Memory(clock, b"secret", ttl=60)
    ids: Expiring[int, int] = memory.by_telegram_id()
    pages: Expiring[str, int] = memory.by_key(ttl=600)  # capped at the memory's ttl
    ids[42], pages["p"] = 1, 2
    clock.now += 61
    assert memory.sweep() == 2 and len(memory) == 0
