"""The operators of ``mx.npx``: neural-network layers and MXNet-specific array ops.

Each is one legacy operator of the registry under its ``npx`` name; where MXNet's
``npx`` function has other defaults than the legacy operator, the wrapper says so.
Results are ``mx.np`` arrays when the inputs are (``register.result_class``).
"""
from math import prod as _prod

import numpy as _onp

from ..base import MXNetError
from ..ndarray import op as _nd

__all__ = ["relu", "sigmoid", "softmax", "log_softmax", "activation", "fully_connected",
           "convolution", "pooling", "batch_norm", "layer_norm", "dropout", "pick",
           "one_hot", "topk", "sequence_mask", "reshape", "embedding", "batch_dot",
           "gamma", "gammaln", "erf", "leaky_relu", "batch_flatten", "stop_gradient",
           "multibox_prior", "multibox_target", "multibox_detection", "arange_like",
           "erfinv", "cast", "slice", "gather_nd", "reshape_like", "shape_array",
           "smooth_l1", "deconvolution", "roi_pooling", "rnn", "nonzero"]

#: npx name -> the legacy operator it is (the same table makes ``mx.sym.npx``)
OP_NAMES = {
    "relu": "relu",                      # max(x, 0)
    "sigmoid": "sigmoid",                # 1 / (1 + exp(-x))
    "softmax": "softmax",                # exp(x) / sum(exp(x), axis), axis=-1
    "log_softmax": "log_softmax",        # x - log(sum(exp(x), axis))
    "activation": "Activation",          # act_type='relu'|'sigmoid'|'tanh'|...
    "convolution": "Convolution",
    "pooling": "Pooling",
    "batch_norm": "BatchNorm",
    "layer_norm": "LayerNorm",
    "dropout": "Dropout",
    "leaky_relu": "LeakyReLU",
    "pick": "pick",                      # x[i, index[i]] along axis (default -1)
    "one_hot": "one_hot",
    "topk": "topk",
    "embedding": "Embedding",
    "batch_dot": "batch_dot",
    "batch_flatten": "Flatten",          # (N, d1, d2, ...) -> (N, d1*d2*...)
    "stop_gradient": "BlockGrad",
    "gamma": "gamma",
    "gammaln": "gammaln",
    "erf": "erf",
    "multibox_prior": "_contrib_MultiBoxPrior",          # SSD anchors (d2l ch. 14)
    "multibox_target": "_contrib_MultiBoxTarget",
    "multibox_detection": "_contrib_MultiBoxDetection",
    "arange_like": "_contrib_arange_like",
    "erfinv": "erfinv",                  # the inverse of erf
    "cast": "Cast",                      # astype as an operator (gradient cast back)
    "slice": "slice",                    # begin/end/step per axis (None: whole axis)
    "gather_nd": "gather_nd",            # out[i] = data[indices[0, i], indices[1, i], ...]
    "reshape_like": "reshape_like",
    "shape_array": "shape_array",        # the shape as an int64 array
    "smooth_l1": "smooth_l1",            # 0.5 (s x)^2 if |x| < 1/s^2, else |x| - 0.5/s^2
    "deconvolution": "Deconvolution",    # transposed convolution
    "roi_pooling": "ROIPooling",
    "rnn": "RNN",                        # the fused RNN/LSTM/GRU layer
}
globals().update({name: getattr(_nd, op) for name, op in OP_NAMES.items()})


def nonzero(a):
    """The positions of the non-zero elements, one row per element: int64 of shape
    ``(count, a.ndim)`` in C order (NumPy's ``argwhere``; no gradient)."""
    from ..numpy.creation import array
    positions = _onp.argwhere(a.asnumpy()).astype(_onp.int64)
    return array(positions, dtype=_onp.int64, ctx=a.context)


