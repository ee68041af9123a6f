"""Freeze MXNet 1.9.1's answers to ``sparse_parity_scenarios.py`` as
``sparse_parity.json`` (run with the MXNet venv:
``/work/venv-mxnet/bin/python tests/data/mxnet/make_sparse_parity.py``)."""
import json
import logging
import os
import sys
import tempfile

import mxnet as mx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sparse_parity_scenarios as sc  # noqa: E402

logging.disable(logging.WARNING)      # the storage-fallback messages

frozen = {name: getattr(sc, name)(mx) for name in sc.SCENARIOS}
with tempfile.TemporaryDirectory() as tmp:
    frozen["linear_regression_module"] = sc.linear_regression_module(mx, tmp)
with open(os.path.join(HERE, "sparse_parity.json"), "w") as f:
    json.dump(frozen, f, indent=1, sort_keys=True)
