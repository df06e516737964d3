"""What both benchmark scripts need to time fairly on a small shared machine. Import it before numpy.

Threads: BLAS runs single-threaded unless OPENBLAS_NUM_THREADS (or OMP_/MKL_)
is already set. On a two-core machine shared with other processes, threads
waiting for a busy core made the matrix products of one run many times slower
than those of the next.

Memory: by default glibc returns freed blocks of more than 128 KiB to the
system and maps fresh ones for the next allocation. Under a virtual machine the
page faults of touching fresh memory cost as much as an ``exp`` over it (about
160 µs for a 128×256 float64 array here), and which candidate pays them
depends on the order of its allocations, not on its arithmetic.
:func:`keep_freed_memory` asks glibc to keep freed memory in the process, for
every candidate alike.
"""

from __future__ import annotations

import ctypes
import os
import time
from collections.abc import Callable

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

#: glibc's mallopt parameter numbers (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def blas_threads() -> str:
    """The number of BLAS threads the benchmarks run with."""
    return os.environ["OPENBLAS_NUM_THREADS"]


def keep_freed_memory() -> bool:
    """Release freed memory to the system only above 1 GiB, map blocks only above 32 MiB; ``False`` if not glibc."""
    try:
        libc = ctypes.CDLL(None)
        return bool(libc.mallopt(_M_TRIM_THRESHOLD, 2**30)) and bool(libc.mallopt(_M_MMAP_THRESHOLD, 2**25))
    except (OSError, AttributeError):
        return False


def seconds_of(run: Callable[[], object]) -> float:
    """Wall-clock seconds of one call of ``run``."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start
