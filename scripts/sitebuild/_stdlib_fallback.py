"""The rest of the standard library, on first use (shipped in the site's python_stdlib.zip, not in the package).

The site's standard-library zip holds only the modules Pyodide's start-up and the calculators import, compiled
at build time. Any other standard-library module is found here: the first time one is imported, `install`'s
`fetch_full_stdlib` is called once for the bytes of Pyodide's full python_stdlib.zip, which is written next to the
small one, and the module is imported from it. The build appends ``MODULE_NAMES``: the dotted names of the modules
the full zip has and the small one lacks. Names outside it are left to the other finders (an ordinary
ModuleNotFoundError), so a probe for an optional module never triggers the download.
"""

import sys
from importlib.machinery import PathFinder

FULL_ZIP = "/lib/python_stdlib_full.zip"


class _FullStdlibFinder:
    def __init__(self, fetch_full_stdlib):
        self._fetch = fetch_full_stdlib
        self._ready = False

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in MODULE_NAMES:  # noqa: F821 - appended by the build
            return None
        if not self._ready:
            data = self._fetch()
            data = data.to_bytes() if hasattr(data, "to_bytes") else bytes(data)
            with open(FULL_ZIP, "wb") as out:
                out.write(data)
            self._ready = True
        parent, _, _ = fullname.rpartition(".")
        where = "/".join([FULL_ZIP, *parent.split(".")]) if parent else FULL_ZIP
        return PathFinder.find_spec(fullname, [where], target)


def install(fetch_full_stdlib):
    """Put the finder last on sys.meta_path: it answers only when every other finder has failed."""
    sys.meta_path.append(_FullStdlibFinder(fetch_full_stdlib))
