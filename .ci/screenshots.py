"""Screenshot pages in headless Chromium for a person to look at: python .ci/screenshots.py."""

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support import launch_chromium, streamlit_server, wait_idle


def main() -> None:
    """Open each url path at each width and save a full-page PNG."""
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+", help="url paths: '' is the first page, then one-hot, ...")
    ap.add_argument("--out", default="/tmp/shots")
    ap.add_argument("--widths", default="1280,420")
    ap.add_argument("--wait", type=int, default=1500, help="ms to wait after the page is idle")
    ap.add_argument("--height", type=int, default=800, help="tall values capture whole pages")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with streamlit_server() as url, sync_playwright() as p:
        browser = launch_chromium(p)
        for width in map(int, args.widths.split(",")):
            page = browser.new_page(viewport={"width": width, "height": args.height})
            for path in args.paths:
                page.goto(f"{url}/{path}")
                page.wait_for_selector("[data-testid=stMain]")
                wait_idle(page, 120_000)
                page.wait_for_timeout(args.wait)
                name = out / f"{path.replace('/', '_') or 'home'}-{width}.png"
                page.screenshot(path=name)
                print(name)
        browser.close()


if __name__ == "__main__":
    main()
