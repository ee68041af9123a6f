"""Run ``tests/test_d2l_cv_nlp.py`` under real MXNet 1.9.1 (``pymx`` aliased to
``mxnet``), to confirm that the values frozen in it are MXNet's.

    MXNET_SUBGRAPH_BACKEND=NONE OPENBLAS_CORETYPE=SkylakeX \\
        /work/venv-mxnet/bin/python tests/data/mxnet/check_d2l_cv_nlp.py [test_name ...]

MXNet needs no pytest here: a tiny stand-in provides ``fixture``, ``raises`` and
``tmp_path``.  Every test should print PASS.
"""
import importlib.util
import inspect
import os
import pathlib
import sys
import tempfile
import traceback
import types

import mxnet
import mxnet.base
import mxnet.gluon

sys.modules["pymx"] = mxnet
sys.modules["pymx.base"] = mxnet.base
sys.modules["pymx.gluon"] = mxnet.gluon


class _Raises:
    def __init__(self, kind):
        self.kind = kind

    def __enter__(self):
        return self

    def __exit__(self, kind, err, tb):
        if kind is None:
            raise AssertionError(f"did not raise {self.kind.__name__}")
        return issubclass(kind, self.kind)


_pytest = types.ModuleType("pytest")
_pytest.fixture = lambda *a, **k: a[0] if a and callable(a[0]) else (lambda f: f)
_pytest.raises = _Raises
sys.modules["pytest"] = _pytest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "test_d2l_cv_nlp", os.path.join(HERE, "..", "..", "test_d2l_cv_nlp.py"))
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)

for name, fn in list(vars(module).items()):
    if not name.startswith("test_") or (sys.argv[1:] and name not in sys.argv[1:]):
        continue
    module.npx.set_np()
    try:
        args = [pathlib.Path(tempfile.mkdtemp())] \
            if "tmp_path" in inspect.signature(fn).parameters else []
        fn(*args)
        print("PASS", name)
    except Exception:                      # noqa: BLE001 - report and go on
        print("FAIL", name)
        traceback.print_exc(limit=-2)
    module.npx.reset_np()
