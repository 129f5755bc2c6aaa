"""Core behaviour of tinynn.core.layers."""
import numpy as np
import pytest

from tinynn.core.activations import ReLU
from tinynn.core.layers import Linear, Sequential
from tinynn.core.tensor import Tensor


def test_linear_shapes_and_init_bounds():
    layer = Linear(16, 4, seed=0)
    assert layer.weight.shape == (16, 4)
    assert np.allclose(layer.bias.data, 0.0)
    assert np.all(np.abs(layer.weight.data) <= 0.25)
    assert repr(layer) == "Linear(16, 4, bias=True)"


def test_linear_seed_is_reproducible():
    assert np.array_equal(Linear(5, 5, seed=7).weight.data, Linear(5, 5, seed=7).weight.data)
    assert not np.array_equal(Linear(5, 5, seed=7).weight.data, Linear(5, 5, seed=8).weight.data)


def test_linear_forward_is_affine():
    layer = Linear(3, 2, seed=1)
    layer.bias = Tensor([1.0, -1.0])
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    expected = x @ layer.weight.data + np.array([1.0, -1.0])
    assert np.allclose(layer(Tensor(x)).data, expected, atol=1e-5)
    with pytest.raises(ValueError):
        layer(Tensor(np.ones((2, 4))))


def test_linear_without_bias():
    layer = Linear(3, 2, bias=False, seed=0)
    assert layer.bias is None
    assert layer.parameters() == [layer.weight]
    assert np.allclose(layer(Tensor(np.zeros((1, 3)))).data, 0.0)


def test_sequential_chains_and_collects_parameters():
    model = Sequential(Linear(2, 3, seed=0), ReLU(), Linear(3, 1, seed=1))
    assert len(model) == 3
    assert len(model.parameters()) == 4
    assert model.forward(Tensor(np.ones((4, 2)))).shape == (4, 1)
