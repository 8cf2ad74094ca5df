"""A static file server on 127.0.0.1 for the browser tests and the benchmark.

Python's `http.server` with the MIME types Pyodide needs (`.wasm`, `.mjs`) and explicit caching headers, so warm
loads are repeatable: `no-cache` (revalidate every time) by default, or `max-age` for a benchmark's warm run.
Like a static host: a missing file gets the site's ``404.html`` with status 404; the site can be served under a
path prefix (``/repo/``, as GitHub Pages serves a project site); other folders can be mounted beside it (the
benchmark's blank page), so nothing is written into the site.
"""

from __future__ import annotations

import functools
import http.server
import os
import posixpath
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".whl": "application/zip",
        ".json": "application/json",
    }
    cache_control = "no-cache"
    prefix = "/"  # where the site is mounted: "/" or "/repo/"
    mounts: dict[str, str] = {}  # other URL prefixes ("/__bench/") -> folders

    def end_headers(self) -> None:
        self.send_header("Cache-Control", self.cache_control)
        super().end_headers()

    def translate_path(self, path: str) -> str:
        raw = unquote(urlsplit(path).path)
        url_path = posixpath.normpath(raw) + ("/" if raw.endswith("/") and raw != "/" else "")
        for mount, folder in self.mounts.items():
            if url_path.startswith(mount):
                return os.path.join(folder, *url_path[len(mount):].split("/"))
        if (url_path + "/").startswith(self.prefix):
            return os.path.join(self.directory, *url_path[len(self.prefix):].split("/"))
        return os.path.join(self.directory, "__outside_the_prefix__", "missing")  # a 404

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(directory: Path, *, cache_control: str = "no-cache", port: int = 0, prefix: str = "/",
          mounts: dict[str, Path] | None = None):
    """Serve `directory` at `prefix` in a background thread; yields the site's base URL
    (``http://127.0.0.1:PORT/`` plus the prefix). `mounts` maps other URL prefixes to folders."""
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    attributes = {
        "cache_control": cache_control,
        "prefix": prefix,
        "mounts": {"/" + m.strip("/") + "/": str(folder) for m, folder in (mounts or {}).items()},
    }
    handler = functools.partial(type("Handler", (_Handler,), attributes), directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
