"""Core behaviour of tinynn.core.activations."""
import numpy as np
import pytest

from tinynn.core.activations import Activation, ReLU, Sigmoid, Softmax, Tanh
from tinynn.core.tensor import Tensor


def test_relu_zeroes_negatives():
    out = ReLU()(Tensor([[-1.0, 0.5], [2.0, -3.0]]))
    assert np.allclose(out.data, [[0.0, 0.5], [2.0, 0.0]])


def test_sigmoid_is_stable_and_symmetric():
    out = Sigmoid()(Tensor([-800.0, -1.0, 0.0, 1.0, 800.0])).data
    assert np.all(np.isfinite(out))
    assert np.allclose(out[[0, 2, 4]], [0.0, 0.5, 1.0])
    assert out[1] + out[3] == pytest.approx(1.0)


def test_tanh_matches_numpy():
    x = np.linspace(-4, 4, 9)
    assert np.allclose(Tanh()(Tensor(x)).data, np.tanh(x), atol=1e-6)


def test_softmax_rows_sum_to_one_on_any_axis():
    x = Tensor([[1.0, 2.0], [3.0, 4.0], [1e4, 1e4]])
    assert np.allclose(Softmax()(x).data.sum(axis=1), 1.0)
    assert np.allclose(Softmax(axis=0)(x).data.sum(axis=0), 1.0)
    assert np.allclose(Softmax().forward(x).data[2], [0.5, 0.5])


def test_base_activation_requires_forward():
    with pytest.raises(NotImplementedError):
        Activation()(Tensor([1.0]))
