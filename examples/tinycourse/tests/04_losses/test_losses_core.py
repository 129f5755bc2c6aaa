"""Core behaviour of tinynn.core.losses."""
import numpy as np
import pytest

from tinynn.core.losses import CrossEntropyLoss, MSELoss
from tinynn.core.tensor import Tensor


def test_mse_known_value_and_zero():
    loss = MSELoss()
    assert float(loss(Tensor([[1.0, 2.0]]), Tensor([[3.0, 2.0]])).data) == pytest.approx(2.0)
    assert float(loss.forward(Tensor([0.5]), [0.5]).data) == 0.0


def test_mse_rejects_shape_mismatch():
    with pytest.raises(ValueError):
        MSELoss()(Tensor([1.0, 2.0, 3.0]), Tensor([[1.0, 2.0, 3.0]]))


def test_cross_entropy_uniform_logits_give_log_classes():
    value = CrossEntropyLoss()(Tensor(np.zeros((3, 5))), [0, 2, 4])
    assert float(value.data) == pytest.approx(np.log(5), rel=1e-5)


def test_cross_entropy_matches_manual_computation():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    targets = np.array([0, 1])
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    expected = -np.log(probs[[0, 1], targets]).mean()
    assert float(CrossEntropyLoss()(Tensor(logits), Tensor(targets)).data) == pytest.approx(expected, rel=1e-5)


def test_cross_entropy_one_hot_and_extreme_logits():
    loss = CrossEntropyLoss()
    one_hot = Tensor([[0.0, 1.0], [1.0, 0.0]])
    by_index = loss(Tensor([[1.0, 3.0], [4.0, 0.0]]), [1, 0])
    assert float(loss(Tensor([[1.0, 3.0], [4.0, 0.0]]), one_hot).data) == pytest.approx(float(by_index.data))
    assert np.isfinite(float(loss(Tensor([[-1e4, 1e4]]), [0]).data))
