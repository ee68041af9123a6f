"""Fused recurrent layers ``RNN``, ``LSTM`` and ``GRU``: the whole multi-layer,
optionally bidirectional recurrence in one ``RNN`` operator call.

Shapes (layout ``'TNC'``, the default; ``'NTC'`` swaps the first two axes of the input
and output)::

    inputs  (T, N, C)
    states  [h0 (L*D, N, H)]  (+ [c0 (L*D, N, H)] for LSTM)     D = 2 if bidirectional
    output  (T, N, D*H)       new states: same shapes as states

**Calling.**  ``layer(x)`` returns just the output (zero begin states are made for
you); ``layer(x, states)`` returns ``(output, new_states)``.  ``begin_state(N)`` makes
the zero states.

**Parameters.**  One set per layer ``l`` and direction (``l``eft-to-right, ``r``ight-to-
left): ``l0_i2h_weight`` (G*H, C), ``l0_h2h_weight`` (G*H, H), ``l0_i2h_bias``,
``l0_h2h_bias`` (G*H,), then ``r0_...``, ``l1_...`` (the i2h input of layer > 0 is D*H),
G = 1 (RNN), 4 (LSTM, gates i f g o), 3 (GRU, gates r z n).  At every call they are
flattened and concatenated, all weights first then all biases, in the order the ``RNN``
op unpacks them (``pymx.ops.rnn``); ``input_size=0`` leaves C to be inferred from the
first input.  ``save_parameters`` uses MXNet's legacy structural names
(``_unfused.0.i2h_weight``, or ``_unfused.0.l_cell.i2h_weight`` when bidirectional), so
files move between pymx and MXNet 1.9.1 both ways.

``dropout`` applies to the outputs of every layer but the last, in training only.
"""
import re

from ... import ndarray
from ...ndarray import NDArray
from ..block import HybridBlock, _symbol_module, _is_symbol

__all__ = ["RNN", "LSTM", "GRU"]


