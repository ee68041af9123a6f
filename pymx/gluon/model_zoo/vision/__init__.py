"""``gluon.model_zoo.vision``: image classification networks with MXNet 1.9.1's
architectures and parameter names.

``get_model('resnet18_v1', classes=10)`` builds an uninitialized network (call
``initialize()``); ``pretrained=True`` loads ``<root>/<name>-*.params`` from a local
folder (``root`` defaults to ``~/.mxnet/models``) and, if the file is not there, raises
``model_store.ConnectionError`` (an ``OSError``, like the error MXNet raises when its
download fails offline) saying where it looked: pymx bundles no weights, never downloads.
Input sizes: 224x224 for all nets except ``inceptionv3`` (299x299).
"""
from . import alexnet as _a, densenet as _d, inception as _i, resnet as _r, \
    squeezenet as _s, vgg as _v, mobilenet as _m
from .alexnet import *  # noqa: F401,F403
from .densenet import *  # noqa: F401,F403
from .inception import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .squeezenet import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403
from .mobilenet import *  # noqa: F401,F403

_MODELS = {
    **{f"resnet{n}_v{v}": getattr(_r, f"resnet{n}_v{v}")
       for v in (1, 2) for n in (18, 34, 50, 101, 152)},
    **{f"vgg{n}{bn}": getattr(_v, f"vgg{n}{bn}") for n in (11, 13, 16, 19) for bn in ("", "_bn")},
    "alexnet": _a.alexnet,
    **{f"densenet{n}": getattr(_d, f"densenet{n}") for n in (121, 161, 169, 201)},
    "squeezenet1.0": _s.squeezenet1_0,
    "squeezenet1.1": _s.squeezenet1_1,
    "inceptionv3": _i.inception_v3,
    "mobilenet1.0": _m.mobilenet1_0,
    "mobilenet0.75": _m.mobilenet0_75,
    "mobilenet0.5": _m.mobilenet0_5,
    "mobilenet0.25": _m.mobilenet0_25,
    "mobilenetv2_1.0": _m.mobilenet_v2_1_0,
    "mobilenetv2_0.75": _m.mobilenet_v2_0_75,
    "mobilenetv2_0.5": _m.mobilenet_v2_0_5,
    "mobilenetv2_0.25": _m.mobilenet_v2_0_25,
}


def get_model(name, **kwargs):
    """The network ``name`` (case-insensitive); ``kwargs`` go to its constructor:
    ``pretrained=False``, ``ctx``, ``root``, ``classes=1000``, ..."""
    name = name.lower()
    if name not in _MODELS:
        raise ValueError("Model %s is not supported. Available options are\n\t%s"
                         % (name, "\n\t".join(sorted(_MODELS))))
    return _MODELS[name](**kwargs)
