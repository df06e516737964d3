"""The documentation site, built once per test session, in the background (a pytest plugin: see conftest.py).

Building runs every page as a notebook (docs_hooks/fence_outputs.py), so it is the one expensive
step of the docs tests: the notebook tests and the browser test read the same built site. As soon as
the tests are collected, if some of them ask for ``built_site``, one ``mkdocs build --strict`` starts
in a process of its own, and every worker goes on with other tests; the modules that read the site
run last, and their fixture waits for the build only if it is not done by then. Under
``pytest -n 2`` the first worker to finish collecting starts the build, under a file lock, and both
share it. The build is killed if the session ends before it does.

Run as ``python -m tests.site FOLDER`` it is that build process: it builds into ``FOLDER/site``,
logs into ``FOLDER/build.log`` and writes ``FOLDER/status.json`` when mkdocs is done.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

try:
    import fcntl
except ImportError:  # pragma: no cover — Windows: no background build, the fixture builds in the foreground
    fcntl = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parent.parent
#: The session's build folder: made by the controller (or the only process), handed to xdist's workers.
FOLDER = pytest.StashKey[Path]()
_WORKER_INPUT = "jbp_site_folder"
#: Build processes this process started (kept so that they are reaped, never left as zombies).
_STARTED: list[subprocess.Popen[bytes]] = []


@contextmanager
def _lock(path: Path, blocking: bool = True) -> Iterator[bool]:
    """An exclusive ``flock`` on ``path`` while the block runs; yields whether it was taken."""
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
        else:
            yield True


def _missing_tools() -> str | None:
    """Why the site cannot be built here, or None."""
    if importlib.util.find_spec("mkdocs") is None:
        return "building the site needs the docs extra: pip install -e '.[docs]'"
    if importlib.util.find_spec("nbclient") is None:
        return "running the pages needs nbclient and ipykernel (test extra)"
    return None


def start_build(folder: Path) -> None:
    """Start ``mkdocs build --strict`` in the background, unless this session has started it already.

    The build process holds an ``flock`` on ``running.lock`` until it exits, however it exits:
    taking that lock is how a test waits for the build, and the lock is taken here, before the
    process starts, so that no test can take it first.
    """
    with _lock(folder / "start.lock"):
        if (folder / "build.pid").exists():
            return
        with (folder / "running.lock").open("a+") as running, (folder / "build.log").open("ab") as log:
            fcntl.flock(running, fcntl.LOCK_EX)
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.site", str(folder)],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=[running.fileno()],  # the child inherits the lock; ours closes with the file
                start_new_session=True,  # its own process group, so that it can be killed with mkdocs
            )
        _STARTED.append(process)
        (folder / "build.pid").write_text(str(process.pid))


def wait_for_site(folder: Path) -> Path:
    """The built site, once the build has finished; a failed build fails the test with the build's log."""
    reason = _missing_tools()
    if reason is not None:
        pytest.skip(reason)
    if fcntl is None:  # pragma: no cover — no lock to share a background build with
        if not (folder / "status.json").exists():
            build(folder)
    else:
        start_build(folder)  # normally started at collection; a no-op then
        with _lock(folder / "running.lock"):  # free once the build process has exited
            pass
    status = folder / "status.json"
    if not status.exists():
        pytest.fail(f"the site build stopped before it finished (killed?):\n{_log_tail(folder)}")
    outcome = json.loads(status.read_text())
    if outcome["returncode"] != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{outcome['log']}")
    return folder / "site"


def build(folder: Path) -> int:
    """Build the site into ``folder/site``, logging into ``folder/build.log``; the outcome goes to ``status.json``."""
    with (folder / "build.log").open("ab") as log:
        returncode = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder / "site")],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        ).returncode
    # Written whole, then renamed: a waiting test never reads half a status.
    scratch = folder / "status.json.part"
    scratch.write_text(json.dumps({"returncode": returncode, "log": _log_tail(folder)}))
    scratch.replace(folder / "status.json")
    return returncode


def _log_tail(folder: Path) -> str:
    return (folder / "build.log").read_text(encoding="utf8", errors="replace")[-6000:]


def _reads_site(item: pytest.Item) -> bool:
    return "built_site" in getattr(item, "fixturenames", ())


# --- the plugin's hooks ------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    worker_input = getattr(config, "workerinput", None)  # set by pytest-xdist in its workers
    if worker_input is not None:
        config.stash[FOLDER] = Path(worker_input[_WORKER_INPUT])
    else:
        config.stash[FOLDER] = Path(tempfile.mkdtemp(prefix="jbp-site-"))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: object) -> None:
    """pytest-xdist: every worker gets the controller's build folder."""
    node.workerinput[_WORKER_INPUT] = str(node.config.stash[FOLDER])  # type: ignore[attr-defined]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules that read the built site run last (in their own order), when the build is likely done."""
    late = {item.module for item in items if _reads_site(item)}  # type: ignore[attr-defined]
    items[:] = [item for item in items if getattr(item, "module", None) not in late] + [
        item for item in items if getattr(item, "module", None) in late
    ]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the build as soon as some collected test is known to need it."""
    config = session.config
    if config.getoption("collectonly") or fcntl is None or _missing_tools() is not None:
        return
    if any(_reads_site(item) for item in session.items):
        start_build(config.stash[FOLDER])


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Reap the builds started here; the controller (or the only process) also kills an unfinished one."""
    for process in _STARTED:
        process.poll()
    config = session.config
    if hasattr(config, "workerinput"):
        return  # another worker may still wait for the build
    folder = config.stash[FOLDER]
    pid_file = folder / "build.pid"
    if fcntl is not None and pid_file.exists():
        with _lock(folder / "running.lock", blocking=False) as finished:
            if not finished:
                with suppress(ProcessLookupError):  # it may have just finished
                    os.killpg(int(pid_file.read_text()), signal.SIGTERM)
        with _lock(folder / "running.lock"):  # until the killed build has exited
            pass
    for process in _STARTED:
        process.wait()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def built_site(request: pytest.FixtureRequest) -> Path:
    """The built site's folder; built once per test session, whatever the number of xdist workers."""
    return wait_for_site(request.config.stash[FOLDER])


if __name__ == "__main__":
    sys.exit(build(Path(sys.argv[1])))
