"""``pymx train``: argument errors (one line, exit 2), a quick ``--limit`` run, checkpoint
files (MXNet names, atomic writes), save/resume round trip, the plot, and (slow) the
default run's accuracy."""
import os

import numpy as np
import pytest

import pymx as mx
from pymx import cli

QUICK = ["train", "--limit", "256", "--batch-size", "64", "--quiet"]


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, needle", [
    (["train", "--epochs", "0"], "--epochs"),
    (["train", "--epochs", "two"], "--epochs"),
    (["train", "--lr", "-1"], "--lr"),
    (["train", "--dataset", "imagenet"], "--dataset"),
    (["train", "--context", "tpu"], "--context"),
    (["train", "--bogus"], "--bogus"),
    (["train", "--model", "nosuchnet"], "--model"),
    (["train", "--optimizer", "nosuchopt"], "--optimizer"),
    (["train", "--kvstore", "dist_sync"], "--kvstore"),
    (["train", "--resume"], "--resume"),
    (["train", "--plot", "curves.pdf"], "--plot"),
    (["train", "--data-root", "/no/such/folder"], "--data-root"),
    (["train", "--dataset", "cifar10"], "--data-root"),
    (["train", "--lr-step-epochs", "0,x"], "--lr-step-epochs"),
    (["train", "--lr-factor", "0"], "--lr-factor"),
])
def test_bad_arguments_give_one_line_and_exit_2(capsys, argv, needle):
    try:
        code, out, err = run(capsys, *argv)
    except SystemExit as e:                       # argparse's own errors
        code = e.code
        out, err = capsys.readouterr()
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "error" in lines[0], err
    assert "Traceback" not in err


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["train", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for opt in ("--model", "--dataset", "--hybridize", "--save", "--resume", "--plot",
                "--kvstore", "--context", "--optimizer", "--limit"):
        assert opt in out


def test_exercise_subcommand_is_wired(capsys):
    code = cli.main(["exercise", "list"])
    assert code == 0
    assert capsys.readouterr().out.strip()


def test_quick_run_learns_something(capsys):
    code, out, err = run(capsys, *QUICK, "--epochs", "2", "--model", "mlp")
    assert code == 0, err
    acc = float(out.strip().splitlines()[-1].split()[-1])
    assert acc > 0.5                              # 10 classes: chance is 0.1
    assert "epoch 2: train loss" in out


def test_save_and_resume_round_trip(tmp_path, capsys):
    prefix = str(tmp_path / "ck" / "lenet")
    code, out, err = run(capsys, *QUICK, "--epochs", "1", "--save", prefix)
    assert code == 0, err
    names = sorted(os.listdir(tmp_path / "ck"))
    assert names == ["lenet-0001.params", "lenet-0001.states"]   # no temp files left
    saved = mx.nd.load(prefix + "-0001.params")
    assert "0.weight" in saved and saved["0.weight"].shape == (20, 1, 5, 5)

    # resume to epoch 2, hybridized: exported as MXNet symbol + arg:/aux: params
    code, out, err = run(capsys, *QUICK, "--epochs", "2", "--save", prefix, "--resume",
                         "--hybridize")
    assert code == 0, err
    assert "resumed from" in out and "epoch 2:" in out and "epoch 1:" not in out
    assert os.path.exists(prefix + "-symbol.json")
    exported = mx.nd.load(prefix + "-0002.params")
    assert "arg:lenet_conv0_weight" in exported
    assert not [n for n in os.listdir(tmp_path / "ck") if "tmp" in n]
    # training continued from the loaded weights, it did not restart
    w1, w2 = saved["0.weight"].asnumpy(), exported["arg:lenet_conv0_weight"].asnumpy()
    assert 0 < np.abs(w2 - w1).max() < 0.5

    # the exported files load into a SymbolBlock (MXNet's way to read them)
    net = mx.gluon.SymbolBlock.imports(prefix + "-symbol.json", ["data"],
                                       prefix + "-0002.params")
    assert net(mx.nd.zeros((2, 1, 28, 28))).shape == (2, 10)

    # resuming an exported checkpoint works too (arg:/aux: names)
    code, out, err = run(capsys, *QUICK, "--epochs", "3", "--save", prefix, "--resume")
    assert code == 0, err
    assert "resumed from" in out and out.count("epoch 3:") == 1


def test_resume_without_checkpoint_fails_cleanly(tmp_path, capsys):
    code, out, err = run(capsys, *QUICK, "--save", str(tmp_path / "none"), "--resume")
    assert code == 2 and "no checkpoint" in err and len(err.strip().splitlines()) == 1


def test_plot_writes_a_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = str(tmp_path / "curves.png")
    code, out, err = run(capsys, *QUICK, "--epochs", "1", "--plot", path)
    assert code == 0, err
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_interrupt_keeps_completed_checkpoint(tmp_path, capsys, monkeypatch):
    prefix = str(tmp_path / "lenet")
    calls = {"n": 0}
    real = cli.evaluate

    def evaluate_then_interrupt(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:                      # Ctrl-C during epoch 2's evaluation
            raise KeyboardInterrupt
        return real(*args, **kwargs)
    monkeypatch.setattr(cli, "evaluate", evaluate_then_interrupt)
    code, out, err = run(capsys, *QUICK, "--epochs", "2", "--save", prefix)
    assert code == 130 and "interrupted" in err
    assert sorted(os.listdir(tmp_path)) == ["lenet-0001.params", "lenet-0001.states"]
    mx.nd.load(prefix + "-0001.params")


@pytest.mark.slow
def test_default_run_reaches_98_5_percent(capsys):
    """The issue's target: the defaults (LeNet, 2 epochs) reach >= 98.5% on MNIST
    (measured with MXNet's initial weights and the rate x0.3 after epoch 1: 98.53% then
    99.03% with seed 0, 98.78% then 98.99% with seed 1; without the drop epoch 2 gave
    98.47-98.71%; about 20 s per epoch on 2 quiet cores, so this runs in CI)."""
    code, out, err = run(capsys, "train", "--quiet")
    assert code == 0, err
    assert float(out.strip().splitlines()[-1].split()[-1]) >= 0.985


def test_lr_step_epochs_make_a_multifactor_schedule():
    """--lr-factor/--lr-step-epochs (the names of MXNet's image-classification
    examples): the rate is multiplied by the factor after each listed epoch."""
    from types import SimpleNamespace
    from pymx.cli import optimizer_params
    args = SimpleNamespace(lr=0.1, wd=0.0, optimizer="adam", momentum=0.9, epochs=3,
                           lr_factor=0.5, lr_step_epochs=[1, 2, 5])
    sched = optimizer_params(args, batches_per_epoch=10)["lr_scheduler"]
    assert [sched(n) for n in (1, 10, 11, 20, 21, 40)] == pytest.approx(
        [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    args.lr_step_epochs = []
    assert "lr_scheduler" not in optimizer_params(args, batches_per_epoch=10)
