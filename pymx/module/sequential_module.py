"""``SequentialModule``: modules chained so that each one's outputs feed the next.

``seq.add(mod1).add(mod2, take_labels=True, auto_wiring=True)`` builds a pipeline:
``forward`` runs the modules in order, passing each one's outputs as the next one's
data; ``backward`` runs them in reverse, passing each one's input gradients as the
previous one's output gradients.  Every module after the first is bound with
``inputs_need_grad`` (its inputs are the previous module's outputs, which need
gradients).  Metas per added module:

* ``take_labels``: the module gets the labels (it is a loss); ``update_metric`` is
  called on such modules only;
* ``auto_wiring``: rename the incoming data to the module's own ``data_names``.

As in MXNet 1.9.1, parameters of all modules live in one namespace (duplicated names
are an error) and ``shared_module`` is not supported.
"""
import copy
import logging

from ..initializer import Uniform
from .base_module import BaseModule

__all__ = ["SequentialModule"]


class SequentialModule(BaseModule):
    """A chain of modules (see the module docstring)."""

    META_TAKE_LABELS = "take_labels"
    META_AUTO_WIRING = "auto_wiring"

    def __init__(self, logger=logging):
        super().__init__(logger=logger)
        self._modules = []
        self._metas = []
        self._label_shapes = None
        self._data_shapes = None
        self._meta_keys = {self.META_TAKE_LABELS, self.META_AUTO_WIRING}

    def add(self, module, **kwargs):
        """Append ``module`` (with metas ``take_labels``/``auto_wiring``); returns
        ``self`` so calls chain.  Adding resets the bound/initialised state."""
        self._modules.append(module)
        for key in kwargs:
            assert key in self._meta_keys, f'Unknown meta "{key}", a typo?'
        self._metas.append(kwargs)
        self.binded = False
        self.params_initialized = False
        self.optimizer_initialized = False
        return self

    def _meta(self, i, key):
        return bool(self._metas[i].get(key, False))

    # ---- names and shapes ------------------------------------------------------------------
    @property
    def data_names(self):
        return self._modules[0].data_names if self._modules else []

    @property
    def output_names(self):
        return self._modules[-1].output_names if self._modules else []

    @property
    def data_shapes(self):
        assert self.binded
        return self._modules[0].data_shapes

    @property
    def label_shapes(self):
        assert self.binded
        return self._label_shapes

    @property
    def output_shapes(self):
        assert self.binded
        return self._modules[-1].output_shapes

    # ---- parameters ------------------------------------------------------------------------
    def get_params(self):
        """The union of every module's ``(arg_params, aux_params)``."""
        assert self.binded and self.params_initialized
        arg_params, aux_params = {}, {}
        for module in self._modules:
            arg, aux = module.get_params()
            arg_params.update(arg)
            aux_params.update(aux)
        return arg_params, aux_params

    def init_params(self, initializer=Uniform(0.01), arg_params=None, aux_params=None,
                    allow_missing=False, force_init=False, allow_extra=False):
        """Initialise every module's parameters; a name used by two modules is an
        error (``AssertionError``)."""
        if self.params_initialized and not force_init:
            return
        assert self.binded, "call bind before initializing the parameters"
        for module in self._modules:
            module.init_params(initializer=initializer, arg_params=arg_params,
                               aux_params=aux_params, allow_missing=allow_missing,
                               force_init=force_init, allow_extra=allow_extra)
        owners = ({}, {})                   # parameter name -> index of its module
        for i, module in enumerate(self._modules):
            for known, params in zip(owners, module.get_params()):
                for name in params:
                    assert name not in known, (
                        f'Duplicated parameter names: name "{name}" in layer {i} '
                        f"({type(module)}) is already used in layer {known[name]} "
                        f"({type(self._modules[known[name]])}).")
                    known[name] = i
        self.params_initialized = True

    # ---- binding ---------------------------------------------------------------------------
    def bind(self, data_shapes, label_shapes=None, for_training=True, inputs_need_grad=False,
             force_rebind=False, shared_module=None, grad_req="write"):
        """Bind each module to the previous one's output shapes."""
        if self.binded and not force_rebind:
            self.logger.warning("Already bound, ignoring bind()")
            return
        if inputs_need_grad:
            assert for_training is True
        assert shared_module is None, "Shared module is not supported"
        assert len(self._modules) > 0, "Attempting to bind an empty SequentialModule"
        self.binded = True
        self._label_shapes = label_shapes
        shapes = data_shapes
        anybody_needs_label = False
        for i, module in enumerate(self._modules):
            my_labels = None
            if self._meta(i, self.META_TAKE_LABELS):
                my_labels = label_shapes
                anybody_needs_label = True
            if self._meta(i, self.META_AUTO_WIRING):
                names = module.data_names
                assert len(names) == len(shapes)
                shapes = [(new, shape) for new, (_, shape) in zip(names, shapes)]
            module.bind(data_shapes=shapes, label_shapes=my_labels,
                        for_training=for_training,
                        inputs_need_grad=bool(inputs_need_grad or (for_training and i > 0)),
                        force_rebind=force_rebind, shared_module=None, grad_req=grad_req)
            shapes = module.output_shapes
        if not anybody_needs_label:
            self._label_shapes = None

    def init_optimizer(self, kvstore="local", optimizer="sgd",
                       optimizer_params=(("learning_rate", 0.01),), force_init=False):
        """Give every module its own optimizer (same settings)."""
        assert self.binded and self.params_initialized
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring.")
            return
        for module in self._modules:
            module.init_optimizer(kvstore=kvstore, optimizer=optimizer,
                                  optimizer_params=optimizer_params, force_init=force_init)
        self.optimizer_initialized = True

    # ---- computing -------------------------------------------------------------------------
    def forward(self, data_batch, is_train=None):
        """Run the modules in order, each on the previous one's outputs."""
        assert self.binded and self.params_initialized
        data_batch = copy.copy(data_batch)
        for i, module in enumerate(self._modules):
            module.forward(data_batch, is_train=is_train)
            if i + 1 == len(self._modules):
                break
            data_batch.data = module.get_outputs()
            if hasattr(data_batch, "provide_data"):
                names = [x[0] for x in module.output_shapes]
                assert len(names) == len(data_batch.data)
                data_batch.provide_data = [(n, x.shape)
                                           for n, x in zip(names, data_batch.data)]

    def backward(self, out_grads=None):
        """Run the modules in reverse, each on the next one's input gradients."""
        assert self.binded and self.params_initialized
        for i in reversed(range(len(self._modules))):
            self._modules[i].backward(out_grads=out_grads)
            if i == 0:
                break
            out_grads = self._modules[i].get_input_grads()

    def update(self):
        assert self.binded and self.params_initialized and self.optimizer_initialized
        for module in self._modules:
            module.update()

    def get_outputs(self, merge_multi_context=True):
        assert self.binded and self.params_initialized
        return self._modules[-1].get_outputs(merge_multi_context=merge_multi_context)

    def get_input_grads(self, merge_multi_context=True):
        assert self.binded and self.params_initialized and self.inputs_need_grad
        return self._modules[0].get_input_grads(merge_multi_context=merge_multi_context)

    def update_metric(self, eval_metric, labels, pre_sliced=False):
        """Update ``eval_metric`` from the modules that take labels."""
        assert self.binded and self.params_initialized
        for i, module in enumerate(self._modules):
            if self._meta(i, self.META_TAKE_LABELS):
                module.update_metric(eval_metric, labels, pre_sliced)

    def install_monitor(self, mon):
        assert self.binded
        for module in self._modules:
            module.install_monitor(mon)
