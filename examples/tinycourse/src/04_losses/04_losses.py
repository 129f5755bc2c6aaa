# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
"""
# Module 04: Losses - Turning Mistakes Into a Number

Training needs a single number that says how wrong a model is. Mean squared error does
that for regression, and cross-entropy does it for classification. With a loss in hand,
the next step in any framework is to push that number down.

Code exports to `tinynn.core.losses`. Both losses take `Tensor` inputs from Module 01 and
return a scalar `Tensor`.
"""

# %%
#| default_exp core.losses

# %% [markdown]
"""
## Learning Objectives

1. Implement mean squared error for regression targets.
2. Implement cross-entropy for class-index targets using a stable log-softmax.
3. Explain why computing log(softmax(x)) in two separate steps can produce infinities.
4. Relate the value of a loss to what a random or perfect model would score.
5. Measure how loss computation scales with batch size and number of classes.
"""

# %%
#| export
import numpy as np

from tinynn.core.tensor import Tensor

# %% [markdown]
"""
## Mean Squared Error

MSE averages the squared difference between prediction and target over every element.
Squaring makes every error positive and punishes large errors more than small ones. We
reuse Tensor arithmetic, so the loss is literally `((pred - target) * (pred - target)).mean()`.
"""

# %% nbgrader={"grade": false, "grade_id": "mse-impl", "locked": false, "schema_version": 3, "solution": true}
#| export
class MSELoss:
    """Mean of squared differences between predictions and targets."""

    def forward(self, predictions, targets):
        ### BEGIN SOLUTION
        if not isinstance(targets, Tensor):
            targets = Tensor(targets)
        if predictions.shape != targets.shape:
            raise ValueError(f"shape mismatch: {predictions.shape} vs {targets.shape}")
        diff = predictions - targets
        return (diff * diff).mean()
        ### END SOLUTION

    def __call__(self, predictions, targets):
        return self.forward(predictions, targets)

# %% [markdown]
"""
## Cross-Entropy

For a row of logits `z` and true class `k`, cross-entropy is `-log(softmax(z)[k])`. Rather
than take the log of a probability that may have underflowed to zero, we use the identity
`log softmax(z) = z - max(z) - log(sum(exp(z - max(z))))`, which never overflows.
Targets may be class indices `(N,)` or one-hot / probability rows `(N, C)`.
"""

# %% nbgrader={"grade": false, "grade_id": "cross-entropy-impl", "locked": false, "schema_version": 3, "solution": true}
#| export
class CrossEntropyLoss:
    """Mean negative log-likelihood of the target classes under softmax(logits)."""

    def forward(self, logits, targets):
        ### BEGIN SOLUTION
        z = logits.data
        shifted = z - z.max(axis=-1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        t = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
        if t.ndim == z.ndim:
            per_example = -(t * log_probs).sum(axis=-1)
        else:
            per_example = -log_probs[np.arange(z.shape[0]), t.astype(int)]
        return Tensor(per_example.mean())
        ### END SOLUTION

    def __call__(self, logits, targets):
        return self.forward(logits, targets)

# %% [markdown]
"""
## Unit Tests

These tests use cases whose answers are known exactly: zero error, a uniform guess whose
cross-entropy is log(C), and extreme logits that would break a naive implementation.
"""

# %% nbgrader={"grade": true, "grade_id": "test-mse", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_mse_loss():
    """🔬 MSE is zero for a perfect guess and matches a hand calculation."""
    loss = MSELoss()
    assert float(loss(Tensor([1.0, 2.0]), Tensor([1.0, 2.0])).data) == 0.0
    assert np.isclose(float(loss(Tensor([1.0, 3.0]), [0.0, 0.0]).data), 5.0)
    try:
        loss(Tensor([1.0, 2.0]), Tensor([1.0]))
        raise AssertionError("mismatched shapes should fail")
    except ValueError:
        pass
    print("✅ MSELoss works")

if __name__ == "__main__":
    test_unit_mse_loss()

# %% nbgrader={"grade": true, "grade_id": "test-cross-entropy", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_cross_entropy_loss():
    """🔬 Cross-entropy equals log(C) for uniform logits and stays finite."""
    loss = CrossEntropyLoss()
    uniform = loss(Tensor(np.zeros((4, 10))), np.array([0, 3, 5, 9]))
    assert np.isclose(float(uniform.data), np.log(10), atol=1e-5)
    extreme = loss(Tensor([[1000.0, -1000.0]]), Tensor([1]))
    assert np.isclose(float(extreme.data), 2000.0)
    one_hot = loss(Tensor([[2.0, 0.0]]), Tensor([[1.0, 0.0]]))
    index = loss(Tensor([[2.0, 0.0]]), [0])
    assert np.isclose(float(one_hot.data), float(index.data))
    print("✅ CrossEntropyLoss works")

if __name__ == "__main__":
    test_unit_cross_entropy_loss()

# %% [markdown]
"""
## Systems Analysis: Memory

Cross-entropy builds a `(batch, classes)` matrix of log-probabilities before reducing it to
one number. With 50,000 classes, as in a language model vocabulary, a batch of 512 needs a
100 MB temporary in float32 just for that matrix - often more than the layer before it.
"""

# %%
def analyze_loss_scaling():
    """📊 Time cross-entropy as the number of classes grows."""
    import time
    rng = np.random.default_rng(0)
    loss = CrossEntropyLoss()
    for classes in (10, 1000, 10000):
        logits = Tensor(rng.standard_normal((256, classes)))
        targets = rng.integers(0, classes, 256)
        start = time.perf_counter()
        loss(logits, targets)
        ms = (time.perf_counter() - start) * 1e3
        print(f"{classes:6d} classes: {ms:.2f} ms, {logits.data.nbytes / 1e6:.1f} MB of logits")

if __name__ == "__main__":
    analyze_loss_scaling()

# %% [markdown]
"""
## Systems Analysis: Performance

Both losses are linear in the number of elements they read, so they are cheap next to the
matmuls that produced their inputs. Cross-entropy's exponentials make it a few times slower
per element than MSE, but it still rarely shows up as a bottleneck in a profile.
"""

# %% [markdown]
"""
## Production Context

Frameworks offer cross-entropy that takes raw logits precisely so they can apply the same
log-sum-exp trick we used; passing probabilities that were already softmaxed is a classic
bug. They also support label smoothing, class weights and ignored indices for padding.
"""

# %% nbgrader={"grade": true, "grade_id": "test-losses-module", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_module():
    """🧪 Score a small network's output with both losses."""
    from tinynn.core.layers import Linear
    x = Tensor(np.random.default_rng(1).standard_normal((6, 4)))
    logits = Linear(4, 3, seed=0)(x)
    ce = CrossEntropyLoss()(logits, np.array([0, 1, 2, 0, 1, 2]))
    assert ce.shape == () and float(ce.data) > 0
    mse = MSELoss()(logits, Tensor(np.zeros((6, 3))))
    assert np.isclose(float(mse.data), float((logits.data ** 2).mean()))
    print("🎉 Module 04 losses: all tests passed")

if __name__ == "__main__":
    test_module()

# %% [markdown]
"""
## Reflection Questions

1. A 10-class model outputs identical logits for every input. What loss does it score,
   and why is that a useful baseline?
2. Why does MSE punish one error of size 4 more than four errors of size 1?
3. What goes wrong if you feed softmax probabilities instead of logits to our loss?
"""

# %% [markdown]
"""
## Module Summary

You implemented MSE and a numerically stable cross-entropy, checked them against exact
answers, and saw how loss memory grows with the number of classes. With tensors,
activations, layers and losses, the course has every piece of a forward training step.
"""
