"""Take the README's screenshots (docs/screenshots/*.png) from a freshly seeded demo in headless Chromium.

    .venv/bin/python scripts/screenshots.py            # seeds a throwaway demo with --history, serves it, shoots

Run it after changing a page that the README shows; look at the pictures before committing them.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "boligsocial"
OUT = ROOT / "docs" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

# (file, user, path, viewport width): the pages a newcomer meets first, as the people who use them.
SHOTS = [
    ("tasks", "camilla.juhl", "/opgaver", 1280),
    ("cases", "camilla.juhl", "/sager?vis=alle", 1280),
    ("case", "camilla.juhl", "/sager/{case}", 1280),
    ("new-change-request", "sara.norgaard", "/sager/ny", 1280),
    ("plan", "camilla.juhl", "/planer/{plan}", 1280),
    ("meeting", "camilla.juhl", "/moeder/{meeting}", 1280),
    ("dashboard", "camilla.juhl", "/statistik/gennemloebstid", 1280),
    ("case-phone", "camilla.juhl", "/sager/{case}", 375),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str) -> None:
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("demo")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(lambda url: "/login" not in url)


def first_href(page: Page, base: str, path: str, prefix: str) -> str:
    page.goto(base + path)
    return str(page.locator(f"main a[href^='{prefix}']").first.get_attribute("href")).rsplit("/", 1)[1]


def fill_a_move(page: Page) -> None:
    """An economic change moving 50.000 kr. within HP-10, so the shot shows what is available and before/after."""
    page.get_by_label("Titel *").fill("Flere timer til tryghedsvandringer")
    page.get_by_label("Art *").select_option(label="Økonomi")
    page.get_by_label("Beskrivelse af ændringen", exact=True).fill("50.000 kr. fra UB til TT i 2017")
    row = "#new-budget_moves-0-"
    for side, area in (("from", "UB"), ("to", "TT")):
        page.locator(f"{row}{side}_area").select_option(area)
        page.locator(f"{row}{side}_year").fill("2017")
        page.locator(f"{row}{side}_funder").select_option("LBF")
    page.locator(row + "amount_dkk").press_sequentially("50.000")
    page.get_by_text("Budgettet før og efter flytningerne").wait_for()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "BOLIGSOCIAL_DATABASE_URL": f"sqlite:///{folder}/demo.db", "BOLIGSOCIAL_VAR_DIR": folder}
        for command in (["db", "upgrade"], ["seed-demo", "--history"]):
            subprocess.run([str(BIN), *command], cwd=folder, env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen([str(BIN), "serve", "--port", str(port)], cwd=folder, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(f"{base}/healthz")
            with sync_playwright() as playwright:
                chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
                browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
                page = browser.new_page(locale="da-DK")
                user = None
                ids: dict[str, str] = {}
                for name, username, path, width in SHOTS:
                    if username != user:
                        log_in(page, base, username)
                        user = username
                    if not ids:
                        ids["case"] = first_href(page, base, "/opgaver", "/sager/")
                        ids["plan"] = first_href(page, base, "/planer", "/planer/")
                        ids["meeting"] = first_href(page, base, "/bestyrelser/2/moeder", "/moeder/")
                    page.set_viewport_size({"width": width, "height": 900})
                    page.goto(base + path.format(**ids))
                    if name == "new-change-request":
                        fill_a_move(page)
                    page.screenshot(path=OUT / f"{name}.png", full_page=width < 600 or name == "new-change-request")
                    print(f"{name}: {base}{path.format(**ids)}")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
