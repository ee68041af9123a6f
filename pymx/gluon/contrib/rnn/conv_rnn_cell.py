"""Convolutional recurrent cells (Shi et al. 2015, *Convolutional LSTM Network*): the
RNN, LSTM and GRU steps with every matrix product replaced by a convolution, so the
states are feature maps.  ``*`` is a convolution over the 1, 2 or 3 spatial axes::

    ConvRNN:  h' = act(W_i * x + b_i + R_i * h + b_h)                  states [h]
    ConvLSTM: i, f, g, o = split4(W * x + b_i + R * h + b_h)  (along C)
              c' = sigmoid(f) c + sigmoid(i) act(g);  h' = sigmoid(o) act(c')
                                                                       states [h, c]
    ConvGRU:  r, z, n from W * x + b_i and R * h + b_h (split3 each)
              h' = (1 - z) act(n_x + r n_h) + z h                      states [h]

Shapes, for ``input_shape`` (C, *spatial) (the per-step input without N) and
``hidden_channels`` H with G gates (1, 4, 3):

* ``i2h_weight`` (G*H, C, *i2h_kernel), ``h2h_weight`` (G*H, H, *h2h_kernel),
  ``i2h_bias``/``h2h_bias`` (G*H,), under the prefixes ``conv_rnn<k>_``,
  ``conv_lstm<k>_``, ``conv_gru<k>_``;
* the states are (N, H, *out) with ``out = x + 2*pad - dilate*(kernel - 1)`` per
  spatial axis (the input convolution's output, stride 1);
* the state convolution pads by ``dilate*(kernel - 1)/2`` so the state keeps its
  size: its kernel must be odd.

Only channel-first layouts (``NCW``, ``NCHW``, ``NCDHW``) run here, as pymx's
``Convolution`` (MXNet runs channel-last ones on GPU only).
"""
from numbers import Number

from ...rnn.rnn_cell import HybridRecurrentCell

__all__ = ["Conv1DRNNCell", "Conv2DRNNCell", "Conv3DRNNCell",
           "Conv1DLSTMCell", "Conv2DLSTMCell", "Conv3DLSTMCell",
           "Conv1DGRUCell", "Conv2DGRUCell", "Conv3DGRUCell"]

_LAYOUTS = {1: "NCW", 2: "NCHW", 3: "NCDHW"}


def _conv_out_size(dims, kernels, pads, dilates):
    """Stride-1 convolution output size per axis (0 stays 0: unknown)."""
    return tuple(x + 2 * p - d * (k - 1) if x else 0
                 for x, k, p, d in zip(dims, kernels, pads, dilates))


