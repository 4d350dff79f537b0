#!/usr/bin/env python3
"""digest-screens.py — renders an HTML file in headless Chromium at a given
viewport width and reports whether anything overflows; saves a full-page
screenshot.  Used by digest-screens.sh (issue 13 point 7: the digest must
be readable on a 390 px phone).

    digest-screens.py CHROMIUM FILE.html WIDTH SCREENSHOT.png

Prints one line of JSON: {"width": W, "inner": innerWidth, "scroll":
scrollWidth, "height": scrollHeight, "widest": "<tag> <px>"}.

It talks the DevTools protocol over --remote-debugging-pipe (file
descriptors 3 and 4, NUL-separated JSON): no pip package, no port.  A
phone is emulated (Emulation.setDeviceMetricsOverride, mobile), so the
page's <meta name="viewport"> is honoured as on an iPhone; plain
--window-size cannot go below 500 px in headless mode.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile

TIMEOUT = 60


def main():
    chromium, page, width, shot = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()
    profile = tempfile.mkdtemp(prefix="ib-chromium-")

    def child_fds():	# the pipe's ends as fds 3 (commands in) and 4 (answers out)
        r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)	# above 4, so the dup2s cannot cross
        os.dup2(r, 3)
        os.dup2(w, 4)

    proc = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
         "--user-data-dir=" + profile, "--remote-debugging-pipe", "about:blank"],
        preexec_fn=child_fds, close_fds=False,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    out = os.fdopen(to_chrome_w, "wb", buffering=0)
    inp = os.fdopen(from_chrome_r, "rb", buffering=0)
    buf = b""
    next_id = [0]

    def read_message():
        nonlocal buf
        while b"\0" not in buf:
            chunk = inp.read(65536)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            buf += chunk
        msg, buf = buf.split(b"\0", 1)
        return json.loads(msg)

    def call(method, params=None, session=None):
        next_id[0] += 1
        msg = {"id": next_id[0], "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        out.write(json.dumps(msg).encode() + b"\0")
        while True:
            m = read_message()
            if m.get("id") == next_id[0]:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})

    def wait_event(name, session):
        while True:
            m = read_message()
            if m.get("method") == name and m.get("sessionId") == session:
                return m

    import signal
    signal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw(TimeoutError("chromium")))
    signal.alarm(TIMEOUT)
    try:
        target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        call("Page.enable", session=session)
        call("Emulation.setDeviceMetricsOverride",
             {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": width < 600},
             session=session)
        call("Page.navigate", {"url": "file://" + os.path.abspath(page)}, session=session)
        wait_event("Page.loadEventFired", session)
        measure = call("Runtime.evaluate", {"returnByValue": True, "expression": """(() => {
            const d = document.documentElement;
            let widest = "", px = 0;
            for (const e of document.body.querySelectorAll("*")) {
                const r = e.getBoundingClientRect();
                if (r.right > px) { px = r.right; widest = e.tagName.toLowerCase() + " " + Math.ceil(r.right); }
            }
            return {inner: window.innerWidth, scroll: d.scrollWidth, height: d.scrollHeight, widest: widest};
        })()"""}, session=session)["result"]["value"]
        height = max(800, int(measure["height"]))
        call("Emulation.setDeviceMetricsOverride",
             {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
             session=session)
        png = call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                   session=session)["data"]
        with open(shot, "wb") as f:
            f.write(base64.b64decode(png))
        measure["width"] = width
        print(json.dumps(measure))
    finally:
        try:
            call("Browser.close")
        except Exception:
            pass
        signal.alarm(0)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        subprocess.run(["rm", "-rf", profile])


if __name__ == "__main__":
    main()
