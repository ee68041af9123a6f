"""ONNX export (and import) for pymx, as ``mxnet.onnx`` in MXNet 1.9.1.

``mx.onnx.export_model(sym, params, in_shapes, ...)`` turns a Symbol (or a
``-symbol.json`` file) plus its parameters into an ``.onnx`` file that ONNX Runtime
and other frameworks can run.  The reverse direction lives in ``mx.contrib.onnx``
(``import_model``, ``import_to_gluon``, ``get_model_metadata``), as in MXNet.

Both need the ``onnx`` package (``pip install onnx``); it is imported only when one
of these functions is called, so the rest of pymx works without it.

* ``export.py``: one converter function per MXNet operator, in a table.
* ``import_.py``: one converter function per ONNX operator, in a table.
"""
from .export import export_model, get_operator_support

__all__ = ["export_model", "get_operator_support"]
