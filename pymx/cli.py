"""The ``pymx`` command line.  ``pymx train`` trains a Gluon network on MNIST (bundled
with pymx, so it works offline) and prints the test accuracy after every epoch.

    pymx train                                   # LeNet, 2 epochs, adam 1e-3, batch 64
    pymx train --model mlp --epochs 5 --optimizer sgd --lr 0.1 --hybridize
    pymx train --dataset fashion-mnist --save ckpt/lenet --plot curves.png
    pymx train --save ckpt/lenet --resume --epochs 4   # continue from the last checkpoint
    mpiexec -n 2 pymx train --kvstore dist_sync  # data-parallel over 2 processes (mpi4py)
    pymx exercise list                           # the classroom exercises (see exercises/)

Models: ``lenet`` and ``mlp`` are the book's nets, built as ``gluon.nn.HybridSequential``;
any name of ``gluon.model_zoo.vision`` (``resnet18_v1``, ``mobilenet0_25``, ...) is built
with ``classes=10``.  The zoo nets expect 3-channel images: grey MNIST images are
replicated to 3 channels, and ``--image-size`` resizes them (the zoo's ImageNet nets
are designed for 224 px; 28/32 px works for the ResNets, whose global pooling accepts
any size, but is far from their design point).

Checkpoints (``--save PREFIX``) are MXNet's: a hybridized net is exported after every
epoch as ``PREFIX-symbol.json`` + ``PREFIX-%04d.params`` (``arg:``/``aux:`` names,
loadable by MXNet's ``SymbolBlock.imports``), otherwise ``net.save_parameters`` writes
``PREFIX-%04d.params``; the trainer state goes to ``PREFIX-%04d.states``.  Every file is
written under a temporary name and renamed, so Ctrl-C never leaves a half-written
checkpoint.  ``--resume`` loads the newest ``PREFIX-%04d.params`` and continues with
the next epoch.

``--kvstore dist_sync`` (or ``dist_device_sync``/``dist_async``) trains with one process
per worker under ``mpiexec -n N`` (needs ``pip install 'pymx[dist]'``): worker ``r``
takes the ``r``-th of N equal contiguous parts of the training set (MXNet's
``num_parts``/``part_index``), the gradients of all workers are summed by
``mx.kv`` and each step is normalised by the global batch ``N * --batch-size``, so
every worker holds the same weights.  Only rank 0 prints, tests and saves.
"""
import argparse
import glob
import os
import re
import sys
import time

import numpy as np

# The from-scratch nets moved to pymx.models_scratch; re-exported for old imports.
from .models_scratch import (cross_entropy, lenet_forward, lenet_params,  # noqa: F401
                             mlp_forward, mlp_params)

__all__ = ["main", "build_parser", "train"]

BOOK_MODELS = ("lenet", "mlp")
DATASETS = ("mnist", "fashion-mnist", "cifar10")
CONTEXTS = ("cpu", "gpu", "opencl")
KVSTORES = ("device", "local", "none", "dist_sync", "dist_device_sync", "dist_async")


class UsageError(Exception):
    """A bad command line argument (reported as one line, exit code 2)."""


# ---- networks -----------------------------------------------------------------------
def zoo_models():
    """The names ``gluon.model_zoo.vision.get_model`` knows (empty if the zoo is absent)."""
    try:
        from .gluon.model_zoo import vision
    except ImportError:
        return ()
    models = getattr(vision, "_models", None)
    if isinstance(models, dict):
        return tuple(sorted(models))
    return tuple(sorted(n for n in dir(vision) if re.match(r"[a-z].*\d", n)
                        and callable(getattr(vision, n)) and not n.startswith("get_")))