class _RNNLayer(HybridBlock):
    """Common implementation of RNN/LSTM/GRU (see the module docstring)."""

    def __init__(self, hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                 i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                 h2h_bias_initializer, mode, projection_size=None, h2r_weight_initializer=None,
                 lstm_state_clip_min=None, lstm_state_clip_max=None, lstm_state_clip_nan=False,
                 dtype="float32", use_sequence_length=False, **kwargs):
        super().__init__(**kwargs)
        assert layout in ("TNC", "NTC"), \
            f"Invalid layout {layout}; must be one of ['TNC' or 'NTC']"
        self._hidden_size = hidden_size
        self._projection_size = projection_size if projection_size else None
        self._num_layers = num_layers
        self._mode = mode
        self._layout = layout
        self._dropout = dropout
        self._dir = 2 if bidirectional else 1
        self._input_size = input_size
        self._lstm_state_clip_min = lstm_state_clip_min
        self._lstm_state_clip_max = lstm_state_clip_max
        self._lstm_state_clip_nan = lstm_state_clip_nan
        self._dtype = dtype
        self._use_sequence_length = use_sequence_length
        self.skip_states = None
        self._gates = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}[mode]
        ng, ni, nh = self._gates, input_size, hidden_size
        ns = self._projection_size or nh
        for i in range(num_layers):
            for j in ["l", "r"][:self._dir]:
                self._register_param(f"{j}{i}_i2h_weight", (ng * nh, ni),
                                     i2h_weight_initializer, dtype)
                self._register_param(f"{j}{i}_h2h_weight", (ng * nh, ns),
                                     h2h_weight_initializer, dtype)
                self._register_param(f"{j}{i}_i2h_bias", (ng * nh,), i2h_bias_initializer, dtype)
                self._register_param(f"{j}{i}_h2h_bias", (ng * nh,), h2h_bias_initializer, dtype)
                if self._projection_size:
                    self._register_param(f"{j}{i}_h2r_weight", (ns, nh),
                                         h2r_weight_initializer, dtype)
            ni = ns * self._dir

    def _register_param(self, name, shape, init, dtype):
        p = self.params.get(name, shape=shape, init=init, allow_deferred_init=True, dtype=dtype)
        setattr(self, name, p)
        return p

    def __repr__(self):
        s = f"{self.__class__.__name__}("
        shape = self.l0_i2h_weight.shape
        s += f"{shape[1] if shape[1] else None} -> {shape[0] // self._gates}, {self._layout}"
        if self._num_layers != 1:
            s += f", num_layers={self._num_layers}"
        if self._dropout != 0:
            s += f", dropout={self._dropout}"
        if self._dir == 2:
            s += ", bidirectional"
        return s + ")"

    def _collect_params_with_prefix(self, prefix=""):
        """Structural names in MXNet's legacy (unfused cell stack) form:
        ``l0_i2h_weight`` -> ``_unfused.0.i2h_weight`` (``_unfused.0.l_cell.i2h_weight``
        when bidirectional)."""
        if prefix:
            prefix += "."
        pattern = re.compile(r"(l|r)(\d+)_(i2h|h2h|h2r)_(weight|bias)\Z")
        bidirectional = any(pattern.match(k).group(1) == "r" for k in self._reg_params)

        def convert(key):
            d, layer, g, t = pattern.match(key).groups()
            return f"_unfused.{layer}.{d}_cell.{g}_{t}" if bidirectional else \
                f"_unfused.{layer}.{g}_{t}"

        ret = {prefix + convert(k): v for k, v in self._reg_params.items()}
        for name, child in self._children.items():
            ret.update(child._collect_params_with_prefix(prefix + name))
        return ret

    def state_info(self, batch_size=0):
        raise NotImplementedError

    def cast(self, dtype):
        super().cast(dtype)
        self._dtype = dtype

    def begin_state(self, batch_size=0, func=ndarray.zeros, **kwargs):
        """The initial states: ``func(shape=info['shape'], **kwargs)`` for each state
        (``func`` ``nd.zeros`` / ``nd.ones`` ..., or ``sym.zeros`` / ``sym.var``)."""
        states = []
        for i, info in enumerate(self.state_info(batch_size)):
            info = dict(info or {})
            info.update(kwargs)
            if (getattr(func, "__module__", "") or "").startswith("pymx.ndarray"):
                info.pop("__layout__", None)
                states.append(func(**info))
            else:
                states.append(func(name=f"{self.prefix}h0_{i}", **info))
        return states

    def __call__(self, inputs, states=None, sequence_length=None, **kwargs):
        skip = states is None
        if self._active and self.skip_states is not None and skip != self.skip_states:
            self._clear_cached_op()            # the traced graph returns different outputs
        self.skip_states = skip
        if states is None and isinstance(inputs, NDArray):
            batch_size = inputs.shape[self._layout.find("N")]
            states = self.begin_state(batch_size, ctx=inputs.context, dtype=inputs.dtype)
        if isinstance(states, NDArray) or _is_symbol(states):
            states = [states]
        if self._use_sequence_length:
            return super().__call__(inputs, states, sequence_length, **kwargs)
        return super().__call__(inputs, states, **kwargs)

    def infer_shape(self, inputs, *args):
        """The layer-0 input size is the C axis (last) of ``inputs``."""
        for j in ["l", "r"][:self._dir]:
            getattr(self, f"{j}0_i2h_weight").shape = (self._gates * self._hidden_size,
                                                       inputs.shape[2])

    def _zero_states(self, F, inputs_tnc):
        """Zero begin states built from the input (for symbolic calls without states)."""
        z = F.zeros_like(F.slice_axis(F.slice_axis(inputs_tnc, axis=0, begin=0, end=1),
                                      axis=2, begin=0, end=1))           # (1, N, 1)
        sizes = [self._projection_size or self._hidden_size]
        if self._mode == "lstm":
            sizes.append(self._hidden_size)
        return [F.broadcast_axis(z, axis=(0, 2), size=(self._num_layers * self._dir, s))
                for s in sizes]

    def hybrid_forward(self, F, inputs, states=None, sequence_length=None, **kwargs):
        if F is ndarray and states is not None:
            batch_size = inputs.shape[self._layout.find("N")]
            for state, info in zip(states, self.state_info(batch_size)):
                if state.shape != info["shape"]:
                    raise ValueError(f"Invalid recurrent state shape. Expecting "
                                     f"{info['shape']}, got {state.shape}.")
        out = self._forward_kernel(F, inputs, states, sequence_length, **kwargs)
        return out[0] if self.skip_states else out

    def _forward_kernel(self, F, inputs, states, sequence_length, **kwargs):
        """Swap to TNC, pack the parameters into one vector and call the ``RNN`` op."""
        if self._layout == "NTC":
            inputs = F.swapaxes(inputs, dim1=0, dim2=1)
        if states is None:
            states = self._zero_states(F, inputs)
        groups = ["i2h", "h2h", "h2r"] if self._projection_size else ["i2h", "h2h"]
        names = [f"{d}{l}_{g}_{t}" for t in ["weight", "bias"]
                 for l in range(self._num_layers) for d in ["l", "r"][:self._dir]
                 for g in groups if g != "h2r" or t != "bias"]
        params = F.concat(*[F.reshape(kwargs[n], shape=(-1,)) for n in names], dim=0)
        rnn_args = list(states) + ([sequence_length] if self._use_sequence_length else [])
        rnn = F.RNN(inputs, params, *rnn_args, use_sequence_length=self._use_sequence_length,
                    state_size=self._hidden_size, projection_size=self._projection_size,
                    num_layers=self._num_layers, bidirectional=self._dir == 2,
                    p=self._dropout, state_outputs=True, mode=self._mode,
                    lstm_state_clip_min=self._lstm_state_clip_min,
                    lstm_state_clip_max=self._lstm_state_clip_max,
                    lstm_state_clip_nan=self._lstm_state_clip_nan)
        if self._mode == "lstm":
            outputs, states = rnn[0], [rnn[1], rnn[2]]
        else:
            outputs, states = rnn[0], [rnn[1]]
        if self._layout == "NTC":
            outputs = F.swapaxes(outputs, dim1=0, dim2=1)
        return outputs, states


