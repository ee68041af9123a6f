"""Small helpers shared by the model-zoo networks: ``HybridConcurrent`` and ``Identity``
(from ``gluon.contrib.nn``, as in MXNet) and the pretrained-weight loader."""
from ...contrib.nn import HybridConcurrent, Identity
from ..model_store import get_model_file

__all__ = ["HybridConcurrent", "Identity", "load_pretrained"]


def load_pretrained(net, name, ctx, root):
    """``net.load_parameters(<root>/<name>-*.params)`` (see ``model_store``)."""
    net.load_parameters(get_model_file(name, root=root), ctx=ctx)
    return net