def build_net(name, classes=10):
    """A fresh, uninitialised network.  Every net gets an explicit prefix so that its
    parameter names (and hence exported checkpoints) are the same in every process."""
    from . import gluon
    nn = gluon.nn
    if name == "lenet":
        net = nn.HybridSequential(prefix="lenet_")
        with net.name_scope():
            net.add(nn.Conv2D(20, kernel_size=5, activation="relu"),
                    nn.MaxPool2D(pool_size=2, strides=2),
                    nn.Conv2D(50, kernel_size=5, activation="relu"),
                    nn.MaxPool2D(pool_size=2, strides=2),
                    nn.Dense(500, activation="relu"),
                    nn.Dense(classes))
        return net
    if name == "mlp":
        net = nn.HybridSequential(prefix="mlp_")
        with net.name_scope():
            net.add(nn.Dense(256, activation="relu"), nn.Dense(256, activation="relu"),
                    nn.Dense(classes))
        return net
    from .gluon.model_zoo import vision
    try:
        return vision.get_model(name, classes=classes, prefix=f"{name}_")
    except TypeError:                       # a constructor without a prefix argument
        return vision.get_model(name, classes=classes)


# ---- data ---------------------------------------------------------------------------
def _read_cifar10(root, train):
    """CIFAR-10's "python version" batches (``cifar-10-batches-py/data_batch_1`` ...)."""
    import pickle
    folder = root if os.path.exists(os.path.join(root, "test_batch")) else \
        os.path.join(root, "cifar-10-batches-py")
    names = [f"data_batch_{i}" for i in range(1, 6)] if train else ["test_batch"]
    missing = [n for n in names if not os.path.exists(os.path.join(folder, n))]
    if missing:
        raise UsageError(f"--data-root {root}: CIFAR-10 batch files ({', '.join(missing)}) "
                         "not found; pymx never downloads data: unpack cifar-10-python.tar.gz "
                         "there")
    xs, ys = [], []
    for n in names:
        with open(os.path.join(folder, n), "rb") as f:
            d = pickle.load(f, encoding="latin1")
        xs.append(np.asarray(d["data"], np.uint8).reshape(-1, 3, 32, 32))
        ys.append(np.asarray(d["labels"], np.int32))
    return np.concatenate(xs), np.concatenate(ys)


def load_dataset(name, root, train):
    """``(images (N, C, H, W) float32 in [0, 1], labels (N,) int32)`` as NumPy arrays.
    MNIST and Fashion-MNIST come through ``gluon.data.vision`` and ``ToTensor``."""
    if name == "cifar10":
        if root is None:
            raise UsageError("--dataset cifar10 needs --data-root (the folder with "
                             "cifar-10-batches-py)")
        x, y = _read_cifar10(root, train)
        return x.astype(np.float32) / 255.0, y
    from .gluon.data import vision
    cls = vision.MNIST if name == "mnist" else vision.FashionMNIST
    ds = cls(root=root, train=train)
    images = ds._data                              # (N, 28, 28, 1) uint8 NDArray
    x = vision.transforms.ToTensor()(images)       # (N, 1, 28, 28) float32 / 255
    return x.asnumpy(), np.asarray(ds._label, np.int32)


