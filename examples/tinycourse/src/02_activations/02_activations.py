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
# Module 02: Activations - Bending Straight Lines

Stacking matrix multiplications only ever gives another matrix multiplication. To model
anything curved, a network needs a non-linear function between its layers. Here you write
the four activations you will meet most often: ReLU, Sigmoid, Tanh and Softmax.

Code exports to `tinynn.core.activations`. Every class takes a `Tensor` from Module 01 and
returns a new `Tensor` of the same shape.
"""

# %%
#| default_exp core.activations

# %% [markdown]
"""
## Learning Objectives

1. Explain why a network without non-linear activations collapses into a single linear map.
2. Implement ReLU, Sigmoid and Tanh as element-wise operations on a Tensor.
3. Implement a numerically stable Softmax that turns scores into probabilities.
4. Give every activation a shared forward and call interface so layers can swap them freely.
5. Compare the cost and output range of each activation and choose one for a given layer.
"""

# %%
#| export
import numpy as np

from tinynn.core.tensor import Tensor

# %% [markdown]
"""
## Element-wise Activations

ReLU keeps positive values and zeroes the rest; it is cheap and the default choice for
hidden layers. Sigmoid squashes any number into (0, 1) and Tanh into (-1, 1). A naive
sigmoid `1 / (1 + exp(-x))` overflows for large negative x, so we compute it in two
branches that only ever exponentiate non-positive numbers.
"""

# %% nbgrader={"grade": false, "grade_id": "elementwise-activations", "locked": false, "schema_version": 3, "solution": true}
#| export
class Activation:
    """Shared interface: subclasses implement forward(x) -> Tensor."""

    def forward(self, x):
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)


class ReLU(Activation):
    """max(0, x), element by element."""

    def forward(self, x):
        ### BEGIN SOLUTION
        return Tensor(np.maximum(x.data, 0.0))
        ### END SOLUTION


class Sigmoid(Activation):
    """1 / (1 + exp(-x)), computed without overflow."""

    def forward(self, x):
        ### BEGIN SOLUTION
        z = x.data
        out = np.empty_like(z)
        pos = z >= 0
        out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        exp_z = np.exp(z[~pos])
        out[~pos] = exp_z / (1.0 + exp_z)
        return Tensor(out)
        ### END SOLUTION


class Tanh(Activation):
    """Hyperbolic tangent, output in (-1, 1)."""

    def forward(self, x):
        ### BEGIN SOLUTION
        return Tensor(np.tanh(x.data))
        ### END SOLUTION

# %% [markdown]
"""
## Softmax

Softmax turns a row of scores into a probability distribution: exponentiate, then divide
by the row's total. Subtracting each row's maximum first does not change the answer
(it cancels in the division) but keeps `exp` from overflowing on large scores.
"""

# %% nbgrader={"grade": false, "grade_id": "softmax-impl", "locked": false, "schema_version": 3, "solution": true}
#| export
class Softmax(Activation):
    """Normalise scores along `axis` into probabilities that sum to one."""

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        ### BEGIN SOLUTION
        shifted = x.data - x.data.max(axis=self.axis, keepdims=True)
        exps = np.exp(shifted)
        return Tensor(exps / exps.sum(axis=self.axis, keepdims=True))
        ### END SOLUTION

# %% [markdown]
"""
## Unit Tests

These tests compare each activation with values you can work out by hand and probe the
extreme inputs where naive formulas break.
"""

# %% nbgrader={"grade": true, "grade_id": "test-elementwise", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_elementwise_activations():
    """🔬 ReLU, Sigmoid and Tanh match hand-computed values."""
    x = Tensor([-2.0, 0.0, 3.0])
    assert np.allclose(ReLU()(x).data, [0.0, 0.0, 3.0])
    assert np.allclose(Sigmoid()(Tensor([0.0])).data, [0.5])
    assert np.allclose(Tanh()(x).data, np.tanh([-2.0, 0.0, 3.0]))
    big = Sigmoid()(Tensor([-1000.0, 1000.0])).data
    assert np.all(np.isfinite(big)) and np.allclose(big, [0.0, 1.0])
    print("✅ element-wise activations work")

if __name__ == "__main__":
    test_unit_elementwise_activations()

# %% nbgrader={"grade": true, "grade_id": "test-softmax", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_softmax():
    """🔬 Softmax rows are positive, sum to one and survive huge scores."""
    probs = Softmax()(Tensor([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]])).data
    assert np.allclose(probs.sum(axis=-1), 1.0)
    assert np.all(probs > 0)
    assert np.allclose(probs[1], 1.0 / 3.0)
    assert probs[0, 2] > probs[0, 1] > probs[0, 0]
    print("✅ softmax works")

if __name__ == "__main__":
    test_unit_softmax()

# %% [markdown]
"""
## Systems Analysis: Memory

Every activation here allocates an output the same size as its input, so a network with
ten hidden layers keeps ten extra activation buffers alive during a forward pass. Sigmoid
also creates temporary masks and exponentials, briefly needing about three times the input.
"""

# %%
def analyze_activation_cost():
    """📊 Time each activation on the same input to compare their cost."""
    import time
    x = Tensor(np.random.default_rng(0).standard_normal((512, 512)))
    for act in (ReLU(), Sigmoid(), Tanh(), Softmax()):
        start = time.perf_counter()
        act(x)
        elapsed = (time.perf_counter() - start) * 1e3
        print(f"{type(act).__name__:8s} {elapsed:.2f} ms for {x.size} values")

if __name__ == "__main__":
    analyze_activation_cost()

# %% [markdown]
"""
## Systems Analysis: Performance

ReLU is a single comparison per value, whereas Sigmoid, Tanh and Softmax each call the
exponential, which costs many more instructions. That gap is one reason ReLU became the
default hidden activation: it is both fast and keeps gradients from vanishing for x > 0.
"""

# %% [markdown]
"""
## Production Context

Real frameworks fuse activations into the preceding matrix multiply so the output is
written to memory only once, and they pair Softmax with the cross-entropy loss in a single
log-softmax kernel for stability. You will do the same pairing by hand in Module 04.
"""

# %% nbgrader={"grade": true, "grade_id": "test-activations-module", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_module():
    """🧪 Chain activations on a Tensor batch as a small network would."""
    x = Tensor(np.linspace(-3, 3, 12).reshape(3, 4))
    hidden = ReLU()(x)
    assert hidden.shape == (3, 4) and np.all(hidden.data >= 0)
    squashed = Tanh()(hidden)
    assert np.all(np.abs(squashed.data) < 1)
    probs = Softmax()(squashed)
    assert np.allclose(probs.data.sum(axis=1), 1.0)
    assert np.all((Sigmoid()(x).data > 0) & (Sigmoid()(x).data < 1))
    print("🎉 Module 02 activations: all tests passed")

if __name__ == "__main__":
    test_module()

# %% [markdown]
"""
## Reflection Questions

1. Show that two Linear layers with no activation between them equal one Linear layer.
   What does that imply about depth without non-linearity?
2. Why does subtracting the row maximum in Softmax leave the result unchanged?
3. For a hidden layer with a million units, which activation would you pick and why?
"""

# %% [markdown]
"""
## Module Summary

You implemented ReLU, Sigmoid, Tanh and a stable Softmax behind one call interface, and
measured why ReLU is the cheapest. In Module 03 these activations sit between Linear layers
to form real networks.
"""
