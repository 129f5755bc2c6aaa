"""`python -m book.sphinx_child REQUEST`: one Sphinx build, run like `jupyter-book build`, in
a process of its own. The course's book may run code of its own (local Sphinx extensions, its
`conf` settings, executed notebooks), so the parent starts this child without the maintainer's
credentials (`checks.process.run`, untrusted) and reads back what it wrote: the status, the
warnings text and the pages Sphinx read or wrote.

REQUEST is a JSON file: {"source", "html", "doctrees", "strict", "force", "result"}.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path


def build(request: dict[str, object]) -> dict[str, object]:
    from jupyter_book.config import get_final_config
    from sphinx.application import Sphinx
    from sphinx.errors import SphinxError
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    source = Path(str(request["source"]))
    config, _ = get_final_config(user_yaml=source / "_config.yml",
                                 cli_config={"latex_individualpages": False},
                                 sourcedir=source, use_external_toc=True)
    config["extensions"] = [*config.get("extensions", []), "tinyrelease.book.sphinx_fixes"]
    stream, touched = io.StringIO(), set()
    try:
        with patch_docutils(str(source)), docutils_namespace():
            app = Sphinx(str(source), None, str(request["html"]), str(request["doctrees"]),
                         "html", confoverrides=config, status=sys.stdout, warning=stream,
                         warningiserror=bool(request["strict"]), keep_going=True)
            app.connect("env-before-read-docs", lambda _a, _e, names: touched.update(names))
            app.connect("html-page-context", lambda _a, name, *_: touched.add(name))
            app.build(force_all=bool(request["force"]))
            status = app.statuscode
    except (SphinxError, OSError, ValueError) as error:
        return {"error": str(error)}
    return {"status": status, "warnings": stream.getvalue(), "touched": sorted(touched)}


def main(argv: list[str]) -> int:
    request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    result = build(request)
    Path(str(request["result"])).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