def wrappers(ops):
    """The npx functions that are one operator with other defaults or arguments, made on
    the operator namespace ``ops``: ``mx.nd.op`` for ``mx.npx``, ``mx.sym.op`` for
    ``F.npx`` in a hybridized block."""
    def fully_connected(x, weight, bias=None, num_hidden=None, no_bias=True, flatten=True):
        """``x @ weight.T + bias`` (``FullyConnected``); unlike the legacy operator,
        ``no_bias`` defaults to True, so pass ``no_bias=False`` with a bias."""
        inputs = [x, weight] if no_bias else [x, weight, bias]
        return ops.FullyConnected(*inputs, num_hidden=num_hidden or weight.shape[0],
                                  no_bias=no_bias, flatten=flatten)

    def sequence_mask(data, sequence_length=None, use_sequence_length=False, value=0.0,
                      axis=0):
        """Set ``data`` beyond each sequence's length to ``value`` (``SequenceMask``)."""
        inputs = [data] if sequence_length is None else [data, sequence_length]
        return ops.SequenceMask(*inputs, use_sequence_length=use_sequence_length,
                                value=value, axis=axis)
    return {"fully_connected": fully_connected, "sequence_mask": sequence_mask}


globals().update(wrappers(_nd))


def reshape(a, newshape, reverse=False, order="C"):
    """Reshape with ``npx``'s special codes (not the legacy ``Reshape`` codes!):
    -1 infers one dim, -2 copies this input dim, -3 drops this input dim (it must
    be 1), -4 copies all remaining input dims, -5 merges the next two input dims,
    -6 splits one input dim into the next two values (one may be -1).  For an input
    of shape (2, 3, 4): ``(-2, -1)`` gives (2, 12), ``(-5, -4)`` gives (6, 4),
    ``(-6, 1, 2, -4)`` gives (1, 2, 3, 4).  ``reverse`` reads both from the right.
    A bad code or a size mismatch is an MXNetError."""
    if order != "C":
        raise NotImplementedError("npx.reshape: only order='C' is supported")
    try:
        shape = _npx_shape(tuple(a.shape), tuple(newshape), reverse)
    except (IndexError, ZeroDivisionError):             # codes running past the input
        raise MXNetError(f"npx.reshape: codes {tuple(newshape)} do not fit an input of "
                         f"shape {tuple(a.shape)}") from None
    return a.reshape(shape)


def _npx_shape(shape, codes, reverse):
    """The target shape for ``npx.reshape`` (see its docstring)."""
    src, codes = (shape[::-1], codes[::-1]) if reverse else (shape, codes)
    out, i, j, infer = [], 0, 0, None
    while j < len(codes):
        c = codes[j]
        if c >= 0:
            out.append(c)
            i += 1
        elif c == -1:
            infer = len(out)
            out.append(1)
            i += 1
        elif c == -2:
            out.append(src[i])
            i += 1
        elif c == -3:
            if src[i] != 1:
                raise MXNetError(f"npx.reshape: code -3 drops input dim {i} of {shape}, "
                                 f"which is {src[i]}, not 1")
            i += 1
        elif c == -4:
            out.extend(src[i:])
            i = len(src)
        elif c == -5:
            out.append(src[i] * src[i + 1])
            i += 2
        elif c == -6:
            d1, d2 = codes[j + 1], codes[j + 2]
            d1 = src[i] // d2 if d1 == -1 else d1
            d2 = src[i] // d1 if d2 == -1 else d2
            out.extend([d1, d2])
            i += 1
            j += 2
        else:
            raise MXNetError(f"npx.reshape: unknown code {c} in {codes}")
        j += 1
    if infer is not None:
        known = int(_prod(out)) or 1
        out[infer] = int(_prod(src)) // known
    out = tuple(out[::-1]) if reverse else tuple(out)
    if _prod(out) != _prod(shape):
        raise MXNetError(f"npx.reshape: cannot reshape array of shape {shape} into "
                         f"{out} (codes {tuple(codes)})")
    return out
