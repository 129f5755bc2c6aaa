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
# Module 03: Layers - Parameters With a Purpose

A layer owns some parameters and knows how to transform an input with them. The Linear
layer computes `y = x @ W + b`, and a Sequential container runs layers one after another so
a whole network reads like a list.

Code exports to `tinynn.core.layers`. It builds on the Tensor from Module 01 and accepts the
activations from Module 02 as members of a Sequential.
"""

# %%
#| default_exp core.layers

# %% [markdown]
"""
## Learning Objectives

1. Implement a Linear layer that computes an affine map from inputs to outputs.
2. Initialise weights from a seeded random generator so experiments are reproducible.
3. Scale initial weights by the number of inputs to keep activations in a healthy range.
4. Compose layers and activations into a Sequential model and collect its parameters.
5. Count a model's parameters and estimate the memory they need.
"""

# %%
#| export
import numpy as np

from tinynn.core.tensor import Tensor

# %% [markdown]
"""
## The Linear Layer

The weight matrix has shape `(in_features, out_features)` so a batch of shape
`(batch, in_features)` multiplies on the left. We draw weights uniformly from
`[-1/sqrt(in), 1/sqrt(in)]`: if they were all the same size regardless of fan-in, wide
layers would produce outputs whose scale grows with the width. Bias starts at zero.
"""

# %% nbgrader={"grade": false, "grade_id": "linear-impl", "locked": false, "schema_version": 3, "solution": true}
#| export
class Linear:
    """Affine layer: y = x @ weight + bias."""

    def __init__(self, in_features, out_features, bias=True, seed=None):
        ### BEGIN SOLUTION
        self.in_features = in_features
        self.out_features = out_features
        rng = np.random.default_rng(seed)
        limit = 1.0 / np.sqrt(in_features)
        self.weight = Tensor(rng.uniform(-limit, limit, (in_features, out_features)))
        self.bias = Tensor(np.zeros(out_features)) if bias else None
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        if x.shape[-1] != self.in_features:
            raise ValueError(f"expected {self.in_features} features, got {x.shape[-1]}")
        out = x @ self.weight
        if self.bias is not None:
            out = out + self.bias
        return out
        ### END SOLUTION

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """Return the list of trainable Tensors."""
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    def __repr__(self):
        return f"Linear({self.in_features}, {self.out_features}, bias={self.bias is not None})"

# %% [markdown]
"""
## Sequential

`Sequential` stores an ordered list of callables. Its forward pass feeds each output into
the next, and its `parameters()` gathers the parameters of every member that has any, so
activation functions (which own none) can be mixed in freely.
"""

# %% nbgrader={"grade": false, "grade_id": "sequential-impl", "locked": false, "schema_version": 3, "solution": true}
#| export
class Sequential:
    """Run layers in order, passing each output to the next."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def forward(self, x):
        ### BEGIN SOLUTION
        for layer in self.layers:
            x = layer(x)
        return x
        ### END SOLUTION

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        ### BEGIN SOLUTION
        params = []
        for layer in self.layers:
            if hasattr(layer, "parameters"):
                params.extend(layer.parameters())
        return params
        ### END SOLUTION

    def __len__(self):
        return len(self.layers)

# %% [markdown]
"""
## Unit Tests

The tests check shapes, the initialisation bounds, reproducibility under a fixed seed, and
that Sequential threads data through every member.
"""

# %% nbgrader={"grade": true, "grade_id": "test-linear", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_linear():
    """🔬 Linear has the right shapes, bounds and seeded weights."""
    layer = Linear(4, 3, seed=0)
    assert layer.weight.shape == (4, 3) and layer.bias.shape == (3,)
    assert np.all(np.abs(layer.weight.data) <= 0.5)
    assert np.allclose(layer.weight.data, Linear(4, 3, seed=0).weight.data)
    y = layer(Tensor(np.ones((2, 4))))
    assert y.shape == (2, 3)
    assert len(Linear(4, 3, bias=False).parameters()) == 1
    try:
        layer(Tensor(np.ones((2, 5))))
        raise AssertionError("wrong input width should fail")
    except ValueError:
        pass
    print("✅ Linear works")

if __name__ == "__main__":
    test_unit_linear()

# %% nbgrader={"grade": true, "grade_id": "test-sequential", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_sequential():
    """🔬 Sequential chains layers and collects all parameters."""
    model = Sequential(Linear(3, 5, seed=1), Linear(5, 2, seed=2))
    assert len(model) == 2
    assert len(model.parameters()) == 4
    assert model(Tensor(np.zeros((7, 3)))).shape == (7, 2)
    print("✅ Sequential works")

if __name__ == "__main__":
    test_unit_sequential()

# %% [markdown]
"""
## Systems Analysis: Memory

A Linear layer stores `in * out + out` numbers. A 784→256 layer therefore holds about
200,000 parameters, or 0.8 MB in float32. Parameter memory depends only on the
architecture, while activation memory grows with the batch size.
"""

# %%
def analyze_parameter_memory():
    """📊 Count parameters and bytes for a few model shapes."""
    for sizes in ((784, 128, 10), (784, 512, 512, 10), (1024, 4096, 1024)):
        layers = [Linear(a, b, seed=0) for a, b in zip(sizes, sizes[1:])]
        count = sum(p.size for layer in layers for p in layer.parameters())
        print(f"{sizes}: {count:,} parameters, {count * 4 / 1e6:.2f} MB")

if __name__ == "__main__":
    analyze_parameter_memory()

# %% [markdown]
"""
## Systems Analysis: Performance

The forward pass of a Linear layer costs about `batch * in * out` multiply-adds, so it is
the same matmul scaling you timed in Module 01. Larger batches use the hardware better,
because the weights are loaded once and reused for every row.
"""

# %% [markdown]
"""
## Production Context

Production libraries use the same Linear and Sequential ideas but register parameters
automatically, move them between devices, and choose initialisation schemes such as
Kaiming or Xavier per activation. Seeding the generator, as we do, is how teams make
training runs reproducible for debugging.
"""

# %% nbgrader={"grade": true, "grade_id": "test-layers-module", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_module():
    """🧪 Build a two-layer network with an activation and run a batch."""
    from tinynn.core.activations import ReLU
    model = Sequential(Linear(4, 8, seed=0), ReLU(), Linear(8, 3, seed=1))
    out = model(Tensor(np.random.default_rng(3).standard_normal((5, 4))))
    assert out.shape == (5, 3)
    assert np.all(np.isfinite(out.data))
    assert sum(p.size for p in model.parameters()) == 4 * 8 + 8 + 8 * 3 + 3
    print("🎉 Module 03 layers: all tests passed")

if __name__ == "__main__":
    test_module()

# %% [markdown]
"""
## Reflection Questions

1. How many parameters does a 1000→1000 Linear layer have, and how much memory in float32?
2. What would happen to the scale of outputs if weights were drawn from [-1, 1] for a layer
   with 10,000 inputs?
3. Why does Sequential check `hasattr(layer, "parameters")` instead of requiring it?
"""

# %% [markdown]
"""
## Module Summary

You built a seeded, fan-in scaled Linear layer and a Sequential container, and counted the
memory their parameters take. Module 04 adds the loss functions that score a network's
predictions.
"""
