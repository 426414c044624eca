"""Bad input gets a clear error naming the parameter, the expectation and what came."""

import math

import pytest
import torch

from learntheory._core import check_choice, check_int, check_points, check_positive


def test_check_points_accepts_valid_input():
    x = torch.zeros(3, 2)
    assert check_points(x, "x") is x


@pytest.mark.parametrize(
    ("value", "exc", "match"),
    [
        ([[1.0]], TypeError, "'x' parameter of f must be a torch.Tensor. Got list"),
        (torch.zeros(3, 2, dtype=torch.int64), TypeError, "floating dtype.*torch.int64"),
        (torch.zeros(3), ValueError, r"must be \(n, d\). Got a tensor of shape \(3,\)"),
        (torch.zeros(3, 4), ValueError, r"feature dimension 2. Got shape \(3, 4\)"),
        (torch.tensor([[math.nan, 0.0]]), ValueError, "must be finite. Got 1 NaN or inf"),
        (torch.tensor([[math.inf, 0.0]]), ValueError, "must be finite"),
        (torch.zeros(0, 2), ValueError, "at least one point"),
    ],
)
def test_check_points_messages(value, exc, match):
    with pytest.raises(exc, match=match):
        check_points(value, "x", owner="f", features=2)


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf])
def test_check_positive_rejects(bad):
    with pytest.raises(ValueError, match=r"'bandwidth' parameter of g must be > 0. Got"):
        check_positive(bad, "bandwidth", owner="g")


def test_check_positive_types_and_zero():
    assert check_positive(0, "c", allow_zero=True) == 0.0
    assert check_positive(torch.tensor(2.0), "c") == 2.0
    with pytest.raises(TypeError, match="'c' parameter must be a real number"):
        check_positive("1", "c")
    with pytest.raises(TypeError, match="'c' parameter must be a real number"):
        check_positive(True, "c")


def test_check_int_and_choice():
    assert check_int(3, "degree") == 3
    with pytest.raises(ValueError, match="'degree' parameter must be an int >= 1. Got 0"):
        check_int(0, "degree")
    with pytest.raises(TypeError, match="'degree' parameter must be an int"):
        check_int(2.0, "degree")
    with pytest.raises(ValueError, match=r"'method' parameter must be one of \['a', 'b'\]"):
        check_choice("c", "method", {"a", "b"})


def test_check_same_device_names_both_devices():
    """Simulated with the meta device so that the check runs without a GPU."""
    from learntheory._core import check_same_device

    with pytest.raises(ValueError, match="'x1' on cpu, 'x2' on meta"):
        check_same_device("gaussian", x1=torch.zeros(2, 2), x2=torch.zeros(2, 2, device="meta"))


def test_check_pair_and_targets():
    from learntheory._core import check_pair, check_targets

    x = torch.zeros(3, 2, dtype=torch.float64)
    a, b = check_pair(x, None, "k")
    assert a is x and b is x
    with pytest.raises(ValueError, match="'x2' parameter of k must have feature dimension 2"):
        check_pair(x, torch.zeros(2, 3, dtype=torch.float64), "k")
    y = torch.zeros(3, dtype=torch.float64)
    assert check_targets(y, "y", n=3, owner="f", like=x) is y
    with pytest.raises(ValueError, match=r"'y' parameter of f must have one row per point "
                                         r"\(n = 4\). Got shape \(3,\)"):
        check_targets(y, "y", n=4, owner="f")
    with pytest.raises(ValueError, match=r"'y' parameter of f must be \(n,\) or \(n, m\)"):
        check_targets(torch.zeros(3, 1, 1), "y", n=3, owner="f")
    with pytest.raises(ValueError, match="'y' parameter of f must be on cpu with dtype "
                                         "torch.float32"):
        check_targets(y, "y", n=3, owner="f", like=x.float())
    with pytest.raises(TypeError, match="'y' parameter of f must be a torch.Tensor. Got list"):
        check_targets([0.0], "y", n=1, owner="f")


def test_check_instance():
    from learntheory._core import check_instance

    assert check_instance(3, "n", int, owner="f") == 3
    with pytest.raises(TypeError, match="'data' parameter of f must be a builtins.dict. "
                                        "Got list instead"):
        check_instance([], "data", dict, owner="f")
