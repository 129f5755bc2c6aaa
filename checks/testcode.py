"""What a test's own code does that keeps it from failing: a verdict returned to pytest, which
ignores it; an assert of a constant; a handler that swallows the very failure it should report.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

# what a handler catches that a missing or wrong implementation raises, in words
_MEANS = {
    "*": "any error", "BaseException": "any error", "Exception": "any error",
    "AssertionError": "a failed assert", "ImportError": "a missing module",
    "ModuleNotFoundError": "a missing module", "NotImplementedError": "an unimplemented part",
    "AttributeError": "a missing attribute", "NameError": "a missing name",
}
_CATCHES_ASSERT = {"*", "BaseException", "Exception", "AssertionError"}
_CATCHES_FAIL = {"*", "BaseException"}  # pytest.fail raises an exception outside Exception
_FAIL = {"fail", "skip", "skipTest", "xfail", "importorskip", "exit"}
_ACTIONS: dict[type[ast.stmt], str] = {
    ast.Pass: "passes", ast.Continue: "continues", ast.Break: "leaves the loop",
    ast.Return: "returns", ast.Assert: "asserts a constant"}
_QUIET = {"print", "print_exc", "warn", "warning", "info", "debug", "log"}


@dataclass(frozen=True)
class Unfailing:
    """A place in a test that keeps the test from failing: `test` names it (`test_x()` or a
    graded cell), `what` says what it does in words that follow the name; `kind` is
    "handler", "assert" or "return"."""

    line: int
    test: str
    what: str
    kind: str


def unfailing_places(body: list[ast.stmt], test: str, verdict_returned: bool) -> list[Unfailing]:
    """The places in a test's statements (nested functions and classes aside) that keep it
    from failing; `verdict_returned` when pytest runs it, so a returned False is ignored."""
    found, swallowed = [], []
    for handler, caught in _swallowing(body):
        swallowed.append((handler.lineno, handler.end_lineno or handler.lineno))
        shown = f"`{ast.unparse(handler.type)}`" if handler.type else "a bare `except:`"
        found.append(Unfailing(handler.lineno, test, (
            f"catches {shown} and only {_actions(handler.body)}, so {_MEANS[caught]} passes "
            "the test"), "handler"))
    for node, block in _statements(body):
        if any(start <= node.lineno <= end for start, end in swallowed):
            continue
        # after other work, reaching `assert True` already means that work passed; a branch
        # that holds nothing else is where a check should have been. Any other constant or
        # literal (`assert (x, "why")`) is a check written wrong, wherever it stands.
        if isinstance(node, ast.Assert) and _always_true(node.test) and (
                not _is_true(node.test) or (block and _vacuous(block))):
            found.append(Unfailing(node.lineno, test, (
                f"asserts `{_short(node.test)}`, which never fails"), "assert"))
        elif verdict_returned and isinstance(node, ast.Return) and _false(node.value):
            found.append(Unfailing(node.lineno, test, (
                "returns False, which pytest ignores: the test passes"), "return"))
    return sorted(found, key=lambda place: place.line)


def _statements(body: list[ast.stmt], branch: bool = False
                ) -> Iterator[tuple[ast.stmt, list[ast.stmt] | None]]:
    """Every statement of `body`, blocks included, each with its block when that is a branch
    of an `if` or a `match` (the handlers' own rule judges except blocks); a nested function
    or class runs only if called, so its body is not the test's. In source order, from a
    stack of blocks (nested generators would cost a frame per level for every statement)."""
    todo: list[tuple[Iterator[ast.stmt], list[ast.stmt], bool]] = [(iter(body), body, branch)]
    while todo:
        nodes, block, in_branch = todo[-1]
        node = next(nodes, None)
        if node is None:
            todo.pop()
            continue
        yield node, block if in_branch else None
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) or not (
                hasattr(node, "body") or hasattr(node, "cases")):
            continue  # a simple statement (most of them) holds no block
        inner = in_branch or isinstance(node, ast.If)
        blocks = [(getattr(node, name, []), inner) for name in ("body", "orelse", "finalbody")]
        blocks += [(handler.body, False) for handler in getattr(node, "handlers", [])]
        blocks += [(case.body, True) for case in getattr(node, "cases", [])]
        todo += [(iter(inner_block), inner_block, flag)
                 for inner_block, flag in reversed(blocks) if inner_block]


def _vacuous(block: list[ast.stmt]) -> bool:
    """Whether a block only asserts constants, passes or prints."""
    return all(isinstance(node, ast.Pass) or (isinstance(node, ast.Assert) and _always_true(
        node.test)) or (isinstance(node, ast.Expr) and (isinstance(node.value, ast.Constant) or (
            isinstance(node.value, ast.Call) and _last_name(node.value.func) in _QUIET)))
        for node in block)


def _all(body: list[ast.stmt]) -> list[ast.stmt]:
    return [node for node, _ in _statements(body)]


def _swallowing(body: list[ast.stmt]) -> Iterator[tuple[ast.ExceptHandler, str]]:
    """The handlers that catch what a broken implementation raises and neither fail, skip nor
    record it, each with the kind of failure it swallows."""
    for node in _all(body):
        if not isinstance(node, ast.Try | ast.TryStar):
            continue
        expects = _expected_raise(node)
        checks = any(isinstance(inner, ast.Assert) and not _always_true(inner.test)
                     for inner in _all(node.body))
        imports_only = all(isinstance(inner, ast.Import | ast.ImportFrom) for inner in node.body)
        for handler in node.handlers:
            caught = _caught(handler.type)
            if not checks:  # then an AssertionError comes from the code under test, expected
                caught.discard("AssertionError")
            meant = next((name for name in _MEANS if name in caught), None)
            if meant is None or _signals(handler.body) or not _only_carries_on(handler, body):
                continue
            if expects == "else" or (expects == "assert" and not caught & _CATCHES_ASSERT) or (
                    expects == "fail" and not caught & _CATCHES_FAIL):
                continue  # the expected-raise idiom: the handler is the success path
            if imports_only and not _gives_up(handler.body):
                continue  # an optional import: the test goes on, and fails if it needs it
            yield handler, meant


def _gives_up(body: list[ast.stmt]) -> bool:
    """Whether a handler ends the test's work: it returns, leaves the loop or asserts True."""
    return any(isinstance(node, ast.Return | ast.Continue | ast.Break | ast.Assert)
               for node in body)


def _caught(kind: ast.expr | None) -> set[str]:
    if kind is None:
        return {"*"}
    parts = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return {_last_name(part) for part in parts}


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _expected_raise(node: ast.Try | ast.TryStar) -> str | None:
    """How a try statement says "this should have raised": a `fail(...)` call (pytest's or the
    course's own), which only a bare or BaseException handler catches, else an `assert False`
    or a raise; after the call under test, or in the `else:` block, where no handler catches
    it. None when it says neither: an assert of a condition is a check, not the idiom."""
    if any(_unconditional_failure(statement) for statement in node.orelse):
        return "else"
    failures = [statement for statement in node.body if _unconditional_failure(statement)]
    if any(_fail_call(statement) for statement in failures):
        return "fail"
    return "assert" if failures else None


def _unconditional_failure(node: ast.stmt) -> bool:
    if isinstance(node, ast.Assert):
        return isinstance(node.test, ast.Constant) and not node.test.value
    return isinstance(node, ast.Raise) or (isinstance(node, ast.Expr) and _fail_call(node))


def _signals(body: list[ast.stmt]) -> bool:
    """Whether a handler fails, skips or re-raises: a raise, an assert that can fail, or a
    call of fail/skip/xfail (pytest's or the course's own)."""
    for node in _all(body):
        if isinstance(node, ast.Raise) or _fail_call(node):
            return True
        if isinstance(node, ast.Assert) and not _always_true(node.test):
            return True
    return False


def _fail_call(node: ast.stmt) -> bool:
    return any(isinstance(inner, ast.Call) and _last_name(inner.func) in _FAIL
               for inner in ast.walk(node))


def _only_carries_on(handler: ast.ExceptHandler, test: list[ast.stmt]) -> bool:
    """Whether the handler only passes, prints, continues, returns or assigns names the test
    never uses elsewhere (a flag the test reads later is its verdict)."""
    for node in handler.body:
        if isinstance(node, ast.Pass | ast.Continue | ast.Break | ast.Return | ast.Assert
                      | ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Expr) and (isinstance(node.value, ast.Constant) or (
                isinstance(node.value, ast.Call) and _last_name(node.value.func) in _QUIET)):
            continue
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            uses, inside = _name_uses(test), _name_uses([handler])
            if all(isinstance(t, ast.Name) and uses[t.id] == inside[t.id] for t in targets):
                continue
        return False
    return True


def _name_uses(body: list[ast.stmt] | list[ast.ExceptHandler]) -> dict[str, int]:
    """How often each name occurs (read or written) in `body`."""
    counts: dict[str, int] = {}
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name):
                counts[node.id] = counts.get(node.id, 0) + 1
    return counts


