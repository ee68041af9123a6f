"""``Parameter.__repr__`` shows the dtype as it was given, as MXNet 1.9.1 does (values
printed by MXNet 1.9.1: Dense passes the string 'float32'; a bare Parameter defaults to
the type ``numpy.float32``)."""
import pymx as mx
from pymx.gluon import nn


def test_parameter_repr_dtype_as_given():
    net = nn.Dense(2)
    net.initialize()
    net(mx.nd.ones((1, 3)))
    assert repr(net.weight) == f"Parameter {net.weight.name} (shape=(2, 3), dtype=float32)"
    assert repr(mx.gluon.Parameter("q", shape=(2,), dtype="float16")) == \
        "Parameter q (shape=(2,), dtype=float16)"
    assert repr(mx.gluon.Parameter("r", shape=(2,))) == \
        "Parameter r (shape=(2,), dtype=<class 'numpy.float32'>)"
