"""A forward pass through Linear -> ReLU -> Linear scored with MSE."""
import tomllib
from pathlib import Path

import numpy as np

import tinynn
from tinynn.core.activations import ReLU
from tinynn.core.layers import Linear, Sequential
from tinynn.core.losses import MSELoss
from tinynn.core.tensor import Tensor


def test_package_exposes_version_and_submodules():
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    assert tinynn.__version__ == tomllib.loads(pyproject.read_text())["project"]["version"]
    assert tinynn.Tensor is Tensor
    assert tinynn.layers.Linear is Linear


def test_forward_pass_and_mse_loss():
    rng = np.random.default_rng(42)
    x = Tensor(rng.standard_normal((8, 4)))
    y = Tensor(rng.standard_normal((8, 1)))
    model = Sequential(Linear(4, 16, seed=0), ReLU(), Linear(16, 1, seed=1))

    pred = model(x)
    loss = MSELoss()(pred, y)

    assert pred.shape == (8, 1)
    assert loss.shape == ()
    assert np.isfinite(float(loss.data)) and float(loss.data) >= 0

    # Same computation by hand with plain numpy.
    w1, b1, w2, b2 = (p.data for p in model.parameters())
    manual = np.maximum(x.data @ w1 + b1, 0) @ w2 + b2
    assert np.allclose(pred.data, manual, atol=1e-5)
    assert np.isclose(float(loss.data), ((manual - y.data) ** 2).mean(), rtol=1e-5)


def test_loss_drops_after_a_manual_gradient_step_on_last_layer():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((16, 3)))
    y = Tensor(rng.standard_normal((16, 1)))
    hidden_layer, out_layer = Linear(3, 8, seed=2), Linear(8, 1, seed=3)
    hidden = ReLU()(hidden_layer(x))
    before = float(MSELoss()(out_layer(hidden), y).data)

    # d(MSE)/d(W2) = 2/N * h^T (pred - y); one small step must lower the loss.
    residual = out_layer(hidden).data - y.data
    grad_w = 2.0 / residual.size * hidden.data.T @ residual
    out_layer.weight = Tensor(out_layer.weight.data - 0.1 * grad_w)
    after = float(MSELoss()(out_layer(hidden), y).data)
    assert after < before
