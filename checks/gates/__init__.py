"""The checks of the six gates, one module each; importing this package declares them all."""

from checks.gates import (  # noqa: F401
    anatomy,
    documentation,
    educational,
    exercises,
    implementation,
    nbgrader,
    package,
    systems,
    testing,
    testing_patterns,
)
