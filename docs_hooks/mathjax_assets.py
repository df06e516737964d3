"""MkDocs hook: copy MathJax into the built site, so mathematics renders with no network.

MathJax comes from PyPI at build time: the ``django-static-mathjax`` distribution is a plain
copy of MathJax 3.2.2 (Apache-2.0) under ``mathjax/static/mathjax/es5`` and needs no Django to
be read from. After every build this hook copies the parts a page loads — the ``tex-chtml``
bundle, the TeX extensions it autoloads, the CommonHTML fonts, the menu and the assistive-MathML
code — to ``site/assets/mathjax/``. ``mkdocs.yml`` loads ``assets/mathjax/tex-chtml.js`` from
there, and MathJax finds its fonts and extensions relative to that script. Nothing is fetched
when a page is viewed.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

#: Files and folders of MathJax's ``es5`` directory the site needs, relative to it.
NEEDED = ("tex-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2", "ui", "a11y")
#: Where the site serves them from, relative to the site directory.
SITE_FOLDER = Path("assets") / "mathjax"


def mathjax_source() -> Path:
    """The ``es5`` folder of the installed MathJax copy, or a clear error naming what to install."""
    try:
        import mathjax  # the django-static-mathjax distribution
    except ImportError as error:
        raise SystemExit(
            "MathJax is needed to build the docs offline: pip install -e '.[docs]' "
            "(it brings django-static-mathjax, a copy of MathJax 3.2.2)"
        ) from error
    source = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (source / "tex-chtml.js").is_file():
        raise SystemExit(f"no MathJax bundle at {source / 'tex-chtml.js'}; reinstall django-static-mathjax")
    return source


def on_post_build(config: Any, **kwargs: Any) -> None:
    """Copy MathJax into ``site_dir/assets/mathjax`` (the folder ``mkdocs.yml`` points to)."""
    source = mathjax_source()
    target = Path(config["site_dir"]) / SITE_FOLDER
    for relative in NEEDED:
        origin, destination = source / relative, target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, destination, dirs_exist_ok=True)
        else:
            shutil.copy2(origin, destination)
    shutil.copy2(source.parent / "LICENSE", target / "LICENSE")
