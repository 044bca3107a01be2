"""Make the screenshots in docs/ from a fresh `lifecircle serve --demo` (desktop and 390 px).

python docs/screenshots.py            # needs Chromium at /usr/bin/chromium and Playwright
"""

import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parent
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# (file, user or None, path, viewport, large text)
SHOTS = [
    ("dashboard.png", "juwei1", "/", DESKTOP, False),
    ("todo-phone.png", "wuye1", "/todo/", PHONE, False),
    ("roster-setup.png", "juwei1", "/roster/setup/", DESKTOP, False),
    ("stats.png", "juwei1", "/stats/", DESKTOP, False),
    ("meetings-phone.png", "juwei1", "/meetings/", PHONE, False),
    ("station-phone.png", None, "/stations/{station}/", PHONE, False),
    ("resident-form-large-text-phone.png", None, "/s/{station}/", PHONE, True),
    ("checklist-phone.png", "wuye1", "{checklist}", PHONE, False),
    ("poster.png", None, "/stations/{station}/poster/", DESKTOP, False),
]


def wait_for_server() -> None:
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{BASE}/stations/", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("server did not start")


def main() -> None:
    db = Path(tempfile.mkdtemp()) / "shots.sqlite3"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lifecircle",
            "serve",
            "--demo",
            "--db",
            str(db),
            "--port",
            str(PORT),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_server()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            station = re.search(
                r'href="/stations/(\d+)/"',
                urllib.request.urlopen(f"{BASE}/stations/").read().decode(),
            ).group(1)
            for name, user, path, viewport, large in SHOTS:
                context = browser.new_context(locale="zh-CN", viewport=viewport)
                if large:
                    context.add_cookies([{"name": "elderly", "value": "1", "url": BASE}])
                page = context.new_page()
                if user:
                    page.goto(f"{BASE}/accounts/login/")
                    page.fill("input[name=username]", user)
                    page.fill("input[name=password]", "lifecircle-demo")
                    page.click("form.stack button[type=submit]")
                    page.wait_for_url(f"{BASE}/")
                if "{checklist}" in path:
                    page.goto(f"{BASE}/inspections/")
                    links = page.eval_on_selector_all(
                        "main section:first-of-type a",
                        "els => els.map(e => e.getAttribute('href'))",
                    )
                    path = next(h for h in links if re.fullmatch(r"/inspections/\d+/", h))
                page.goto(BASE + path.format(station=station))
                if name == "roster-setup.png":
                    page.click("#preview-button")
                if "/stations/" in path and "poster" not in path:
                    page.wait_for_selector("#map[data-streets]", timeout=5000)
                page.wait_for_timeout(300)
                page.screenshot(path=str(DOCS / name), full_page=True)
                context.close()
                print(name)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
