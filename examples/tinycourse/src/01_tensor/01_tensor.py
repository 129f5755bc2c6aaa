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
# Module 01: Tensor - The Container Every Other Module Builds On

A neural network is, underneath all the vocabulary, a pipeline of array arithmetic.
In this module you write `Tensor`, a thin class around a numpy array that gives the
rest of the course one shared type to pass between layers, activations and losses.

Code exports to `tinynn.core.tensor`, so later modules can write
`from tinynn.core.tensor import Tensor` and get exactly what you build here.
"""

# %%
#| default_exp core.tensor

# %% [markdown]
"""
## Learning Objectives

1. Wrap a numpy array in a Tensor class that exposes its data, shape and dtype.
2. Implement element-wise addition and multiplication with scalar and array broadcasting.
3. Implement matrix multiplication and explain when two shapes are compatible.
4. Use reshape and sum to change a tensor's layout and reduce it along an axis.
5. Estimate how much memory a tensor occupies from its shape and dtype.
"""

# %%
#| export
import numpy as np

# %% [markdown]
"""
## Building the Tensor

We store everything as `float32` by default. That is the precision most training code
uses, and it halves memory compared with numpy's default `float64`. Every operation
returns a *new* Tensor instead of changing the old one, which keeps the behaviour easy
to reason about: an expression like `a + b` never surprises you by editing `a`.

Operations accept either another Tensor or anything numpy can turn into an array, so
`t + 1` and `t * np.ones(3)` both work through numpy broadcasting.
"""

# %% nbgrader={"grade": false, "grade_id": "tensor-class", "locked": false, "schema_version": 3, "solution": true}
#| export
def _as_array(value):
    """Return the numpy array behind a Tensor, or convert a plain value."""
    ### BEGIN SOLUTION
    if isinstance(value, Tensor):
        return value.data
    return np.asarray(value, dtype=np.float32)
    ### END SOLUTION


class Tensor:
    """A small n-dimensional array with the arithmetic a network needs."""

    def __init__(self, data, dtype=np.float32):
        ### BEGIN SOLUTION
        self.data = np.array(data, dtype=dtype)
        ### END SOLUTION

    @property
    def shape(self):
        return self.data.shape

    @property
    def size(self):
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

    def numpy(self):
        """Return the underlying numpy array."""
        return self.data

    def __repr__(self):
        return f"Tensor({self.data.tolist()}, shape={self.shape})"

# %% nbgrader={"grade": false, "grade_id": "tensor-arithmetic", "locked": false, "schema_version": 3, "solution": true}
#| export
def _tensor_add(self, other):
    """Element-wise sum with broadcasting."""
    ### BEGIN SOLUTION
    return Tensor(self.data + _as_array(other))
    ### END SOLUTION

def _tensor_sub(self, other):
    """Element-wise difference with broadcasting."""
    ### BEGIN SOLUTION
    return Tensor(self.data - _as_array(other))
    ### END SOLUTION

def _tensor_mul(self, other):
    """Element-wise product with broadcasting."""
    ### BEGIN SOLUTION
    return Tensor(self.data * _as_array(other))
    ### END SOLUTION

def _tensor_matmul(self, other):
    """Matrix product; inner dimensions must agree."""
    ### BEGIN SOLUTION
    other_data = _as_array(other)
    if self.data.shape[-1] != other_data.shape[0]:
        raise ValueError(f"cannot matmul shapes {self.shape} and {other_data.shape}")
    return Tensor(self.data @ other_data)
    ### END SOLUTION

Tensor.add = Tensor.__add__ = Tensor.__radd__ = _tensor_add
Tensor.sub = Tensor.__sub__ = _tensor_sub
Tensor.mul = Tensor.__mul__ = Tensor.__rmul__ = _tensor_mul
Tensor.matmul = Tensor.__matmul__ = _tensor_matmul

# %% nbgrader={"grade": false, "grade_id": "tensor-shape-ops", "locked": false, "schema_version": 3, "solution": true}
#| export
def _tensor_reshape(self, *shape):
    """Same values, new shape; accepts reshape(2, 3) or reshape((2, 3))."""
    ### BEGIN SOLUTION
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return Tensor(self.data.reshape(shape))
    ### END SOLUTION

def _tensor_sum(self, axis=None, keepdims=False):
    """Sum over all elements, or along one axis."""
    ### BEGIN SOLUTION
    return Tensor(self.data.sum(axis=axis, keepdims=keepdims))
    ### END SOLUTION

def _tensor_mean(self, axis=None, keepdims=False):
    """Average over all elements, or along one axis."""
    ### BEGIN SOLUTION
    return Tensor(self.data.mean(axis=axis, keepdims=keepdims))
    ### END SOLUTION

Tensor.reshape = _tensor_reshape
Tensor.sum = _tensor_sum
Tensor.mean = _tensor_mean

# %% [markdown]
"""
## Unit Tests

