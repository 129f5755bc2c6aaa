"""The execution gates: export the course, run its test suites, build and install its package.

Nothing here writes into the course: every run works in a temporary copy (a `Workspace`).
"""
