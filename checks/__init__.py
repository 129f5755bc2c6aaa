"""tinyrelease's validators: the course model, the checks of the six gates and their reports.

`checks.course.load_course` parses a course once; `checks.engine.run_gates` judges it.
"""

__version__ = "0.1.0"