class _BaseConvRNNCell(HybridRecurrentCell):
    """Parameters, shapes and the two convolutions shared by every conv cell;
    subclasses set ``_dims`` (1, 2, 3) and ``_gates`` and write the step."""
    _dims = 0
    _gates = 1

    def __init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad=0,
                 i2h_dilate=1, h2h_dilate=1, i2h_weight_initializer=None,
                 h2h_weight_initializer=None, i2h_bias_initializer="zeros",
                 h2h_bias_initializer="zeros", conv_layout=None, activation="tanh",
                 prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        dims = self._dims
        self._hidden_channels = hidden_channels
        self._input_shape = input_shape
        self._conv_layout = conv_layout or _LAYOUTS[dims]
        self._activation = activation
        specs = (i2h_kernel, i2h_pad, i2h_dilate, h2h_kernel, h2h_dilate)
        assert all(isinstance(s, int) or len(s) == dims for s in specs), \
            "For {dims}D convolution, the convolution settings can only be either int " \
            "or list/tuple of length {dims}".format(dims=dims)
        tup = lambda s: (s,) * dims if isinstance(s, Number) else tuple(s)  # noqa: E731
        self._i2h_kernel, self._i2h_pad, self._i2h_dilate = (
            tup(i2h_kernel), tup(i2h_pad), tup(i2h_dilate))
        self._h2h_kernel, self._h2h_dilate = tup(h2h_kernel), tup(h2h_dilate)
        self._stride = (1,) * dims
        assert all(k % 2 == 1 for k in self._h2h_kernel), \
            "Only support odd number, get h2h_kernel= %s" % str(h2h_kernel)
        self._h2h_pad = tuple(d * (k - 1) // 2
                              for d, k in zip(self._h2h_dilate, self._h2h_kernel))
        self._channel_axis = self._conv_layout.find("C")
        first = self._channel_axis == 1
        in_channels = input_shape[0] if first else input_shape[-1]
        spatial = tuple(input_shape[1:] if first else input_shape[:-1])
        out = _conv_out_size(spatial, self._i2h_kernel, self._i2h_pad, self._i2h_dilate)
        total = hidden_channels * self._gates
        if first:
            i2h_shape = (total, in_channels) + self._i2h_kernel
            h2h_shape = (total, hidden_channels) + self._h2h_kernel
            self._state_shape = (hidden_channels,) + out
        else:
            i2h_shape = (total,) + self._i2h_kernel + (in_channels,)
            h2h_shape = (total,) + self._h2h_kernel + (hidden_channels,)
            self._state_shape = out + (hidden_channels,)
        get = self.params.get
        self.i2h_weight = get("i2h_weight", shape=i2h_shape, init=i2h_weight_initializer,
                              allow_deferred_init=True)
        self.h2h_weight = get("h2h_weight", shape=h2h_shape, init=h2h_weight_initializer,
                              allow_deferred_init=True)
        self.i2h_bias = get("i2h_bias", shape=(total,), init=i2h_bias_initializer,
                            allow_deferred_init=True)
        self.h2h_bias = get("h2h_bias", shape=(total,), init=h2h_bias_initializer,
                            allow_deferred_init=True)

    def state_info(self, batch_size=0):
        """``[h]`` (RNN, GRU) or ``[h, c]`` (LSTM), each (N, H, *out)."""
        return [{"shape": (batch_size,) + self._state_shape, "__layout__": self._conv_layout}
                for _ in range(2 if self._gates == 4 else 1)]

    def __repr__(self):
        shape = self.i2h_weight.shape
        in_channels = shape[1 if self._channel_axis == 1 else -1]
        return "{}({} -> {}, {}, {})".format(self.__class__.__name__, in_channels or None,
                                             shape[0], self._activation, self._conv_layout)

    def _conv_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias,
                      prefix):
        """``(W * x + b_i, R * h + b_h)``, each with G*H channels."""
        conv = dict(num_filter=self._hidden_channels * self._gates, stride=self._stride,
                    layout=self._conv_layout)
        i2h = F.Convolution(data=inputs, kernel=self._i2h_kernel, pad=self._i2h_pad,
                            dilate=self._i2h_dilate, weight=i2h_weight, bias=i2h_bias,
                            name=prefix + "i2h", **conv)
        h2h = F.Convolution(data=states[0], kernel=self._h2h_kernel, dilate=self._h2h_dilate,
                            pad=self._h2h_pad, weight=h2h_weight, bias=h2h_bias,
                            name=prefix + "h2h", **conv)
        return i2h, h2h

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias,
                       h2h_bias):
        """One step of the cell (see the module docstring)."""
        prefix = "t%d_" % self._counter
        i2h, h2h = self._conv_forward(F, inputs, states, i2h_weight, h2h_weight, i2h_bias,
                                      h2h_bias, prefix)
        return self._step(F, i2h, h2h, states, prefix)


class _ConvRNNCell(_BaseConvRNNCell):
    _gates = 1

    def _alias(self):
        return "conv_rnn"

    def _step(self, F, i2h, h2h, states, prefix):
        output = self._get_activation(F, i2h + h2h, self._activation, name=prefix + "out")
        return output, [output]


