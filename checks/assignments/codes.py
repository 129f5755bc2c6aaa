"""The findings of the implementation gate's execution part (the student release), declared so
that the check reference, the SARIF rules and `--explain` describe them like the static checks.
"""

from tinyrelease.checks.registry import declare_execution

declare_execution("IMP201", "nbgrader releases every module", """
    nbgrader's `generate_assignment` refused a module (a solution region outside a solution
    cell, a nested or unclosed region, metadata it rejects), or the source could not be turned
    into notebook cells. The finding names nbgrader's reason and, when nbgrader quoted it, the
    cell.

    Why: a module nbgrader refuses has no student notebook; the release would ship without it.
    Fix: fix the cell named (the static checks IMP141-IMP153 usually name the cause too), then
    `nox -s assignments`.
    """)
declare_execution("IMP202", "The instructor notebook runs top to bottom", """
    The module's notebook, as written, does not run top to bottom in a fresh kernel as
    `__main__`, with only the modules before it exported into the package, within the time
    limit (`[tool.tinyrelease.assignments] timeout`, 300 s by default). The finding names the
    first cell that fails, and its error.

    Why: students run the notebook cell by cell; a cell that calls code defined further down,
    or that needs a later module's code, stops them although every test of the module passes
    when the whole course is exported.
    Fix: move the definition above its first use, or import only what earlier modules export.
    """, folds=False)
declare_execution("IMP203", "Graded tests pass on the instructor version", """
    A graded test cell raises when the instructor notebook runs: the reference solution fails
    its own test.

    Why: a test the solution fails grades every student wrong.
    Fix: fix the solution or the test named.
    """, folds=False)
declare_execution("IMP204", "A blank notebook earns no points", """
    A graded test cell passes in the student notebook when no exercise was done (what
    `nbgrader validate --invert` looks for): the test asserts only shapes or configuration,
    catches its own failure, or only defines a test function and never calls it. The finding
    names each such test and its points, and the module's points a blank notebook earns; the
    course's total is reported once (information) and in the gate's artifacts.

    Why: nbgrader's autograder awards those points to every student, whatever they wrote.
    Fix: make the test exercise the student's code (call the function it defines, check values
    the stub cannot produce).
    """, folds=False)
declare_execution("IMP205", "The student notebook runs up to its exercises", """
    A cell that is neither an exercise (a solution cell) nor a graded test raises in the blank
    student notebook: it calls student code before an exercise still to come (Run All stops
    there, with `NotImplementedError`), or it fails for a reason students cannot fix by doing
    the exercises (code the release removed, a name only a stubbed cell defined).

    Why: the student notebook stops before the exercises and students cannot go on.
    Fix: move the call below the exercise it needs, guard it, or mark the code that is not an
    exercise so the release keeps it (a `scaffold` role, or `"solution": false`).
    """, folds=False)
declare_execution("IMP206", "No solution text survives in the student version", """
    The student notebook still holds text that nbgrader should have removed: lines of a
    cleared solution region or of a hidden test in their own cell, or a marker line.

    Why: the solution, or the hidden test, ships to students.
    Fix: spell the markers exactly (IMP172) and keep each region inside one solution cell.
    """)
