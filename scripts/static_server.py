"""A static file server on 127.0.0.1 for the browser tests and the benchmark.

Python's `http.server` with the MIME types Pyodide needs (`.wasm`, `.mjs`) and explicit caching headers, so warm
loads are repeatable: `no-cache` (revalidate every time) by default, or `max-age` for a benchmark's warm run.
"""

from __future__ import annotations

import functools
import http.server
import threading
from contextlib import contextmanager
from pathlib import Path


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

    def end_headers(self) -> None:
        self.send_header("Cache-Control", self.cache_control)
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(directory: Path, *, cache_control: str = "no-cache", port: int = 0):
    """Serve `directory` in a background thread; yields the base URL (``http://127.0.0.1:PORT/``)."""
    handler = functools.partial(type("Handler", (_Handler,), {"cache_control": cache_control}), directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
