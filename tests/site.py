"""The documentation site, built once for the whole test session (and shared by pytest-xdist's workers).

Building runs every page as a notebook (docs_hooks/fence_outputs.py), so it is the one expensive
step of the docs tests: the notebook tests and the browser test read the same built site. Under
``pytest -n 2`` the first worker to ask builds it under a file lock; the other waits and reuses it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _lock(path: Path) -> IO[str]:
    """An exclusive lock on ``path`` (POSIX ``flock``; on other systems, no lock: one worker builds)."""
    handle = path.open("a+")
    try:
        import fcntl

        fcntl.flock(handle, fcntl.LOCK_EX)
    except ImportError:  # pragma: no cover — Windows
        pass
    return handle


def build_once(shared: Path) -> Path:
    """The site built into ``shared/site`` by ``mkdocs build --strict``; built by the first caller only.

    A failed build is remembered, so every test that needs the site fails with the build's message.
    """
    pytest.importorskip("mkdocs", reason="building the site needs the docs extra: pip install -e '.[docs]'")
    pytest.importorskip("nbclient", reason="running the pages needs nbclient and ipykernel (test extra)")
    shared.mkdir(parents=True, exist_ok=True)
    site, status = shared / "site", shared / "status.json"
    with _lock(shared / "build.lock"):
        if not status.exists():
            result = subprocess.run(
                [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            )
            status.write_text(json.dumps({"returncode": result.returncode, "log": result.stderr[-6000:]}))
    outcome = json.loads(status.read_text())
    if outcome["returncode"] != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{outcome['log']}")
    return site


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site's folder; built once per test session, whatever the number of xdist workers."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return build_once(shared / "jbp-built-site")
