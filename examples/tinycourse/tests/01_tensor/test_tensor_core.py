"""Core behaviour of tinynn.core.tensor.Tensor."""
import numpy as np
import pytest

from tinynn.core.tensor import Tensor


def test_creation_defaults_to_float32():
    t = Tensor([[1, 2], [3, 4]])
    assert t.shape == (2, 2)
    assert t.size == 4
    assert t.dtype == np.float32
    assert t.numpy() is t.data
    assert repr(t) == "Tensor([[1.0, 2.0], [3.0, 4.0]], shape=(2, 2))"


def test_elementwise_ops_broadcast_and_accept_scalars():
    a = Tensor([1.0, 2.0, 3.0])
    assert np.allclose((a + 1).data, [2, 3, 4])
    assert np.allclose((1 + a).data, [2, 3, 4])
    assert np.allclose(a.sub(Tensor([1.0, 1.0, 1.0])).data, [0, 1, 2])
    assert np.allclose((2 * a).data, [2, 4, 6])
    assert np.allclose(a.mul(np.array([0.0, 1.0, 2.0])).data, [0, 2, 6])


def test_operations_do_not_modify_inputs():
    a = Tensor([1.0, 2.0])
    _ = a + a
    _ = a * 3
    assert np.allclose(a.data, [1.0, 2.0])


def test_matmul_matches_numpy_and_rejects_bad_shapes():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    assert np.allclose((Tensor(x) @ Tensor(w)).data, x @ w, atol=1e-5)
    with pytest.raises(ValueError):
        Tensor(x).matmul(Tensor(x))


def test_reshape_sum_and_mean():
    t = Tensor(np.arange(12))
    assert t.reshape(3, 4).shape == (3, 4)
    assert t.reshape([2, 6]).shape == (2, 6)
    assert np.allclose(t.reshape(3, 4).sum(axis=1).data, [6, 22, 38])
    assert t.reshape(3, 4).sum(axis=0, keepdims=True).shape == (1, 4)
    assert float(t.mean().data) == pytest.approx(5.5)
