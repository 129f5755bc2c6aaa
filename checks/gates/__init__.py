"""The checks of the six gates, one module each; importing this package declares them all."""

from tinyrelease.checks.gates import (  # noqa: F401
    anatomy,
    assignments,
    documentation,
    educational,
    exercises,
    implementation,
    leaks,
    nbgrader,
    package,
    systems,
    testing,
    testing_patterns,
)
