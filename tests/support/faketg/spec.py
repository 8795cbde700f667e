"""Bot API spec (tests/telegram_spec/api.json) compiled into fast validators.

Validators are closures built once per type so a typical sendMessage validates in a few
microseconds. A validator returns None when fine, else an error detail string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .model import Upload

Validator = Callable[[Any, str], "str | None"]
Hook = Callable[[dict[str, Any], str], "str | None"]

SPEC_PATH = Path(__file__).resolve().parents[2] / "telegram_spec" / "api.json"
_DISC_RE = re.compile(r"(?:must be|always)\s+[\"“]?([a-z0-9_]+)")


def _v_int(v: Any, p: str) -> str | None:
    return None if isinstance(v, int) and type(v) is not bool else f"{p} must be Integer"


def _v_float(v: Any, p: str) -> str | None:
    return None if isinstance(v, int | float) and type(v) is not bool else f"{p} must be Float"


def _v_str(v: Any, p: str) -> str | None:
    return None if isinstance(v, str) else f"{p} must be String"


def _v_bool(v: Any, p: str) -> str | None:
    return None if type(v) is bool else f"{p} must be Boolean"


def _v_file(v: Any, p: str) -> str | None:
    if isinstance(v, Upload) or (type(v) is str and v.startswith("attach://")):
        return None
    return f"{p} must be an uploaded InputFile"


def _v_any_obj(v: Any, p: str) -> str | None:
    return None if type(v) is dict else f"{p} must be an object"


_PRIMITIVES: dict[str, Validator] = {
    "Integer": _v_int,
    "Float": _v_float,
    "String": _v_str,
    "Boolean": _v_bool,
    "InputFile": _v_file,
}


@dataclass(slots=True)
class MethodSpec:
    """One Bot API method: its fields' validators and what it returns."""

    name: str
    fields: dict[str, Validator]
    types: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    returns: tuple[str, ...]

    @property
    def returns_true(self) -> bool:
        """Methods answering plain True may be answered generically."""
        return self.returns == ("Boolean",) or self.returns == ("True",)