def _actions(body: list[ast.stmt]) -> str:
    """What a handler does, in words: `prints and returns`."""
    words: list[str] = []
    for node in body:
        if isinstance(node, ast.Expr):
            word = "prints" if isinstance(node.value, ast.Call) else ""
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            word = "assigns"
        else:
            word = _ACTIONS.get(type(node), "")
        if word and word not in words:
            words.append(word)
    return " and ".join(words) or "passes"


def _always_true(test: ast.expr) -> bool:
    """A constant that is truthy, or a literal that is never empty (`assert (x, "why")`)."""
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, ast.Tuple | ast.List | ast.Set):
        return bool(test.elts)
    if isinstance(test, ast.Dict):
        return bool(test.keys)
    if isinstance(test, ast.JoinedStr):
        return any(isinstance(part, ast.Constant) and part.value for part in test.values)
    return False


def _is_true(test: ast.expr) -> bool:
    """`True` (or `1`): what a test asserts to say "reaching here is passing"."""
    return isinstance(test, ast.Constant) and test.value is True or (
        isinstance(test, ast.Constant) and type(test.value) is int and test.value == 1)


def _false(value: ast.expr | None) -> bool:
    """`False`, or a tuple that starts with it (`return False, "why"`)."""
    if isinstance(value, ast.Tuple) and value.elts:
        value = value.elts[0]
    return isinstance(value, ast.Constant) and value.value is False


def _short(node: ast.expr, limit: int = 40) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[:limit - 1] + "…"
