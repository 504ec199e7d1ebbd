"""What a learner's first visit downloads, straight from an app process and through nginx.

    python -m tests.load.downloads          # one app process, nginx (tests/load/nginx.conf)

Chromium opens the first page once through nginx and lists what it fetched; each of those files
is then fetched again as a browser would (gzip accepted), directly and through nginx, and the
bytes on the wire are added up. Prints one JSON object.
"""

import json
import re
import urllib.request

# The parts of a first visit: the page, its scripts and styles, fonts, pictures.
STATIC = re.compile(r"^/(static/|$|data$|favicon)")


def first_visit_paths(url: str) -> list[str]:
    """The paths Chromium fetches over HTTP when it opens `url` and the first page has run."""
    from playwright.sync_api import sync_playwright

    from tests.support import IDLE, launch_chromium

    paths: list[str] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on(
                "response", lambda r: paths.append(r.url.removeprefix(url).split("?")[0] or "/")
            )
            page.goto(url)
            page.wait_for_selector(IDLE, timeout=120_000)
            page.wait_for_timeout(2000)  # the chunks a page's elements load after it runs
        finally:
            browser.close()
    return sorted({p for p in paths if STATIC.match(p)})


def wire_bytes(url: str, paths: list[str]) -> int:
    """Bytes of the bodies as sent (compressed where the server compresses), gzip accepted."""
    total = 0
    for path in paths:
        request = urllib.request.Request(url + path, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            total += len(answer.read())  # urllib does not unpack: these are the bytes sent
    return total


def measure(direct: str, proxied: str) -> dict:
    """A first visit's bytes from the app process itself and through nginx, and the files."""
    paths = first_visit_paths(proxied)
    wire_bytes(proxied, paths)  # fills nginx's cache, as the class's first learner does
    return {
        "first_visit_files": len(paths),
        "first_visit_bytes_direct": wire_bytes(direct, paths),
        "first_visit_bytes_through_nginx": wire_bytes(proxied, paths),
    }


def main() -> None:
    """Start one app process and nginx in front of it, and measure."""
    from tests.load.loadtest import nginx_proxy
    from tests.support import streamlit_server

    with streamlit_server() as direct, nginx_proxy([direct]) as proxied:
        figures = measure(direct, proxied)
    figures["class_of_30_mb_direct"] = round(30 * figures["first_visit_bytes_direct"] / 1e6, 1)
    figures["class_of_30_mb_through_nginx"] = round(
        30 * figures["first_visit_bytes_through_nginx"] / 1e6, 1
    )
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
