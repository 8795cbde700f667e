"""Escaping and the frame every page shares: one inline style, no script, no other host.

Every string that did not come from this file passes through `text` (or `attr`), which drops
the characters HTML cannot carry (controls, noncharacters, lone surrogates) and escapes the
rest; content a person typed is isolated (`<bdi>`, `dir="auto"`), so a right-to-left name or a
stray direction mark cannot reorder what follows it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.i18n import NATIVE_NAMES, Translator

# C0 controls but tab and newline, DEL and C1, lone surrogates, and the noncharacters.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
# The explicit embeddings and overrides reach past their element; isolates (<bdi>) do not.
_EMBEDDINGS = re.compile("[\u202a-\u202e]")
RTL_LANGUAGES: frozenset[str] = frozenset()  # none of the five; kept for `dir`

# Meta-CSP: the browser itself refuses any request but to this page's own inline style and
# data: images, so a future change cannot quietly load a font, a script or a tracker.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

STYLE = """
:root{color-scheme:light;--ink:#111;--soft:#444;--line:#767676;--accent:#0b5394;--bg:#fff}
*{box-sizing:border-box}
body{margin:0 auto;max-width:44rem;padding:1rem;font:1.0625rem/1.55 system-ui,-apple-system,
"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0}h2{font-size:1.25rem;margin:1.6rem 0 .5rem}
a{color:var(--accent)}a:focus-visible,textarea:focus-visible{outline:3px solid #b45309;
outline-offset:2px}
nav.lang{display:flex;flex-wrap:wrap;gap:.25rem .9rem;font-size:.95rem;border-bottom:1px solid
var(--line);padding-bottom:.5rem}
nav.lang a[aria-current]{font-weight:700;color:var(--ink);text-decoration:none}
.kind{color:var(--soft);margin:0}.safety{border-left:4px solid #b45309;padding:.4rem .8rem;
background:#fff7ed}
.count{font-size:1.5rem;font-weight:700;margin:.2rem 0}
.bar{height:1rem;border:1px solid var(--ink);border-radius:.5rem;overflow:hidden;
background:#fff;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.bar>span{display:block;height:100%;background:var(--accent)}
.sign{display:inline-block;margin:.6rem 0;padding:.7rem 1.2rem;border-radius:.4rem;
background:var(--accent);color:#fff;font-weight:700;text-decoration:none}
.qr{width:10rem;height:10rem;display:block}
.bots{border:2px solid var(--ink);padding:.5rem .9rem;border-radius:.4rem}.bots h2{margin-top:.3rem}
textarea{width:100%;font:.85rem/1.4 ui-monospace,"DejaVu Sans Mono",monospace;color:var(--ink)}
body.compact{max-width:none;padding:.4rem;font-size:.95rem;line-height:1.35}
body.compact p{margin:.3rem 0}body.compact .count{font-size:1.15rem}
body.compact .sign{margin:.3rem 0;padding:.45rem .9rem}
label{display:block;margin-top:.6rem}
ol.names{padding-left:3.5rem}footer{margin-top:2rem;color:var(--soft);font-size:.9rem;
border-top:1px solid var(--line);padding-top:.5rem}
@media print{nav.lang,.embed,.sign{display:none}body{max-width:none;font-size:11pt}
a{color:var(--ink)}}
"""


def clean(value: str) -> str:
    """What can go into a page: no controls, noncharacters or direction embeddings."""
    return _EMBEDDINGS.sub("", _UNSAFE.sub("", value))


def text(value: str) -> str:
    """Text content, cleaned and escaped."""
    return html.escape(clean(value), quote=True)


def attr(value: str) -> str:
    """An attribute value, quoted."""
    return f'"{text(value)}"'


def isolated(value: str) -> str:
    """Typed content inside a sentence: its direction cannot leak into what follows."""
    return f"<bdi>{text(value)}</bdi>"


@dataclass(frozen=True)
class Alternate:
    """The same page in another language."""

    language: str
    href: str


def language_nav(t: Translator, alternates: Iterable[Alternate]) -> str:
    links = []
    for alt in alternates:
        current = ' aria-current="page"' if alt.language == t.language else ""
        links.append(
            f"<a href={attr(alt.href)} hreflang={attr(alt.language)} lang={attr(alt.language)}"
            f"{current}>{text(NATIVE_NAMES[alt.language])}</a>"
        )
    label = t._("Language")
    return f'<nav class="lang" aria-label={attr(label)}>{"".join(links)}</nav>'


def page(
    t: Translator,
    title: str,
    body: str,
    *,
    alternates: Iterable[Alternate] = (),
    noindex: bool = False,
    footer: str = "",
    compact: bool = False,
) -> str:
    """A whole document: `body` is markup built with the functions above."""
    alternates = tuple(alternates)
    links = "".join(
        f'<link rel="alternate" hreflang={attr(a.language)} href={attr(a.href)}>'
        for a in alternates
    )
    robots = '<meta name="robots" content="noindex,nofollow,noarchive">' if noindex else ""
    nav = language_nav(t, alternates) if len(alternates) > 1 else ""
    direction = "rtl" if t.language in RTL_LANGUAGES else "ltr"
    klass = ' class="compact"' if compact else ""
    return (
        f'<!doctype html>\n<html lang={attr(t.language)} dir="{direction}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width,initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<link rel="icon" href="data:,">\n'  # no request for /favicon.ico either
        f"{robots}<title>{text(title)}</title>\n{links}\n<style>{STYLE}</style>\n</head>\n"
        f"<body{klass}>\n{nav}\n<main>\n{body}\n</main>\n"
        + (f"<footer>{footer}</footer>\n" if footer else "")
        + "</body>\n</html>\n"
    )