class Spec:
    """Compiled view of api.json; `hooks` add per-type checks (limits) after the spec check."""

    def __init__(self, data: dict[str, Any], hooks: dict[str, Hook] | None = None) -> None:
        self.version: str = data.get("version", "?")
        self.raw_types: dict[str, Any] = data["types"]
        self.hooks = hooks or {}
        self._cache: dict[str, Validator] = {}
        self.methods: dict[str, MethodSpec] = {}
        for name, m in data["methods"].items():
            fields: dict[str, Validator] = {}
            types: dict[str, tuple[str, ...]] = {}
            required = []
            for f in m.get("fields", []):
                fields[f["name"]] = self.union(f["types"])
                types[f["name"]] = tuple(f["types"])
                if f["required"]:
                    required.append(f["name"])
            self.methods[name] = MethodSpec(
                name, fields, types, tuple(required), tuple(m.get("returns", ()))
            )

    # -- compilation -------------------------------------------------------------------
    def union(self, types: list[str]) -> Validator:
        """Validator accepting any of `types` (e.g. Integer or String)."""
        vs = [self.one(t) for t in types]
        if len(vs) == 1:
            return vs[0]
        label = " or ".join(types)
        objs = [
            (self._required_of(t), f) for t, f in zip(types, vs, strict=True) if t in self.raw_types
        ]

        def v_union(v: Any, p: str) -> str | None:
            for f in vs:
                if f(v, p) is None:
                    return None
            if type(v) is dict:
                # report the error of the one object type this dict is evidently meant to be
                fits = [f for req, f in objs if all(k in v for k in req)]
                if len(fits) == 1:
                    return fits[0](v, p)
            return f"{p} must be {label}"

        return v_union

    def _required_of(self, name: str) -> tuple[str, ...]:
        fields = self.raw_types.get(name, {}).get("fields") or []
        return tuple(f["name"] for f in fields if f["required"])

    def one(self, t: str) -> Validator:
        """Validator for a single type expression."""
        if t.startswith("Array of "):
            inner = self.one(t[9:])

            def v_array(v: Any, p: str) -> str | None:
                if not isinstance(v, list | tuple):
                    return f"{p} must be an Array"
                for i, item in enumerate(v):
                    err = inner(item, f"{p}[{i}]")
                    if err is not None:
                        return err
                return None

            return v_array
        prim = _PRIMITIVES.get(t)
        if prim is not None:
            return prim
        return self.type_validator(t)

    def type_validator(self, name: str) -> Validator:
        """Validator of a named object type, compiled once (recursion-safe)."""
        got = self._cache.get(name)
        if got is not None:
            return got
        cell: list[Validator] = []

        def v_ref(v: Any, p: str) -> str | None:
            return cell[0](v, p)

        self._cache[name] = v_ref
        t = self.raw_types.get(name)
        if t is None:
            real: Validator = _v_any_obj
        elif t.get("subtypes"):
            real = self._subtypes(name, t["subtypes"])
        elif t.get("fields"):
            real = self._object(name, t["fields"])
        else:
            real = _v_any_obj
        hook = self.hooks.get(name)
        if hook is not None:
            base = real

            def v_hooked(v: Any, p: str) -> str | None:
                err = base(v, p)
                return err if err is not None else hook(v, p)

            real = v_hooked
        cell.append(real)
        self._cache[name] = real
        return real

    def _object(self, name: str, fields: list[dict[str, Any]]) -> Validator:
        checks: dict[str, Validator] = {}
        required = tuple(f["name"] for f in fields if f["required"])
        for f in fields:
            checks[f["name"]] = self.union(f["types"])

        def v_obj(v: Any, p: str) -> str | None:
            if type(v) is not dict:
                return f"{p} must be a JSON object ({name})"
            for k in required:
                if v.get(k) is None:
                    return f'{p}: {name} field "{k}" is required'
            for k, item in v.items():
                c = checks.get(k)
                if c is None:
                    return f'{p}: unknown field "{k}" in {name}'
                if item is not None:
                    err = c(item, p + "." + k)
                    if err is not None:
                        return err
            return None

        return v_obj

    def _subtypes(self, name: str, subtypes: list[str]) -> Validator:
        disc: dict[str, list[tuple[tuple[str, ...], Validator]]] = {}
        disc_field = ""
        others: list[Validator] = []
        for s in subtypes:
            st = self.raw_types.get(s)
            first = (st or {}).get("fields") or [{}]
            fname = first[0].get("name", "")
            desc = first[0].get("description", "")
            m = _DISC_RE.search(desc if isinstance(desc, str) else " ".join(desc))
            if st is not None and fname in ("type", "status", "source") and m:
                disc_field = fname
                entry = (self._required_of(s), self.type_validator(s))
                disc.setdefault(m.group(1), []).append(entry)
            else:
                others.append(self.one(s))

        def v_sub(v: Any, p: str) -> str | None:
            if type(v) is dict and disc:
                key = v.get(disc_field)
                subs = disc.get(key) if isinstance(key, str) else None
                if subs is not None:
                    if len(subs) == 1:
                        return subs[0][1](v, p)
                    errs = []
                    for req, sub in subs:  # e.g. InlineQueryResultPhoto vs ...CachedPhoto
                        err = sub(v, p)
                        if err is None:
                            return None
                        errs.append((all(k in v for k in req), err))
                    return next((e for fits, e in errs if fits), errs[0][1])
                if not others:
                    return f'{p}: {name} has invalid {disc_field} "{key}"'
            err = f"{p} is not a valid {name}"
            for o in others:
                e = o(v, p)
                if e is None:
                    return None
                err = e
            return err

        return v_sub

    # -- use ---------------------------------------------------------------------------
    def validate(self, method: str, params: dict[str, Any]) -> str | None:
        """Check a call's parameters against the spec; None when valid."""
        m = self.methods[method]
        for k in m.required:
            if params.get(k) is None:
                return f'parameter "{k}" is required'
        fields = m.fields
        for k, v in params.items():
            f = fields.get(k)
            if f is None:
                return f'unknown parameter "{k}" for method {method}'
            if v is not None:
                err = f(v, k)
                if err is not None:
                    return err
        return None

    def coerce_form(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Turn form-encoded strings into typed values as Telegram does (HTTP mode)."""
        m = self.methods.get(method)
        if m is None:
            return params
        out: dict[str, Any] = {}
        for k, v in params.items():
            types = m.types.get(k)
            if types is None or type(v) is not str:
                out[k] = v
                continue
            out[k] = _coerce(v, types, self.raw_types)
        return out


def _coerce(v: str, types: tuple[str, ...], raw: dict[str, Any]) -> Any:
    if "Integer" in types and re.fullmatch(r"-?\d+", v):
        return int(v)
    if "Float" in types:
        try:
            return float(v)
        except ValueError:
            pass
    if "Boolean" in types and v in ("true", "false", "True", "False", "1", "0"):
        return v in ("true", "True", "1")
    if "String" in types or "InputFile" in types:
        return v
    if any(t.startswith("Array of ") or t in raw for t in types):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


@lru_cache(maxsize=1)
def load_raw() -> dict[str, Any]:
    """api.json parsed once per process."""
    with SPEC_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data
