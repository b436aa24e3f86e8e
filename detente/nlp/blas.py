"""Matrix products of the parser's token-to-vector layer through numpy's OpenBLAS, held at one thread.

thinc multiplies with blis by default. On this project's machine (x86-64 with AVX-512) numpy's
OpenBLAS does tok2vec's products about twice as fast single-threaded (a 6,000 x 288 by 288 x 288
product: 7 ms against 14 ms), which takes about 7% off the CPU time of coding an article
(``bench/bench_coder.py``). OpenBLAS must then run one thread per process: the coder runs one process
per core, and OpenBLAS threads that busy-wait next to the other worker cost more than they save
(measured: +47% CPU with OpenBLAS's default threads). When the thread count cannot be set (numpy built
against another BLAS, or the library not found), blis stays: same results, old speed.
"""

from __future__ import annotations

import ctypes
import glob
import os
from functools import lru_cache

# names of OpenBLAS's thread setter: scipy-openblas's 64-bit-integer build first, then plain builds
_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
            "openblas_set_num_threads")


@lru_cache(maxsize=1)
def one_thread_openblas() -> bool:
    """Hold numpy's OpenBLAS at one thread in this process; True if that was done."""
    import numpy as np

    libs = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    for path in sorted(glob.glob(os.path.join(libs, "*openblas*.so*"))):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            setter = getattr(lib, name, None)
            if setter is not None:
                setter.argtypes = [ctypes.c_int]
                setter(1)
                return True
    return False


def use_numpy_gemm(nlp) -> bool:
    """Let the token-to-vector model multiply through numpy (one OpenBLAS thread); True if switched.
    Only tok2vec: the parser's own Cython loop calls blis directly, and the tagger's and parser's
    output layers are small."""
    if ("tok2vec" not in nlp.pipe_names or os.environ.get("DETENTE_BLAS", "").lower() == "blis"
            or not one_thread_openblas()):
        return False
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
    nodes = [n for n in nlp.get_pipe("tok2vec").model.walk() if isinstance(n.ops, NumpyOps)]
    for node in nodes:
        node.ops = ops
    return bool(nodes)
