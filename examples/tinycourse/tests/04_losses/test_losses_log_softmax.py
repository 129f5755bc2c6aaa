"""Why cross-entropy computes log-softmax in one step instead of log(softmax(x))."""
import numpy as np
import pytest

from tinynn.core.activations import Softmax
from tinynn.core.losses import CrossEntropyLoss
from tinynn.core.tensor import Tensor


def test_log_of_softmax_in_two_separate_steps_produces_infinities():
    """Computed in two separate steps, softmax underflows to exactly 0 for a far-off class,
    so its log is -inf and the loss is infinite; the fused log-softmax stays finite."""
    logits = np.array([[-1.0e4, 1.0e4]])
    probabilities = Softmax()(Tensor(logits)).data
    assert probabilities[0, 0] == 0.0  # exp(-2e4) is below the smallest float64
    with np.errstate(divide="ignore"):
        two_steps = -np.log(probabilities[0, 0])
    assert np.isinf(two_steps)
    one_step = float(CrossEntropyLoss()(Tensor(logits), [0]).data)
    assert np.isfinite(one_step) and one_step == pytest.approx(2.0e4)


def test_naive_softmax_overflows_to_nan_for_large_logits():
    """Without the max shift, exp overflows: inf / inf gives nan before the log is taken."""
    logits = np.array([1.0e3, 0.0])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(logits) / np.exp(logits).sum()
    assert np.isnan(naive[0])
    assert np.allclose(Softmax()(Tensor(logits)).data, [1.0, 0.0])
