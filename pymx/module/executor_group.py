"""Data parallelism: one executor per context, each running a slice of the batch.

A batch of ``batch_size`` examples is split by ``work_load_list`` (default: equal parts;
MXNet's ``_split_input_slice``), e.g. 10 examples on 3 contexts -> slices 0:3, 3:6, 6:10.
Every executor holds its own copy of the parameters; ``Module.update`` sums the gradients
over the copies and applies the same update to each, so the copies stay equal.
``get_outputs`` concatenates the slices back along the batch axis; ``get_params``
averages the copies (they are equal unless something went wrong).
"""
import logging
from collections import OrderedDict

from .. import ndarray as nd
from ..context import cpu
from ..io import DataDesc

__all__ = ["DataParallelExecutorGroup", "split_input_slice"]


def split_input_slice(batch_size, work_load_list):
    """Split ``range(batch_size)`` into one slice per device, proportional to the loads
    (rounded; the last device takes the remainder).  ValueError if a slice is empty."""
    total = sum(work_load_list)
    nums = [round(w * batch_size / total) for w in work_load_list]
    if sum(nums) < batch_size:
        nums[-1] += batch_size - sum(nums)
    slices, end = [], 0
    for n in nums:
        begin = int(min(end, batch_size))
        end = int(min(begin + n, batch_size))
        if begin >= end:
            raise ValueError("Too many slices. Some splits are empty.")
        slices.append(slice(begin, end))
    return slices


def _load_general(sources, targets, axes):
    """Copy each source array (or its slice per device) into the executors' inputs."""
    for src, dsts, axis in zip(sources, targets, axes):
        for sl, dst in dsts:
            if axis >= 0 and (sl.start != 0 or src.shape[axis] != sl.stop):
                part = src[sl.start:sl.stop] if axis == 0 else \
                    nd.slice_axis(src, axis=axis, begin=sl.start, end=sl.stop)
                part.copyto(dst)
            else:
                src.copyto(dst)


def _merge(outputs, axes):
    """Per output, the devices' parts concatenated along its batch axis."""
    rets = []
    for tensors, axis in zip(outputs, axes):
        if axis >= 0 and len(tensors) > 1:
            ctx = tensors[0].context
            rets.append(nd.concat(*[t.as_in_context(ctx) for t in tensors], dim=axis))
        else:
            rets.append(tensors[0])
    return rets