Each test below checks one behaviour in isolation, so a failure points straight at the
method that needs attention. Run the file and read the ✅ lines as you go.
"""

# %% nbgrader={"grade": true, "grade_id": "test-tensor-creation", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_tensor_creation():
    """🔬 Tensor stores float32 data and reports its shape."""
    t = Tensor([[1, 2, 3], [4, 5, 6]])
    assert t.shape == (2, 3)
    assert t.size == 6
    assert t.dtype == np.float32
    assert "shape=(2, 3)" in repr(t)
    print("✅ tensor creation works")

if __name__ == "__main__":
    test_unit_tensor_creation()

# %% nbgrader={"grade": true, "grade_id": "test-tensor-arithmetic", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_tensor_arithmetic():
    """🔬 add, sub, mul and matmul give numpy's answers."""
    a = Tensor([[1, 2], [3, 4]])
    b = Tensor([[5, 6], [7, 8]])
    assert np.allclose((a + b).data, [[6, 8], [10, 12]])
    assert np.allclose((b - a).data, [[4, 4], [4, 4]])
    assert np.allclose((a * 2).data, [[2, 4], [6, 8]])
    assert np.allclose((a @ b).data, [[19, 22], [43, 50]])
    try:
        a.matmul(Tensor([1, 2, 3]))
        raise AssertionError("mismatched matmul should fail")
    except ValueError:
        pass
    print("✅ tensor arithmetic works")

if __name__ == "__main__":
    test_unit_tensor_arithmetic()

# %% nbgrader={"grade": true, "grade_id": "test-tensor-shape-ops", "locked": true, "points": 5, "schema_version": 3, "solution": false}
def test_unit_tensor_shape_ops():
    """🔬 reshape, sum and mean change layout and reduce correctly."""
    t = Tensor(np.arange(6))
    assert t.reshape(2, 3).shape == (2, 3)
    assert t.reshape((3, 2)).shape == (3, 2)
    assert float(t.sum().data) == 15.0
    assert np.allclose(t.reshape(2, 3).sum(axis=0).data, [3, 5, 7])
    assert float(t.mean().data) == 2.5
    print("✅ tensor shape operations work")

if __name__ == "__main__":
    test_unit_tensor_shape_ops()

# %% [markdown]
"""
## Systems Analysis: Memory

A tensor's memory is simply its element count times the bytes per element. A 1000x1000
float32 matrix takes 4 MB, the same matrix in float64 takes 8 MB, and because every
operation here returns a new Tensor, a chain of five operations briefly holds five copies.
"""

# %%
def analyze_tensor_memory():
    """📊 Print the memory footprint of square tensors at two precisions."""
    for n in (10, 100, 1000):
        small = Tensor(np.zeros((n, n)))
        large = Tensor(np.zeros((n, n)), dtype=np.float64)
        print(f"{n}x{n}: float32 {small.data.nbytes / 1e6:.3f} MB, "
              f"float64 {large.data.nbytes / 1e6:.3f} MB")

if __name__ == "__main__":
    analyze_tensor_memory()

# %% [markdown]
"""
## Systems Analysis: Performance

Element-wise operations touch each number once, so their cost grows with n², while a
matrix product of two n×n matrices needs about n³ multiply-adds. Doubling n therefore makes
matmul roughly eight times slower, which is why matmul dominates the run time of networks.
"""

# %%
def analyze_matmul_scaling():
    """📊 Time matmul at growing sizes to see its cubic cost."""
    import time
    for n in (64, 128, 256):
        a = Tensor(np.ones((n, n)))
        start = time.perf_counter()
        a @ a
        print(f"matmul {n}x{n}: {(time.perf_counter() - start) * 1e3:.2f} ms")

if __name__ == "__main__":
    analyze_matmul_scaling()

# %% [markdown]
"""
## Production Context

Production frameworks keep the same idea - a typed, shaped buffer - but add device
placement (CPU or GPU), strides so that reshape and transpose can share memory without
copying, and gradient tracking. Our Tensor copies on every operation, which is simple and
safe but would waste memory bandwidth at real model sizes.
"""

# %% nbgrader={"grade": true, "grade_id": "test-tensor-module", "locked": true, "points": 10, "schema_version": 3, "solution": false}
def test_module():
    """🧪 Combine the Tensor operations the way a linear layer will."""
    x = Tensor(np.ones((4, 3)))
    w = Tensor(np.full((3, 2), 0.5))
    b = Tensor([1.0, -1.0])
    y = x @ w + b
    assert y.shape == (4, 2)
    assert np.allclose(y.data, [[2.5, 0.5]] * 4)
    assert float(y.reshape(8).sum().data) == 12.0
    print("🎉 Module 01 tensor: all tests passed")

if __name__ == "__main__":
    test_module()

# %% [markdown]
"""
## Reflection Questions

1. Our operations always allocate a new Tensor. Which operations could safely reuse
   memory, and what bugs might in-place updates introduce?
2. If a matmul of 1000x1000 matrices takes 10 ms, roughly how long would 2000x2000 take,
   and why?
3. Why might a framework choose float32 over float64 even though it is less precise?
"""

# %% [markdown]
"""
## Module Summary

You built a Tensor that stores float32 data, supports broadcasting arithmetic, matrix
multiplication, reshaping and reductions, and you measured how its memory and matmul cost
grow with size. Next, the activations module uses this Tensor to add non-linearity.
"""
