"""SqueezeNet 1.0 / 1.1 (Iandola et al. 2016): "fire" modules (a 1x1 squeeze conv, then
1x1 and 3x3 expand convs concatenated on channels); input (N, 3, 224, 224).  The
classifier is a 1x1 conv to ``classes`` channels averaged over the 13x13 map."""
from ... import nn
from ...block import HybridBlock
from ._common import HybridConcurrent, load_pretrained

# ``get_squeezenet`` is public but, as in MXNet, not star-exported into ``vision``.
__all__ = ["SqueezeNet", "squeezenet1_0", "squeezenet1_1"]


def _make_fire_conv(channels, kernel_size, padding=0):
    out = nn.HybridSequential(prefix="")
    out.add(nn.Conv2D(channels, kernel_size, padding=padding))
    out.add(nn.Activation("relu"))
    return out


def _make_fire(squeeze, expand1x1, expand3x3):
    out = nn.HybridSequential(prefix="")
    out.add(_make_fire_conv(squeeze, 1))
    paths = HybridConcurrent(axis=1, prefix="")
    paths.add(_make_fire_conv(expand1x1, 1))
    paths.add(_make_fire_conv(expand3x3, 3, 1))
    out.add(paths)
    return out


class SqueezeNet(HybridBlock):
    """``version`` '1.0' (7x7/96 stem) or '1.1' (3x3/64 stem, earlier pooling)."""

    def __init__(self, version, classes=1000, **kwargs):
        super().__init__(**kwargs)
        assert version in ("1.0", "1.1"), \
            f"Unsupported SqueezeNet version {version}:1.0 or 1.1 expected"
        pool = "pool"
        if version == "1.0":
            stem = (96, 7)
            plan = [(16, 64), (16, 64), (32, 128), pool, (32, 128), (48, 192), (48, 192),
                    (64, 256), pool, (64, 256)]
        else:
            stem = (64, 3)
            plan = [(16, 64), (16, 64), pool, (32, 128), (32, 128), pool, (48, 192),
                    (48, 192), (64, 256), (64, 256)]
        with self.name_scope():
            self.features = nn.HybridSequential(prefix="")
            self.features.add(nn.Conv2D(stem[0], kernel_size=stem[1], strides=2))
            self.features.add(nn.Activation("relu"))
            self.features.add(nn.MaxPool2D(pool_size=3, strides=2, ceil_mode=True))
            for step in plan:
                if step == pool:
                    self.features.add(nn.MaxPool2D(pool_size=3, strides=2, ceil_mode=True))
                else:
                    self.features.add(_make_fire(step[0], step[1], step[1]))
            self.features.add(nn.Dropout(0.5))
            self.output = nn.HybridSequential(prefix="")
            self.output.add(nn.Conv2D(classes, kernel_size=1))
            self.output.add(nn.Activation("relu"))
            self.output.add(nn.AvgPool2D(13))
            self.output.add(nn.Flatten())

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def get_squeezenet(version, pretrained=False, ctx=None, root=None, **kwargs):
    """SqueezeNet ``version`` '1.0' or '1.1' (1.1 computes less for the same accuracy).
    ``pretrained=True`` loads ``<root>/<name>-*.params`` from the local model
    store (pymx never downloads); ``ctx``/``root`` say where; other keyword
    arguments (``classes``, ...) go to the network's constructor.
    """
    net = SqueezeNet(version, **kwargs)
    return load_pretrained(net, f"squeezenet{version}", ctx, root) if pretrained else net


def squeezenet1_0(**kwargs):
    """SqueezeNet 1.0: ``get_squeezenet('1.0', **kwargs)``."""
    return get_squeezenet("1.0", **kwargs)


def squeezenet1_1(**kwargs):
    """SqueezeNet 1.1: ``get_squeezenet('1.1', **kwargs)``."""
    return get_squeezenet("1.1", **kwargs)
