"""Debian's Chromium, headless, driven over the DevTools protocol on a pipe (no download, no
port): what it requested, what its console said, what it drew. One browser per test module."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from typing import Any

CHROMIUM = shutil.which("chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",  # as root it will not start otherwise
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-site-isolation-trials",  # a cross-origin iframe stays in its page's session
    "--allow-file-access-from-files",
    "--remote-debugging-pipe",
)


def _high(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 100)
    os.close(fd)
    return moved


class Browser:
    """One Chromium; `page()` opens a tab whose requests and console messages are recorded."""

    def __init__(self) -> None:
        assert CHROMIUM is not None
        self._profile = tempfile.mkdtemp(prefix="chromium-profile-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # Out of the way of 3 and 4 (a fresh process's pipes often get those very numbers).
        to_browser_r = _high(to_browser_r)
        from_browser_w = _high(from_browser_w)
        # bash hands the two pipes in as fds 3 (commands) and 4 (answers), as
        # --remote-debugging-pipe expects, then becomes Chromium (dash takes fds up to 9 only).
        script = (
            f'exec "$0" "$@" 3<&{to_browser_r} 4>&{from_browser_w} '
            f"{to_browser_r}<&- {from_browser_w}>&-"
        )
        self._process = subprocess.Popen(
            ["/bin/bash", "-c", script, CHROMIUM, *FLAGS, f"--user-data-dir={self._profile}"],
            pass_fds=(to_browser_r, from_browser_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next = 0
        self._answers: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.events: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._from_browser, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                buffer += chunk
                while b"\0" in buffer:
                    raw, buffer = buffer.split(b"\0", 1)
                    message = json.loads(raw)
                    if "id" in message:
                        with self._lock:  # an answer nobody waits for any more is dropped
                            waiting = self._answers.get(message["id"])
                        if waiting is not None:
                            waiting.put(message)
                    else:
                        with self._lock:
                            self.events.append(message)

    def send(
        self, method: str, session: str | None = None, timeout: float = 30, **params: Any
    ) -> dict[str, Any]:
        with self._lock:
            self._next += 1
            number = self._next
            self._answers[number] = queue.Queue()
        message: dict[str, Any] = {"id": number, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        try:
            answer = self._answers[number].get(timeout=timeout)
        finally:
            with self._lock:
                del self._answers[number]
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    def wait_for(self, method: str, session: str, after: int, timeout: float = 20) -> None:
        """Until an event `method` of `session` arrives after event number `after`."""
        waited = 0.0
        while waited < timeout:
            with self._lock:
                if any(
                    e["method"] == method and e.get("sessionId") == session
                    for e in self.events[after:]
                ):
                    return
            threading.Event().wait(0.05)
            waited += 0.05
        raise TimeoutError(method)

    def page(self, width: int = 360, height: int = 740) -> Tab:
        # The first call waits for Chromium to start, slow on a loaded machine (CI's).
        target = self.send("Target.createTarget", timeout=120, url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable", session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=width,
            height=height,
            deviceScaleFactor=2,
            mobile=True,
        )
        return Tab(self, session, target)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, OSError, queue.Empty):
            self.send("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
        shutil.rmtree(self._profile, ignore_errors=True)


class Tab:
    def __init__(self, browser: Browser, session: str, target: str) -> None:
        self.browser, self.session, self.target = browser, session, target

    def _events(self, method: str) -> list[dict[str, Any]]:
        with self.browser._lock:
            return [
                e["params"]
                for e in self.browser.events
                if e["method"] == method and e.get("sessionId") == self.session
            ]

    def open(self, url: str) -> None:
        mark = len(self.browser.events)
        self.browser.send("Page.navigate", self.session, url=url)
        self.browser.wait_for("Page.loadEventFired", self.session, mark)

    def requests(self) -> list[str]:
        """Every URL the page asked for, as the browser's network layer saw it."""
        return [e["request"]["url"] for e in self._events("Network.requestWillBeSent")]

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and the browser's own error log (a CSP
        violation, a failed load)."""
        found = [
            " ".join(str(a.get("value", a.get("description", ""))) for a in e["args"])
            for e in self._events("Runtime.consoleAPICalled")
            if e["type"] in ("error", "assert")
        ]
        found += [e["exceptionDetails"]["text"] for e in self._events("Runtime.exceptionThrown")]
        found += [
            e["entry"]["text"]
            for e in self._events("Log.entryAdded")
            if e["entry"]["level"] == "error"
        ]
        found += [e["errorText"] for e in self._events("Network.loadingFailed")]
        return found

    def evaluate(self, expression: str, context: int | None = None) -> Any:
        params: dict[str, Any] = {"expression": expression, "returnByValue": True}
        if context is not None:
            params["contextId"] = context
        result = self.browser.send("Runtime.evaluate", self.session, **params)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def in_frame(self, url_start: str, expression: str, timeout: float = 20) -> Any:
        """`expression`'s value inside the child frame whose URL starts with `url_start`, once
        the frame has loaded and the value is not null (a lazy iframe loads after its page)."""
        waited = 0.0
        while True:
            tree = self.browser.send("Page.getFrameTree", self.session)["frameTree"]
            frames = [
                child["frame"]["id"]
                for child in tree.get("childFrames", [])
                if child["frame"]["url"].startswith(url_start)
            ]
            if frames:
                world = self.browser.send(
                    "Page.createIsolatedWorld", self.session, frameId=frames[0], worldName="t"
                )
                value = self.evaluate(expression, int(world["executionContextId"]))
                if value is not None:
                    return value
            if waited >= timeout:
                raise TimeoutError(f"no frame {url_start} with a value for {expression}")
            threading.Event().wait(0.1)
            waited += 0.1

    def screenshot(self, path: str, media: str = "screen") -> None:
        """The whole page, as long as it is."""
        self.browser.send("Emulation.setEmulatedMedia", self.session, media=media)
        size = self.browser.send("Page.getLayoutMetrics", self.session)["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        shot = self.browser.send(
            "Page.captureScreenshot",
            self.session,
            format="png",
            captureBeyondViewport=True,
            clip=clip,
        )
        with open(path, "wb") as fh:
            fh.write(base64.b64decode(shot["data"]))
        self.browser.send("Emulation.setEmulatedMedia", self.session, media="")

    def pdf(self) -> bytes:
        return base64.b64decode(self.browser.send("Page.printToPDF", self.session)["data"])

    def close(self) -> None:
        self.browser.send("Target.closeTarget", targetId=self.target)
