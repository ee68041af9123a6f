"""DenseNet 121/161/169/201 (Huang et al. 2016): dense blocks in which every layer
(BN-ReLU-1x1 conv to ``bn_size*growth`` channels, BN-ReLU-3x3 conv to ``growth``
channels) concatenates its output to its input; transitions (BN-ReLU-1x1 conv halving
the channels, 2x2 average pool) in between; input (N, 3, 224, 224)."""
from ... import nn
from ...block import HybridBlock
from ._common import HybridConcurrent, Identity, load_pretrained

# ``get_densenet`` is public but, as in MXNet, not star-exported into ``vision``.
__all__ = ["DenseNet", "densenet121", "densenet161", "densenet169", "densenet201"]

#: layers -> (initial features, growth rate, layers per dense block)
densenet_spec = {121: (64, 32, [6, 12, 24, 16]),
                 161: (96, 48, [6, 12, 36, 24]),
                 169: (64, 32, [6, 12, 32, 32]),
                 201: (64, 32, [6, 12, 48, 32])}


def _make_dense_layer(growth_rate, bn_size, dropout):
    new_features = nn.HybridSequential(prefix="")
    new_features.add(nn.BatchNorm(), nn.Activation("relu"),
                     nn.Conv2D(bn_size * growth_rate, kernel_size=1, use_bias=False),
                     nn.BatchNorm(), nn.Activation("relu"),
                     nn.Conv2D(growth_rate, kernel_size=3, padding=1, use_bias=False))
    if dropout:
        new_features.add(nn.Dropout(dropout))
    out = HybridConcurrent(axis=1, prefix="")
    out.add(Identity(), new_features)
    return out


def _make_dense_block(num_layers, bn_size, growth_rate, dropout, stage_index):
    out = nn.HybridSequential(prefix=f"stage{stage_index}_")
    with out.name_scope():
        for _ in range(num_layers):
            out.add(_make_dense_layer(growth_rate, bn_size, dropout))
    return out


def _make_transition(num_output_features):
    out = nn.HybridSequential(prefix="")
    out.add(nn.BatchNorm(), nn.Activation("relu"),
            nn.Conv2D(num_output_features, kernel_size=1, use_bias=False),
            nn.AvgPool2D(pool_size=2, strides=2))
    return out


class DenseNet(HybridBlock):
    """Stem (7x7/2 conv, BN, ReLU, 3x3/2 max pool), dense blocks and transitions,
    BN-ReLU, 7x7 average pool, Dense."""

    def __init__(self, num_init_features, growth_rate, block_config, bn_size=4, dropout=0,
                 classes=1000, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = nn.HybridSequential(prefix="")
            self.features.add(nn.Conv2D(num_init_features, kernel_size=7, strides=2,
                                        padding=3, use_bias=False),
                              nn.BatchNorm(), nn.Activation("relu"),
                              nn.MaxPool2D(pool_size=3, strides=2, padding=1))
            num_features = num_init_features
            for i, num_layers in enumerate(block_config):
                self.features.add(_make_dense_block(num_layers, bn_size, growth_rate, dropout,
                                                    i + 1))
                num_features += num_layers * growth_rate
                if i != len(block_config) - 1:
                    num_features //= 2
                    self.features.add(_make_transition(num_features))
            self.features.add(nn.BatchNorm(), nn.Activation("relu"), nn.AvgPool2D(pool_size=7),
                              nn.Flatten())
            self.output = nn.Dense(classes)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def get_densenet(num_layers, pretrained=False, ctx=None, root=None, **kwargs):
    """DenseNet-``num_layers`` (121, 161, 169 or 201; Huang et al. 2017).
    ``pretrained=True`` loads ``<root>/<name>-*.params`` from the local model
    store (pymx never downloads); ``ctx``/``root`` say where; other keyword
    arguments (``classes``, ...) go to the network's constructor.
    """
    init, growth, config = densenet_spec[num_layers]
    net = DenseNet(init, growth, config, **kwargs)
    return load_pretrained(net, f"densenet{num_layers}", ctx, root) if pretrained else net


def densenet121(**kwargs):
    """DenseNet-121: ``get_densenet(121, **kwargs)``; input (N, 3, 224, 224)."""
    return get_densenet(121, **kwargs)


def densenet161(**kwargs):
    """DenseNet-161: ``get_densenet(161, **kwargs)``; input (N, 3, 224, 224)."""
    return get_densenet(161, **kwargs)


def densenet169(**kwargs):
    """DenseNet-169: ``get_densenet(169, **kwargs)``; input (N, 3, 224, 224)."""
    return get_densenet(169, **kwargs)


def densenet201(**kwargs):
    """DenseNet-201: ``get_densenet(201, **kwargs)``; input (N, 3, 224, 224)."""
    return get_densenet(201, **kwargs)
