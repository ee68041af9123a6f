"""``mx.contrib.onnx``: ONNX import (``import_model``, ``import_to_gluon``,
``get_model_metadata``) and the older path of ``export_model``.

The code lives in ``pymx/onnx/``; these wrappers print MXNet 1.9.1's deprecation
notices word for word, then call it.
"""
from ..onnx import export as _export
from ..onnx import import_ as _import

_IMPORT_NOTE = ("Please be advised that importing ONNX models into MXNet is going to be deprecated "
                "in the upcoming MXNet v1.10 release. The following apis will be deleted: "
                "mxnet.contrib.onnx.import_model/get_model_metadata/import_to_gluon.")


def import_model(*args, **kwargs):
    """See ``pymx.onnx.import_.import_model``: returns ``(sym, arg_params, aux_params)``."""
    print("Calling mxnet.contrib.onnx.import_model...")
    print(_IMPORT_NOTE)
    return _import.import_model(*args, **kwargs)


def get_model_metadata(*args, **kwargs):
    """See ``pymx.onnx.import_.get_model_metadata``."""
    print("Calling mxnet.contrib.onnx.get_model_metadata...")
    print(_IMPORT_NOTE)
    return _import.get_model_metadata(*args, **kwargs)


def import_to_gluon(*args, **kwargs):
    """See ``pymx.onnx.import_.import_to_gluon``: a ``gluon.SymbolBlock``."""
    print("Calling mxnet.contrib.onnx.import_to_gluon...")
    print(_IMPORT_NOTE)
    return _import.import_to_gluon(*args, **kwargs)


def export_model(*args, **kwargs):
    """The old path of ``mx.onnx.export_model``."""
    print("Calling mxnet.contrib.onnx.export_model...")
    print("Please be advised that the ONNX module has been moved to mxnet.onnx and "
          "mxnet.onnx.export_model is the preferred path. The current path will be deprecated "
          "in the upcoming MXNet v1.10 release.")
    return _export.export_model(*args, **kwargs)


__all__ = ["export_model", "import_model", "import_to_gluon", "get_model_metadata"]
