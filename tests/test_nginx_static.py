"""What a class downloads: nginx with the operator's guide's settings sends Streamlit's static
bundles gzip-compressed and keeps one copy of each for every app process behind it."""

import re
import urllib.request
import zlib

from tests.load.loadtest import nginx_proxy
from tests.support import ROOT

CONF = ROOT / "tests" / "load" / "nginx.conf"
GUIDE = ROOT / "docs" / "operators.md"


def fetch(url: str) -> tuple[dict, bytes]:
    """Headers and body as sent, with gzip accepted as a browser does."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return dict(answer.headers), answer.read()


def directives(text: str) -> set[str]:
    """The gzip and proxy-cache directives of an nginx configuration, one per statement."""
    statements = " ".join(line.split("#")[0] for line in text.splitlines()).split(";")
    return {
        " ".join(s.split()) for s in statements if re.match(r"\s*(gzip|proxy_cache)", s.strip())
    }


def test_the_guide_gives_the_tested_compression_and_cache():
    guide = GUIDE.read_text(encoding="utf-8")
    block = re.search(r"```nginx\n(.+?)```", guide, re.DOTALL)[1]
    tested = directives(CONF.read_text(encoding="utf-8"))
    assert {d for d in tested if d.startswith("gzip")} <= directives(block)
    assert {d.split()[0] for d in tested} <= {d.split()[0] for d in directives(block)}


def test_nginx_sends_the_main_bundle_compressed_and_cached(server_url):
    direct = server_url
    with nginx_proxy([direct]) as proxied:
        headers, html = fetch(f"{proxied}/")
        if headers.get("Content-Encoding") == "gzip":  # the page is compressed too
            html = zlib.decompress(html, wbits=31)
        main = re.search(rb'src="\.?/?(static/js/index\.[\w-]+\.js)"', html)
        assert main, f"no main bundle in the first page: {html[:2000]!r}"
        plain_headers, plain = fetch(f"{direct}/{main[1].decode()}")
        assert "Content-Encoding" not in plain_headers  # Streamlit leaves it to a proxy
        first, body = fetch(f"{proxied}/{main[1].decode()}")
        again, _ = fetch(f"{proxied}/{main[1].decode()}")
    assert first.get("Content-Encoding") == "gzip", first
    assert zlib.decompress(body, wbits=31) == plain
    assert len(body) < len(plain) / 2, (len(body), len(plain))
    assert (first.get("X-Cache-Status"), again.get("X-Cache-Status")) == ("MISS", "HIT")
