"""``mx.contrib``: MXNet 1.9.1's contributed modules that pymx has (``mx.contrib.onnx``,
``mx.contrib.text``)."""
from . import onnx
from . import text

__all__ = ["onnx", "text"]
