"""``mx.contrib``: MXNet 1.9.1's contributed modules that pymx has (``mx.contrib.onnx``)."""
from . import onnx

__all__ = ["onnx"]
