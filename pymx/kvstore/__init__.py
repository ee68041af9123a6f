"""``mx.kvstore`` (alias ``mx.kv``): key-value stores that sum gradients across devices
and worker processes, and can run the optimizer where the weights are stored.

>>> import pymx as mx
>>> kv = mx.kv.create('local')
>>> kv.init(3, mx.nd.ones((2, 3)))
>>> kv.push(3, [mx.nd.ones((2, 3)), mx.nd.ones((2, 3)) * 2])   # two devices: summed
>>> out = mx.nd.zeros((2, 3))
>>> kv.pull(3, out=out)
>>> out.asnumpy()[0].tolist()
[3.0, 3.0, 3.0]

Files: ``kvstore.py`` (the interface, the registry and ``create``), ``local.py`` (the
in-process store), ``dist.py`` (``dist_sync`` over MPI), ``compression.py`` (2-bit
gradient compression).  Chapter 11 (``chapters/ch11_distributed``) teaches it.
"""
from .kvstore import KVStoreBase, TestStore, create
from .local import KVStore
from .dist import DistKVStore
from .compression import GradientCompression

__all__ = ["KVStoreBase", "KVStore", "DistKVStore", "TestStore", "GradientCompression",
           "create"]