class _ConvLSTMCell(_BaseConvRNNCell):
    _gates = 4

    def _alias(self):
        return "conv_lstm"

    def _step(self, F, i2h, h2h, states, prefix):
        gates = F.SliceChannel(i2h + h2h, num_outputs=4, name=prefix + "slice",
                               axis=self._channel_axis)
        in_gate = F.Activation(gates[0], act_type="sigmoid", name=prefix + "i")
        forget_gate = F.Activation(gates[1], act_type="sigmoid", name=prefix + "f")
        in_transform = self._get_activation(F, gates[2], self._activation, name=prefix + "c")
        out_gate = F.Activation(gates[3], act_type="sigmoid", name=prefix + "o")
        next_c = F.elemwise_add(forget_gate * states[1], in_gate * in_transform,
                                name=prefix + "state")
        next_h = F.elemwise_mul(out_gate, self._get_activation(F, next_c, self._activation),
                                name=prefix + "out")
        return next_h, [next_h, next_c]


class _ConvGRUCell(_BaseConvRNNCell):
    _gates = 3

    def _alias(self):
        return "conv_gru"

    def _step(self, F, i2h, h2h, states, prefix):
        axis = self._channel_axis
        i2h_r, i2h_z, i2h = F.SliceChannel(i2h, num_outputs=3, name=prefix + "i2h_slice",
                                           axis=axis)
        h2h_r, h2h_z, h2h = F.SliceChannel(h2h, num_outputs=3, name=prefix + "h2h_slice",
                                           axis=axis)
        reset_gate = F.Activation(i2h_r + h2h_r, act_type="sigmoid", name=prefix + "r_act")
        update_gate = F.Activation(i2h_z + h2h_z, act_type="sigmoid", name=prefix + "z_act")
        candidate = self._get_activation(F, i2h + reset_gate * h2h, self._activation,
                                         name=prefix + "h_act")
        next_h = F.elemwise_add((1. - update_gate) * candidate, update_gate * states[0],
                                name=prefix + "out")
        return next_h, [next_h]


_ARGS = """
    Parameters: ``input_shape`` (the per-step input without N, in ``conv_layout``
    order, e.g. (C, {ex})), ``hidden_channels``, ``i2h_kernel``, ``h2h_kernel`` (odd),
    ``i2h_pad`` (default 0), ``i2h_dilate``, ``h2h_dilate`` (default 1): ints or
    {d}-tuples; the four initializers (biases default 'zeros'); ``conv_layout``
    (default '{layout}'); ``activation`` (default 'tanh': a name, an ``nn.LeakyReLU``
    or a callable); ``prefix``, ``params``.  See the module docstring for the step
    and the shapes.
"""


def _public_cell(family, dims, summary):
    """The public class ``Conv<dims>D<family>Cell``: ``family``'s cell in ``dims``
    spatial dimensions (only the class attribute ``_dims`` differs)."""
    base = {"RNN": _ConvRNNCell, "LSTM": _ConvLSTMCell, "GRU": _ConvGRUCell}[family]
    ex = ("W", "H, W", "D, H, W")[dims - 1]
    doc = f"{dims}-D convolutional {summary}\n" + _ARGS.format(ex=ex, d=dims,
                                                                 layout=_LAYOUTS[dims])
    return type(f"Conv{dims}D{family}Cell", (base,),
                {"__doc__": doc, "_dims": dims, "__module__": __name__})


_RNN = "RNN cell: ``h' = tanh(W * x + R * h + b)``."
_LSTM = "LSTM cell (Shi et al. 2015; states [h, c])."
_GRU = "GRU cell (states [h])."
Conv1DRNNCell = _public_cell("RNN", 1, _RNN)
Conv2DRNNCell = _public_cell("RNN", 2, _RNN)
Conv3DRNNCell = _public_cell("RNN", 3, _RNN)
Conv1DLSTMCell = _public_cell("LSTM", 1, _LSTM)
Conv2DLSTMCell = _public_cell("LSTM", 2, _LSTM)
Conv3DLSTMCell = _public_cell("LSTM", 3, _LSTM)
Conv1DGRUCell = _public_cell("GRU", 1, _GRU)
Conv2DGRUCell = _public_cell("GRU", 2, _GRU)
Conv3DGRUCell = _public_cell("GRU", 3, _GRU)
