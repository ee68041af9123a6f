"""``mx.runtime``: which features this build has (MXNet's ``libinfo`` feature flags).

MXNet reports the switches it was compiled with (``USE_CUDA``, ``USE_MKLDNN``...).
pymx compiles nothing, so each flag says whether pymx can use the feature *here*:
``CUDA`` when CuPy sees a GPU, ``BLAS_OPEN``/``LAPACK`` from NumPy's build,
``DIST_KVSTORE`` when ``mpi4py`` imports, the ``CPU_*`` flags from the SIMD features
NumPy detected at run time.  The list and its order are MXNet 1.9.1's::

    >>> mx.runtime.Features().is_enabled("CUDA")
    False
"""
import collections

__all__ = ["Feature", "Features", "feature_list"]

_NAMES = ("CUDA", "CUDNN", "NCCL", "CUDA_RTC", "TENSORRT", "CPU_SSE", "CPU_SSE2", "CPU_SSE3",
          "CPU_SSE4_1", "CPU_SSE4_2", "CPU_SSE4A", "CPU_AVX", "CPU_AVX2", "OPENMP", "SSE",
          "F16C", "JEMALLOC", "BLAS_OPEN", "BLAS_ATLAS", "BLAS_MKL", "BLAS_APPLE", "LAPACK",
          "MKLDNN", "OPENCV", "CAFFE", "PROFILER", "DIST_KVSTORE", "CXX14",
          "INT64_TENSOR_SIZE", "SIGNAL_HANDLER", "DEBUG", "TVM_OP")

#: pymx's feature -> NumPy's name for the CPU feature
_CPU = {"CPU_SSE": "SSE", "CPU_SSE2": "SSE2", "CPU_SSE3": "SSE3", "CPU_SSE4_1": "SSE41",
        "CPU_SSE4_2": "SSE42", "CPU_AVX": "AVX", "CPU_AVX2": "AVX2", "F16C": "F16C"}


class Feature:
    """One feature flag: ``name`` and ``enabled``; prints as ``✔ NAME`` or ``✖ NAME``."""

    def __init__(self, name, enabled):
        self.name, self.enabled = name, bool(enabled)

    def __repr__(self):
        return f"{'✔' if self.enabled else '✖'} {self.name}"


def _blas():
    """NumPy's BLAS library name (lower case), '' when it does not say."""
    import numpy as np
    try:
        deps = np.show_config(mode="dicts")["Build Dependencies"]
        return str(deps.get("blas", {}).get("name", "")).lower()
    except (TypeError, KeyError, AttributeError):
        return ""


def _enabled():
    import importlib.util
    from .context import num_gpus
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as cpu
    except ImportError:                       # NumPy < 2
        from numpy.core._multiarray_umath import __cpu_features__ as cpu
    blas = _blas()
    gpu = num_gpus() > 0
    on = {"CUDA": gpu, "CUDA_RTC": gpu, "BLAS_OPEN": "openblas" in blas,
          "BLAS_MKL": "mkl" in blas, "BLAS_APPLE": "accelerate" in blas,
          "LAPACK": bool(blas), "PROFILER": True, "INT64_TENSOR_SIZE": True,
          "DIST_KVSTORE": importlib.util.find_spec("mpi4py") is not None}
    on.update({name: cpu.get(np_name, False) for name, np_name in _CPU.items()})
    on["SSE"] = on["CPU_SSE"]
    return on


def feature_list():
    """Every feature of MXNet 1.9.1's list, as ``Feature`` s, in its order."""
    on = _enabled()
    return [Feature(name, on.get(name, False)) for name in _NAMES]


class Features(collections.OrderedDict):
    """Name -> ``Feature`` for every feature; ``is_enabled(name)`` asks one."""

    def __init__(self):
        super().__init__((f.name, f) for f in feature_list())

    def __repr__(self):
        return str(list(self.values()))

    def is_enabled(self, feature_name):
        """Is ``feature_name`` (e.g. 'CUDA') enabled?  RuntimeError for unknown names."""
        name = feature_name.upper()
        if name not in self:
            raise RuntimeError(f"Feature '{name}' is unknown, known features are: "
                               f"{list(self.keys())}")
        return self[name].enabled
