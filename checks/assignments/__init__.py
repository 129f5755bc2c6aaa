"""The student release: every module's source becomes an nbgrader assignment (`python -m
checks.assignments`, `nox -s assignments`), and the implementation gate proves it a fair exercise.
"""