_ARGS_DOC = """
    Parameters
    ----------
    hidden_size : int
        H, the number of features of the hidden state.
    num_layers : int, default 1
        Number of stacked recurrent layers.
    layout : {'TNC', 'NTC'}, default 'TNC'
        Axis order of the input and output: time, batch, features or batch first.
    dropout : float, default 0
        Dropout on the outputs of each layer except the last (training only).
    bidirectional : bool, default False
        Also run each layer backwards in time and concatenate the two outputs.
    i2h_weight_initializer, h2h_weight_initializer : Initializer or str, optional
        Initializers of the input-to-hidden and hidden-to-hidden weights.
    i2h_bias_initializer, h2h_bias_initializer : Initializer or str, default 'zeros'
        Initializers of the two biases.
    input_size : int, default 0
        C; 0 infers it from the first input.
    dtype : str, default 'float32'
        The parameters' dtype.
    use_sequence_length : bool, default False
        Pass ``sequence_length`` (N,) as third call argument to ignore padding.
    prefix, params : str, ParameterDict
        As for every Block.
"""


class RNN(_RNNLayer):
    """Multi-layer Elman RNN: ``h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` with
    ``activation`` 'relu' (default) or 'tanh'; one state ``h``.
    """

    def __init__(self, hidden_size, num_layers=1, activation="relu", layout="TNC", dropout=0,
                 bidirectional=False, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", input_size=0,
                 dtype="float32", **kwargs):
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                         h2h_bias_initializer, "rnn_" + activation, None, None, None, None,
                         False, dtype, **kwargs)

    def state_info(self, batch_size=0):
        """The shapes of the begin states for ``batch_size``: a list of dicts with
        ``shape`` (L*D, N, H) (L layers, D = 2 if bidirectional), ``__layout__``
        'LNC' and ``dtype``; ``begin_state`` makes zeros of these.
        One state, ``h``.
        """
        return [{"shape": (self._num_layers * self._dir, batch_size, self._hidden_size),
                 "__layout__": "LNC", "dtype": self._dtype}]


class LSTM(_RNNLayer):
    """Multi-layer LSTM (gates i, f, g, o; ``c_t = f*c_{t-1} + i*g``, ``h_t =
    o*tanh(c_t)``); states ``[h, c]``.  ``projection_size`` makes it an LSTMP (h is
    projected to P features by ``h2r_weight``); ``state_clip_min/max/nan`` clip c.
    """

    def __init__(self, hidden_size, num_layers=1, layout="TNC", dropout=0,
                 bidirectional=False, input_size=0, i2h_weight_initializer=None,
                 h2h_weight_initializer=None, i2h_bias_initializer="zeros",
                 h2h_bias_initializer="zeros", projection_size=None,
                 h2r_weight_initializer=None, state_clip_min=None, state_clip_max=None,
                 state_clip_nan=False, dtype="float32", **kwargs):
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                         h2h_bias_initializer, "lstm", projection_size, h2r_weight_initializer,
                         state_clip_min, state_clip_max, state_clip_nan, dtype, **kwargs)

    def state_info(self, batch_size=0):
        """The shapes of the begin states for ``batch_size``: a list of dicts with
        ``shape`` (L*D, N, H) (L layers, D = 2 if bidirectional), ``__layout__``
        'LNC' and ``dtype``; ``begin_state`` makes zeros of these.
        Two states, ``[h, c]``; with ``projection_size`` P, ``h`` is (L*D, N, P).
        """
        h = self._projection_size or self._hidden_size
        return [{"shape": (self._num_layers * self._dir, batch_size, h),
                 "__layout__": "LNC", "dtype": self._dtype},
                {"shape": (self._num_layers * self._dir, batch_size, self._hidden_size),
                 "__layout__": "LNC", "dtype": self._dtype}]


class GRU(_RNNLayer):
    """Multi-layer GRU (gates r, z, n; ``n = tanh(W_in x + b_in + r*(W_hn h + b_hn))``,
    ``h_t = (1-z)*n + z*h_{t-1}``); one state ``h``.
    """

    def __init__(self, hidden_size, num_layers=1, layout="TNC", dropout=0,
                 bidirectional=False, input_size=0, i2h_weight_initializer=None,
                 h2h_weight_initializer=None, i2h_bias_initializer="zeros",
                 h2h_bias_initializer="zeros", dtype="float32", **kwargs):
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                         h2h_bias_initializer, "gru", None, None, None, None, False, dtype,
                         **kwargs)

    def state_info(self, batch_size=0):
        """The shapes of the begin states for ``batch_size``: a list of dicts with
        ``shape`` (L*D, N, H) (L layers, D = 2 if bidirectional), ``__layout__``
        'LNC' and ``dtype``; ``begin_state`` makes zeros of these.
        One state, ``h``.
        """
        return [{"shape": (self._num_layers * self._dir, batch_size, self._hidden_size),
                 "__layout__": "LNC", "dtype": self._dtype}]


for _cls in (RNN, LSTM, GRU):
    _cls.__doc__ += _ARGS_DOC