def adapt_images(x, channels, size):
    """Replicate grey images to ``channels`` and resize (nearest) to ``size`` px."""
    if channels and x.shape[1] != channels:
        x = np.repeat(x[:, :1], channels, axis=1)
    if size and x.shape[2] != size:
        idx = (np.arange(size) * x.shape[2] // size)
        x = x[:, :, idx][:, :, :, idx]
    return np.ascontiguousarray(x, np.float32)


# ---- checkpoints --------------------------------------------------------------------
def _replace_atomically(write, final_paths):
    """Call ``write(tmp_prefix)`` (which writes ``tmp`` versions of ``final_paths``) and
    rename them into place; a crash before the renames leaves the old files intact."""
    tmps = [p + ".tmp" for p in final_paths]
    write(tmps)
    for tmp, final in zip(tmps, final_paths):
        os.replace(tmp, final)


def save_checkpoint(net, trainer, prefix, epoch, hybridized):
    """Write the checkpoint of ``epoch`` (1-based); returns the written file names."""
    folder = os.path.dirname(prefix)
    if folder:
        os.makedirs(folder, exist_ok=True)
    params = f"{prefix}-{epoch:04d}.params"
    states = f"{prefix}-{epoch:04d}.states"
    if hybridized:
        symbol = f"{prefix}-symbol.json"

        def write(tmps):
            tmp_prefix = f"{prefix}.tmp{os.getpid()}"
            sym_file, par_file = net.export(tmp_prefix, epoch)
            os.replace(sym_file, tmps[0])
            os.replace(par_file, tmps[1])
            trainer.save_states(tmps[2])
        files = [symbol, params, states]
    else:
        def write(tmps):
            net.save_parameters(tmps[0])
            trainer.save_states(tmps[1])
        files = [params, states]
    _replace_atomically(write, files)
    return files


def last_checkpoint(prefix):
    """``(epoch, params file)`` of the newest ``PREFIX-%04d.params``, or ``(0, None)``."""
    found = []
    for path in glob.glob(glob.escape(prefix) + "-*.params"):
        m = re.fullmatch(re.escape(prefix) + r"-(\d{4,})\.params", path)
        if m:
            found.append((int(m.group(1)), path))
    return max(found) if found else (0, None)


def load_checkpoint(net, path, ctx):
    """Load ``save_parameters`` files (structural names) or ``export`` files
    (``arg:``/``aux:`` + full parameter names)."""
    import pymx as mx
    loaded = mx.nd.load(path)
    if any("." in k for k in loaded):
        net.load_parameters(path, ctx=ctx)
        return
    by_name = {k.split(":", 1)[-1]: v for k, v in loaded.items()}
    params = net.collect_params()
    missing = [n for n in params.keys() if n not in by_name]
    if missing:
        raise UsageError(f"--resume: {path} does not match this model (missing "
                         f"{', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''})")
    for name, p in params.items():
        p._load_init(by_name[name], ctx)


# ---- training -----------------------------------------------------------------------
def make_context(name):
    import pymx as mx
    ctx = {"cpu": mx.cpu, "gpu": mx.gpu, "opencl": mx.context.opencl}[name](0)
    try:
        mx.nd.zeros((1,), ctx=ctx).asnumpy()
    except Exception as err:
        raise UsageError(f"--context {name}: not available here ({err})") from None
    return ctx


def make_kvstore(mx, name):
    """``(kvstore for the Trainer, rank, number of workers)``: a ``dist_*`` name becomes
    an ``mx.kv`` store (its rank and size come from MPI), other names stay strings."""
    if name.lower() == "none":
        return None, 0, 1
    if name.startswith("dist"):
        kv = mx.kv.create(name)
        return kv, kv.rank, kv.num_workers
    return name, 0, 1


def shard(x, num_parts, part_index):
    """Part ``part_index`` of ``num_parts`` equal contiguous parts of ``x`` (the
    remainder is dropped so that every worker makes the same number of steps)."""
    n = len(x) // num_parts
    return x[part_index * n:(part_index + 1) * n]


def optimizer_params(args, batches_per_epoch):
    """The optimizer's arguments; ``--lr-factor`` and ``--lr-step-epochs`` become a
    ``MultiFactorScheduler`` (MXNet's image-classification examples have the same two
    options): the rate is multiplied by the factor when each listed epoch ends."""
    params = {"learning_rate": args.lr}
    steps = [e * batches_per_epoch for e in args.lr_step_epochs if e < args.epochs]
    if steps and args.lr_factor != 1:
        from .lr_scheduler import MultiFactorScheduler
        params["lr_scheduler"] = MultiFactorScheduler(step=steps, factor=args.lr_factor,
                                                      base_lr=args.lr)
    if args.wd:
        params["wd"] = args.wd
    if args.optimizer in ("sgd", "nag") and args.momentum:
        params["momentum"] = args.momentum
    return params


def evaluate(mx, net, X, y, ctx, batch_size=1000):
    """Accuracy of ``net`` on the NumPy images ``X`` against labels ``y``."""
    correct = 0
    for i in range(0, len(X), batch_size):
        out = net(mx.nd.array(X[i:i + batch_size], ctx=ctx))
        correct += int((out.argmax(axis=1).asnumpy().astype(np.int64) ==
                        y[i:i + batch_size]).sum())
    return correct / max(len(X), 1)


def plot_history(history, path):
    """Train loss and test accuracy per epoch, side by side, as a PNG."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("--plot needs matplotlib (pip install 'pymx[docs]' or "
                         "pip install matplotlib)") from None
    epochs = [h["epoch"] for h in history]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.5))
    a1.plot(epochs, [h["loss"] for h in history], "o-")
    a1.set_xlabel("epoch"), a1.set_ylabel("train loss"), a1.grid(alpha=0.3)
    a2.plot(epochs, [h["accuracy"] for h in history], "o-", color="tab:green")
    a2.set_xlabel("epoch"), a2.set_ylabel("test accuracy"), a2.grid(alpha=0.3)
    fig.tight_layout()
    tmp = path + ".tmp.png"
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, path)


def train(args):
    """Run ``pymx train``; returns ``{"accuracy", "history", "epoch_seconds"}``."""
    import pymx as mx
    from pymx import autograd, gluon
    from tqdm import tqdm

    ctx = make_context(args.context)
    kvstore, rank, workers = make_kvstore(mx, args.kvstore)
    say = print if rank == 0 else (lambda *a, **k: None)   # only rank 0 talks
    mx.random.seed(args.seed)
    np.random.seed(args.seed)
    rng = np.random.RandomState(args.seed)

    X_train, y_train = load_dataset(args.dataset, args.data_root, True)
    X_test, y_test = load_dataset(args.dataset, args.data_root, False)
    if args.limit:
        X_train, y_train = X_train[:args.limit], y_train[:args.limit]
        X_test, y_test = X_test[:max(args.limit // 2, 1)], y_test[:max(args.limit // 2, 1)]
    if args.model not in BOOK_MODELS:                       # zoo nets: 3 channels
        X_train = adapt_images(X_train, 3, args.image_size)
        X_test = adapt_images(X_test, 3, args.image_size)
    elif args.image_size:
        X_train = adapt_images(X_train, None, args.image_size)
        X_test = adapt_images(X_test, None, args.image_size)
    X_train, y_train = shard(X_train, workers, rank), shard(y_train, workers, rank)

    net = build_net(args.model, classes=10)
    net.initialize(mx.init.Xavier(), ctx=ctx)
    if args.hybridize:
        net.hybridize(static_alloc=True, static_shape=True)
    batches = len(X_train) // args.batch_size      # the last partial batch is dropped
    trainer = gluon.Trainer(net.collect_params(), args.optimizer,
                            optimizer_params(args, batches),
                            kvstore=kvstore)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()

    start_epoch = 0
    if args.resume:
        start_epoch, path = last_checkpoint(args.save)
        if path is None:
            raise UsageError(f"--resume: no checkpoint {args.save}-NNNN.params found")
        net(mx.nd.array(X_train[:1], ctx=ctx))             # finish deferred init
        load_checkpoint(net, path, ctx)
        states = path[:-len(".params")] + ".states"
        if os.path.exists(states):
            trainer.load_states(states)
        say(f"resumed from {path} (epoch {start_epoch})")
        for _ in range(start_epoch):                       # same shuffles as a full run
            rng.permutation(len(X_train))

    bs = args.batch_size
    num_batches = len(X_train) // bs
    if num_batches == 0:
        raise UsageError(f"--batch-size {bs} is larger than the training set "
                         f"({len(X_train)} images)")
    say(f"training {args.model} on {args.dataset}: {len(X_train)} images, batch size {bs}, "
        f"{args.optimizer} lr {args.lr}{_schedule_text(args)}, "
        f"epochs {start_epoch + 1}..{args.epochs}, "
        f"context {ctx}{', hybridized' if args.hybridize else ''}"
        f"{f', {workers} workers ({args.kvstore})' if workers > 1 else ''}", flush=True)
    history, epoch_seconds, accuracy = [], [], None
    for epoch in range(start_epoch, args.epochs):
        order = rng.permutation(len(X_train))
        total_loss, seen, start = 0.0, 0, time.perf_counter()
        bar = tqdm(range(num_batches), desc=f"epoch {epoch + 1}/{args.epochs}",
                   unit="batch", disable=args.quiet or rank > 0, file=sys.stdout, leave=True)
        for i in bar:
            idx = order[i * bs:(i + 1) * bs]
            X = mx.nd.array(X_train[idx], ctx=ctx)
            y = mx.nd.array(y_train[idx], ctx=ctx)
            with autograd.record():
                loss = loss_fn(net(X), y)
            loss.backward()
            trainer.step(bs * workers)            # the global batch (workers' grads add up)
            if i % 20 == 0 or i == num_batches - 1:   # a sync every 20 batches is enough
                total_loss += float(loss.mean().asscalar()) * min(20, i + 1 - seen)
                seen = i + 1
                elapsed = time.perf_counter() - start
                bar.set_postfix(loss=f"{total_loss / seen:.4f}",
                                speed=f"{seen * bs / elapsed:.0f} img/s", refresh=False)
        bar.close()
        train_time = time.perf_counter() - start
        accuracy = evaluate(mx, net, X_test, y_test, ctx) if rank == 0 else None
        epoch_seconds.append(train_time)
        history.append({"epoch": epoch + 1, "loss": total_loss / max(seen, 1),
                        "accuracy": accuracy})
        if rank == 0:
            print(f"epoch {epoch + 1}: train loss {total_loss / max(seen, 1):.4f}, test "
                  f"accuracy {accuracy:.4f}, {train_time:.1f} s "
                  f"({num_batches * bs / train_time:.0f} img/s)", flush=True)
        if args.save and rank == 0:
            files = save_checkpoint(net, trainer, args.save, epoch + 1, args.hybridize)
            print("saved " + ", ".join(files), flush=True)
        if args.plot and rank == 0:
            plot_history(history, args.plot)
    if accuracy is not None:
        print(f"test accuracy: {accuracy:.4f}")
    if args.plot and history and rank == 0:
        print(f"wrote {args.plot}")
    return {"accuracy": accuracy, "history": history, "epoch_seconds": epoch_seconds}


# ---- argument parsing ---------------------------------------------------------------
def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {kind.__name__}, got {text!r}")
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value
    return parse


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line (``pymx train: error: ...``) and exit code 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser():
    """The ``argparse`` parser of the ``pymx`` command: subcommands and their options."""
    parser = _Parser(prog="pymx", description=__doc__.split("\n\n")[0],
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    t = sub.add_parser("train", help="train a network (default LeNet on MNIST)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("--model", default="lenet",
                   help="lenet or mlp (the book's nets) or a gluon.model_zoo.vision name "
                        "(resnet18_v1, ...); default lenet")
    t.add_argument("--dataset", choices=DATASETS, default="mnist")
    t.add_argument("--data-root", default=None,
                   help="folder with the dataset files (default for mnist: the bundled copy; "
                        "fashion-mnist: /usr/share/datasets/fashion-mnist)")
    t.add_argument("--epochs", type=_positive(int), default=2)
    t.add_argument("--batch-size", type=_positive(int), default=64)
    t.add_argument("--optimizer", default="adam", help="any mx.optimizer name (default adam)")
    t.add_argument("--lr", type=_positive(float), default=1e-3)
    t.add_argument("--lr-factor", type=_positive(float), default=0.3,
                   help="multiply the learning rate by this after each epoch of "
                        "--lr-step-epochs (default 0.3)")
    t.add_argument("--lr-step-epochs", type=_epoch_list, default=[1],
                   help="comma-separated epochs after which the rate drops (default 1; "
                        "'' keeps it constant)")
    t.add_argument("--momentum", type=float, default=0.9, help="for sgd/nag (default 0.9)")
    t.add_argument("--wd", type=float, default=0.0, help="weight decay (default 0)")
    t.add_argument("--hybridize", action="store_true",
                   help="compile the net into a CachedOp (faster; --save then exports)")
    t.add_argument("--context", choices=CONTEXTS, default="cpu")
    t.add_argument("--kvstore", default="device",
                   help="device, local or none (one process; one device here), or "
                        "dist_sync / dist_device_sync / dist_async under mpiexec -n N")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--image-size", type=_positive(int), default=None,
                   help="resize images to this many pixels (nearest); for zoo nets")
    t.add_argument("--save", metavar="PREFIX", default=None,
                   help="write an MXNet checkpoint PREFIX-%%04d.params after every epoch")
    t.add_argument("--resume", action="store_true",
                   help="continue from the newest PREFIX-%%04d.params of --save")
    t.add_argument("--plot", metavar="FILE", default=None,
                   help="write a PNG of loss and accuracy per epoch (needs matplotlib)")
    t.add_argument("--limit", type=_positive(int), default=None,
                   help="train on the first N images only and test on N/2 (quick runs, CI)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    from . import exercises
    exercises.add_subcommand(sub)
    return parser


def _schedule_text(args):
    drops = [e for e in args.lr_step_epochs if e < args.epochs]
    if not drops or args.lr_factor == 1:
        return ""
    return f" (x{args.lr_factor:g} after epoch {', '.join(map(str, drops))})"


def _epoch_list(text):
    """``'1,3'`` -> ``[1, 3]``; ``''`` -> ``[]`` (argparse type of --lr-step-epochs)."""
    try:
        epochs = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected epochs like 1,3; got {text!r}") from None
    if any(e < 1 for e in epochs):
        raise argparse.ArgumentTypeError(f"epochs count from 1; got {text!r}")
    return epochs


def check_train_args(args):
    """The checks argparse cannot express; raises UsageError with one clear line."""
    import pymx as mx
    known = BOOK_MODELS + zoo_models()
    if args.model not in known:
        zoo = zoo_models()
        hint = (f" or a model_zoo name such as {', '.join(zoo[:4])}, ..." if zoo
                else " (gluon.model_zoo is not available)")
        raise UsageError(f"--model {args.model!r}: unknown; choose lenet, mlp{hint}")
    if args.optimizer.lower() not in mx.optimizer.Optimizer.opt_registry:
        raise UsageError(f"--optimizer {args.optimizer!r}: unknown; choose one of "
                         f"{', '.join(sorted(mx.optimizer.Optimizer.opt_registry))}")
    args.optimizer = args.optimizer.lower()
    if args.kvstore.lower() not in KVSTORES:
        raise UsageError(f"--kvstore {args.kvstore!r}: choose one of {', '.join(KVSTORES)}")
    args.kvstore = args.kvstore.lower()
    if args.kvstore.startswith("dist"):
        from .kvstore.dist import launched_by_mpiexec
        if not launched_by_mpiexec():
            raise UsageError(f"--kvstore {args.kvstore} needs several processes: start it "
                             f"as mpiexec -n 2 pymx train --kvstore {args.kvstore} ...")
    if args.resume and not args.save:
        raise UsageError("--resume needs --save PREFIX (where the checkpoints are)")
    if args.plot and not args.plot.lower().endswith(".png"):
        raise UsageError(f"--plot {args.plot!r}: the file name must end in .png")
    if args.data_root is not None and not os.path.isdir(os.path.expanduser(args.data_root)):
        raise UsageError(f"--data-root {args.data_root!r}: no such folder")


def main(argv=None):
    """Entry point of the ``pymx`` console command; returns the exit status (bad
    arguments: one clear line on stderr and status 2)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "exercise":
            from . import exercises
            return exercises.run(args)
        if args.command == "train":
            check_train_args(args)
            train(args)
    except UsageError as err:
        print(f"pymx {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; the checkpoints of completed epochs are intact", file=sys.stderr)
        return 130
    except Exception as err:  # one clear line for users, not a traceback
        if os.environ.get("PYMX_DEBUG"):
            raise
        print(f"pymx: error: {type(err).__name__}: {err} (PYMX_DEBUG=1 for a traceback)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