class DataParallelExecutorGroup:
    """The executors of a Module, one per context (MXNet's class of the same name)."""

    def __init__(self, symbol, contexts, workload, data_shapes, label_shapes, param_names,
                 for_training, inputs_need_grad, shared_group=None, logger=logging,
                 fixed_param_names=None, grad_req="write", state_names=None, group2ctxs=None):
        self.param_names = param_names
        self.arg_names = symbol.list_arguments()
        self.aux_names = symbol.list_auxiliary_states()
        self.symbol = symbol
        self.contexts = contexts
        self.workload = workload
        self.group2ctxs = group2ctxs if isinstance(group2ctxs, list) else \
            [group2ctxs] * len(contexts)
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self.logger = logger
        self.fixed_param_names = list(fixed_param_names or [])
        self.state_names = list(state_names or [])
        if not for_training:
            grad_req = "null"
        data_shapes = [x if isinstance(x, DataDesc) else DataDesc(*x) for x in data_shapes]
        if label_shapes is not None:
            label_shapes = [x if isinstance(x, DataDesc) else DataDesc(*x)
                            for x in label_shapes]
        data_names = [x.name for x in data_shapes]
        # per argument: parameters train (unless fixed), data only if inputs_need_grad,
        # labels never
        if isinstance(grad_req, str) or isinstance(grad_req, dict):
            req = grad_req if isinstance(grad_req, str) else "write"
            self.grad_req = {}
            for k in self.arg_names:
                if k in self.param_names:
                    self.grad_req[k] = "null" if k in self.fixed_param_names else req
                elif k in data_names:
                    self.grad_req[k] = req if self.inputs_need_grad else "null"
                else:
                    self.grad_req[k] = "null"
            if isinstance(grad_req, dict):
                self.grad_req.update(grad_req)
        elif isinstance(grad_req, (list, tuple)):
            assert len(grad_req) == len(self.arg_names)
            self.grad_req = dict(zip(self.arg_names, grad_req))
        else:
            raise ValueError("grad_req must be one of str, list, tuple, or dict.")
        self.batch_size = None
        self.slices = None
        self.execs = []
        self._default_execs = None
        self.output_names = symbol.list_outputs()
        self.num_outputs = len(self.output_names)
        self.output_layouts = [DataDesc.get_batch_axis(symbol[i].attr("__layout__"))
                               for i in range(self.num_outputs)]
        self.bind_exec(data_shapes, label_shapes, shared_group)

    def decide_slices(self, data_shapes):
        """The batch axis of each input; sets ``batch_size`` and ``slices``."""
        axes = [DataDesc.get_batch_axis(x.layout) for x in data_shapes]
        for (name, shape), axis in zip(data_shapes, axes):
            if axis == -1:
                continue
            if self.batch_size is not None:
                assert shape[axis] == self.batch_size, (
                    f"all data must have the same batch size: batch_size = "
                    f"{self.batch_size}, but {name} has shape {shape}")
            else:
                self.batch_size = shape[axis]
                self.slices = split_input_slice(self.batch_size, self.workload)
        return axes

    def _sliced_shape(self, shapes, i, axes):
        out = []
        for desc, axis in zip(shapes, axes):
            shape = list(desc.shape)
            if axis >= 0:
                shape[axis] = self.slices[i].stop - self.slices[i].start
            out.append(DataDesc(desc.name, tuple(shape), desc.dtype, desc.layout))
        return out

    def _bind_ith_exec(self, i, data_shapes, label_shapes, shared_group):
        shared_exec = None if shared_group is None else shared_group.execs[i]
        input_shapes = {d.name: d.shape for d in data_shapes + (label_shapes or [])}
        input_types = {d.name: d.dtype for d in data_shapes + (label_shapes or [])}
        return self.symbol.simple_bind(ctx=self.contexts[i], grad_req=self.grad_req,
                                       type_dict=input_types, shared_exec=shared_exec,
                                       shared_arg_names=self.param_names,
                                       group2ctx=self.group2ctxs[i], **input_shapes)

    def bind_exec(self, data_shapes, label_shapes, shared_group=None, reshape=False):
        """Bind (or, with ``reshape``, re-shape) one executor per context."""
        assert reshape or not self.execs
        self.batch_size = None
        self.data_layouts = self.decide_slices(data_shapes)
        self.label_layouts = self.decide_slices(label_shapes) if label_shapes is not None \
            else None
        for i in range(len(self.contexts)):
            dshapes = self._sliced_shape(data_shapes, i, self.data_layouts)
            lshapes = self._sliced_shape(label_shapes, i, self.label_layouts) \
                if label_shapes is not None else []
            if reshape:
                shapes = {d.name: d.shape for d in dshapes + lshapes}
                self.execs[i] = self._default_execs[i].reshape(allow_up_sizing=True, **shapes)
            else:
                self.execs.append(self._bind_ith_exec(i, dshapes, lshapes, shared_group))
        self.data_shapes = data_shapes
        self.label_shapes = label_shapes
        self.data_names = [d.name for d in data_shapes]
        self.label_names = [d.name for d in label_shapes] if label_shapes is not None else []
        self._collect_arrays()

    def _collect_arrays(self):
        self.data_arrays = [[(self.slices[i], e.arg_dict[name]) for i, e in
                             enumerate(self.execs)] for name, _ in self.data_shapes]
        self.label_arrays = None if self.label_shapes is None else \
            [[(self.slices[i], e.arg_dict[name]) for i, e in enumerate(self.execs)]
             for name, _ in self.label_shapes]
        self.state_arrays = [[e.arg_dict[name] for e in self.execs] for name in self.state_names]
        idx = [i for i, n in enumerate(self.arg_names) if n in self.param_names]
        self.param_arrays = [[e.arg_arrays[i] for e in self.execs] for i in idx]
        self.grad_arrays = [[e.grad_arrays[i] for e in self.execs] for i in idx] \
            if self.for_training else None
        self.input_grad_arrays = None
        if self.inputs_need_grad:
            self.input_grad_arrays = [[e.grad_arrays[self.arg_names.index(n)]
                                       for e in self.execs]
                                      for n in self.data_names if n in self.arg_names]
        self.aux_arrays = [[e.aux_arrays[i] for e in self.execs]
                           for i in range(len(self.aux_names))]

    def reshape(self, data_shapes, label_shapes):
        """New input shapes (e.g. a smaller last batch); parameters stay shared."""
        if data_shapes == self.data_shapes and label_shapes == self.label_shapes:
            return
        if self._default_execs is None:
            self._default_execs = list(self.execs)
        self.bind_exec(data_shapes, label_shapes, reshape=True)

    def set_params(self, arg_params, aux_params, allow_extra=False):
        """Copy parameter values into every executor."""
        for e in self.execs:
            e.copy_params_from(arg_params, aux_params, allow_extra_params=allow_extra)

    def get_params(self, arg_params, aux_params):
        """Average each parameter's copies into ``arg_params``/``aux_params``."""
        for names, blocks, dst in ((self.param_names, self.param_arrays, arg_params),
                                   (self.aux_names, self.aux_arrays, aux_params)):
            for name, block in zip(names, blocks):
                total = block[0].copyto(cpu())
                for w in block[1:]:
                    total = total + w.copyto(cpu())
                if len(block) > 1:
                    total = total / len(block)
                total.astype(dst[name].dtype).copyto(dst[name])

    def forward(self, data_batch, is_train=None):
        """Load the batch (sliced per device) and run every executor."""
        _load_general(data_batch.data, self.data_arrays, self.data_layouts)
        if is_train is None:
            is_train = self.for_training
        if self.label_arrays is not None and data_batch.label:
            _load_general(data_batch.label, self.label_arrays, self.label_layouts)
        for e in self.execs:
            e.forward(is_train=is_train)

    def get_output_shapes(self):
        """``[(name, shape)]`` of the merged outputs."""
        shapes = []
        for key, out, axis in zip(self.output_names, self.execs[0].outputs,
                                  self.output_layouts):
            shape = list(out.shape)
            if axis >= 0:
                shape[axis] = self.batch_size
            shapes.append((key, tuple(shape)))
        return shapes

    def get_outputs(self, merge_multi_context=True, begin=0, end=None):
        """Outputs ``begin:end``, merged over devices or per device."""
        end = self.num_outputs if end is None else end
        outputs = [[e.outputs[i] for e in self.execs] for i in range(begin, end)]
        return _merge(outputs, self.output_layouts[begin:end]) if merge_multi_context \
            else outputs

    def get_states(self, merge_multi_context=True):
        """The state arrays per device."""
        assert not merge_multi_context, \
            "merge_multi_context=True is not supported for get_states yet."
        return self.state_arrays

    def set_states(self, states=None, value=None):
        """Set the state arrays from ``states`` or a scalar ``value``."""
        if states is not None:
            assert value is None, "Only one of states & value can be specified."
            for src, dsts in zip(states, self.state_arrays):
                for s, d in zip(src, dsts):
                    s.copyto(d)
        else:
            assert value is not None, "At least one of states & value must be specified."
            for dsts in self.state_arrays:
                for d in dsts:
                    d[:] = value

    def get_input_grads(self, merge_multi_context=True):
        """The data gradients, merged over devices or per device."""
        assert self.inputs_need_grad
        return _merge(self.input_grad_arrays, self.data_layouts) if merge_multi_context \
            else self.input_grad_arrays

    def backward(self, out_grads=None):
        """Back-propagate on every device (``out_grads`` sliced like the batch)."""
        assert self.for_training, "re-bind with for_training=True to run backward"
        out_grads = out_grads or []
        for i, (e, sl) in enumerate(zip(self.execs, self.slices)):
            grads = []
            for g, axis in zip(out_grads, self.output_layouts):
                if axis >= 0:
                    grads.append(nd.slice_axis(g, axis=axis, begin=sl.start, end=sl.stop)
                                 .as_in_context(self.contexts[i]))
                else:
                    grads.append(g.copyto(self.contexts[i]))
            e.backward(out_grads=grads or None)

    def update_metric(self, eval_metric, labels, pre_sliced=False):
        """Update ``eval_metric`` with each device's outputs and its slice of labels."""
        for k, (e, sl) in enumerate(zip(self.execs, self.slices)):
            if pre_sliced:
                labels_slice = labels[k]
            else:
                labels_slice = []
                axes = self.label_layouts or [0] * len(labels)
                for label, axis in zip(labels, axes):
                    if len(self.execs) == 1 or axis < 0:
                        labels_slice.append(label)
                    elif axis == 0:
                        labels_slice.append(label[sl])
                    else:
                        labels_slice.append(nd.slice_axis(label, axis=axis, begin=sl.start,
                                                          end=sl.stop))
            eval_metric.update_dict(OrderedDict(zip(self.label_names, labels_slice)),
                                    OrderedDict(zip(self.output_names, e.outputs)))

    def install_monitor(self, mon):
        """``mon.install(executor)`` for every executor."""
        for e in self.execs:
            mon.install(e)
