"""Choosing an activation: what each one costs and the range its outputs fall in."""
import numpy as np
import pytest

from tinynn.core.activations import ReLU, Sigmoid, Softmax, Tanh
from tinynn.core.tensor import Tensor

WIDE = np.linspace(-50.0, 50.0, 201)


def exponentials_computed(activation, x, monkeypatch):
    """How many exponentials one forward pass evaluates: the dominant cost of an activation."""
    counted = []
    real_exp = np.exp

    def counting_exp(values, *args, **kwargs):
        counted.append(np.size(values))
        return real_exp(values, *args, **kwargs)

    monkeypatch.setattr(np, "exp", counting_exp)
    activation(Tensor(x))
    monkeypatch.undo()
    return sum(counted)


def test_output_range_of_each_activation():
    """Compare the output range of each activation: ReLU [0, inf), Sigmoid (0, 1),
    Tanh (-1, 1), Softmax probabilities in [0, 1] that sum to one."""
    relu = ReLU()(Tensor(WIDE)).data
    assert relu.min() == 0.0 and relu.max() == WIDE.max()
    sigmoid = Sigmoid()(Tensor(WIDE)).data
    assert np.all((sigmoid >= 0.0) & (sigmoid <= 1.0))
    assert sigmoid[100] == pytest.approx(0.5)
    tanh = Tanh()(Tensor(WIDE)).data
    assert np.all((tanh >= -1.0) & (tanh <= 1.0))
    assert tanh[100] == pytest.approx(0.0) and np.allclose(tanh, -tanh[::-1])
    softmax = Softmax()(Tensor(WIDE)).data
    assert np.all(softmax >= 0.0) and softmax.sum() == pytest.approx(1.0)


def test_cost_of_each_activation_in_exponentials(monkeypatch):
    """Compare the cost of each activation: ReLU needs no exponential at all, Sigmoid and
    Softmax one per element."""
    x = np.linspace(-3.0, 3.0, 12)
    assert exponentials_computed(ReLU(), x, monkeypatch) == 0
    assert exponentials_computed(Sigmoid(), x, monkeypatch) == x.size
    assert exponentials_computed(Softmax(), x, monkeypatch) == x.size


def test_choose_an_activation_for_a_given_layer():
    """Choose by output range: a layer that outputs a probability needs Sigmoid (ReLU is
    unbounded above), a zero-centred hidden layer needs Tanh (Sigmoid is centred on 0.5)."""
    scores = Tensor([-6.0, -0.5, 0.0, 0.5, 6.0])

    def is_probability(values):
        return bool(np.all((values >= 0.0) & (values <= 1.0)))

    assert is_probability(Sigmoid()(scores).data)
    assert not is_probability(ReLU()(scores).data)
    assert Tanh()(scores).data.mean() == pytest.approx(0.0)
    assert Sigmoid()(scores).data.mean() == pytest.approx(0.5)
