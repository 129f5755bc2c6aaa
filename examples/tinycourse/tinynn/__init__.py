"""tinynn: the package learners build in the tinycourse example course."""

__version__ = "0.1.0"

from .core import activations, layers, losses, tensor
from .core.activations import ReLU, Sigmoid, Softmax, Tanh
from .core.layers import Linear, Sequential
from .core.losses import CrossEntropyLoss, MSELoss
from .core.tensor import Tensor

__all__ = [
    "Tensor", "ReLU", "Sigmoid", "Tanh", "Softmax", "Linear", "Sequential",
    "MSELoss", "CrossEntropyLoss", "tensor", "activations", "layers", "losses",
]
