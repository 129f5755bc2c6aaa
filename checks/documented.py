"""What a course's documentation shows learners to type and run: the command lines that call
its own console scripts, and the Python snippets that import its package, each at its line.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field, replace

from tinyrelease.checks.course import BOOK_DIRS, Course
from tinyrelease.checks.markdown import CodeBlock, code_in_markdown

SHELL_LANGUAGES = ("", "bash", "sh", "shell", "console", "zsh", "shell-session")
PYTHON_LANGUAGES = ("python", "py", "python3", "pycon", "ipython", "ipython3")
SKIP_COMMENT = re.compile(r"<!--\s*tinyrelease:\s*skip\s*-->")
SKIP_LINE = re.compile(r"^\s*#\s*tinyrelease:\s*skip\b")
# what a reader must fill in: `<module>`, `NN`, `...`, `[--flag]`, `{name}`, `$VAR`, `MODULE`
_PLACEHOLDER = re.compile(r"<[A-Za-z_][^<>]*>|\.\.\.|…|\$|\[[^\]]*\]|\{[^}]*\}"
                          r"|^(?:[A-Z][A-Z0-9_]*[A-Z]|N|X)$|(?<![A-Za-z])(?:NN|XX)(?![a-z])"
                          r"|^(?:your|my)[-_][A-Za-z_-]+$")
# arrows, ticks and box drawing: a diagram or an output line that happens to start with the
# script's name, not a command
_NOT_SHELL = re.compile(r"[→←↑↓⇒✓✔✅❌│┃├└┌┐┘━─•⏱]")
_COLUMNS = re.compile(r"\S {3,}[^\s#]")  # a table row of output: words set in columns
_CONTROL = {"&&", "||", ";", "|", "&", "|&", ";;", "(", ")"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_MAGIC = re.compile(r"^\s*[%!]")  # IPython magics and shell escapes of notebook snippets
_SKIPPED_DIRS = ("_build", "node_modules")


@dataclass(frozen=True)
class DocumentedCommand:
    """A command line of the documentation that calls one of the course's console scripts."""

    path: str
    line: int
    script: str
    argv: tuple[str, ...]  # without the script's name
    inline: bool = False   # written in prose (`tito module complete`), not in a code block

    @property
    def text(self) -> str:
        return shlex.join((self.script, *self.argv))


@dataclass(frozen=True)
class Snippet:
    """A Python code block that imports the course package; `lines[i]` is the line of the
    Markdown file that line `i + 1` of `code` was written on."""

    path: str
    line: int
    code: str
    lines: tuple[int, ...]

    def line_of(self, snippet_line: int | None) -> int:
        if snippet_line is not None and 1 <= snippet_line <= len(self.lines):
            return self.lines[snippet_line - 1]
        return self.line


@dataclass
class Documented:
    """Everything the documentation shows, and what was left out (and why)."""

    pages: list[str] = field(default_factory=list)
    commands: list[DocumentedCommand] = field(default_factory=list)
    snippets: list[Snippet] = field(default_factory=list)
    placeholders: int = 0  # command lines with something to fill in: not checked
    opted_out: int = 0     # commands and snippets marked `tinyrelease: skip`
    fragments: int = 0     # Python blocks that do not import the package: not run


def documentation_pages(course: Course) -> list[str]:
    """The README, each module's ABOUT.md and every Markdown page of the book folder."""
    pages = ["README.md", *(m.about_path for m in course.modules)]
    configured = course.config.raw.get("book_dir")
    folders = [configured] if isinstance(configured, str) and configured else list(BOOK_DIRS)
    for folder in folders:
        pages += [rel for rel in course.files.walk(folder.strip("/"), ".md", "testing")
                  if not any(part.startswith(".") or part in _SKIPPED_DIRS
                             for part in rel.split("/"))]
    return [p for p in dict.fromkeys(pages) if course.files.exists(p)]


def documented(course: Course, scripts: list[str], package: str | None) -> Documented:
    """The commands of `scripts` and the snippets importing `package` in the course's pages."""
    found = Documented(documentation_pages(course))
    for rel in found.pages:
        text = course.files.read(rel, "testing")
        if text is not None:
            read_page(text, rel, scripts, package, found)
    return found


def read_page(text: str, path: str, scripts: list[str], package: str | None,
              found: Documented) -> None:
    """Add the commands and snippets of one Markdown page to `found`."""
    blocks, spans = code_in_markdown(text)
    for block in blocks:
        opted_out = any(SKIP_COMMENT.search(c) for c in block.comments) or bool(
            block.lines and SKIP_LINE.match(block.lines[0]))
        if block.language in SHELL_LANGUAGES and scripts:
            commands = list(_block_commands(block, path, scripts, found))
            found.opted_out += len(commands) if opted_out else 0
            found.commands += [] if opted_out else commands
        elif block.language in PYTHON_LANGUAGES and package:
            snippet = _snippet(block, path)
            if snippet is None or not _imports(snippet.code, package):
                found.fragments += 1
            elif opted_out:
                found.opted_out += 1
            else:
                found.snippets.append(snippet)
    for span in spans:  # inline code naming the script alone is about it, not a command
        text = span.text.strip().removeprefix("$ ")
        if scripts and text.split(" ")[0] in scripts and " " in text:
            found.commands += [replace(c, inline=True) for c in
                               _line_commands(text, path, span.line, scripts, found)]


def _block_commands(block: CodeBlock, path: str, scripts: list[str], found: Documented
                    ) -> list[DocumentedCommand]:
    """The commands of a shell block; in a block with `$ ` prompts only the prompted lines
    are commands (the others are their output). A trailing backslash continues a line."""
    prompted = any(line.lstrip().startswith("$ ") for line in block.lines)
    commands: list[DocumentedCommand] = []
    pending, start = "", 0
    for index, raw in enumerate(block.lines):
        line = raw.strip()
        if not pending:
            start = block.first + index
            if prompted and not line.startswith("$ "):
                continue
            if not block.language and _COLUMNS.search(line.split(" #")[0]):
                continue
            line = line.removeprefix("$ ")
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        commands += _line_commands(pending + line, path, start, scripts, found)
        pending = ""
    return commands


def _line_commands(line: str, path: str, number: int, scripts: list[str],
                   found: Documented) -> list[DocumentedCommand]:
    """The calls of `scripts` in one shell line: it is split as the shell would split words,
    each command ending at a pipe, `&&`, `;` or a redirection; nothing is substituted."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError:  # an unclosed quote: not a command a shell would run either
        return []
    commands: list[list[str]] = []
    command: list[str] = []
    cut = False
    for word in [*words, ";"]:
        if word in _CONTROL:
            while command and _ASSIGNMENT.match(command[0]):
                command.pop(0)
            if command and command[0] in scripts:
                commands.append(command)
            command, cut = [], False
        elif set(word) <= set("<>&|") or cut:  # a redirection ends the command's words
            if not cut and command and command[-1].isdigit():
                command.pop()  # the `2` of `2>&1`
            cut = True
        else:
            command.append(word)
    # `<module>` reads as two redirections to the shell: looked for in the plain words
    angled = any(re.search(r"<[A-Za-z_][^<>]*>", word) for word in _plain_words(line))
    found_commands = []
    for words in commands:
        if any(_NOT_SHELL.search(word) for word in words):
            continue
        if angled or any(_PLACEHOLDER.search(word) for word in words[1:]):
            found.placeholders += 1
        else:
            found_commands.append(DocumentedCommand(path, number, words[0], tuple(words[1:])))
    return found_commands


def _plain_words(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=True)
    except ValueError:
        return []


def _snippet(block: CodeBlock, path: str) -> Snippet | None:
    """The code of a Python block with the line of each of its lines: `>>>` examples keep
    their statements (not their expected output), `{code-cell}` options are dropped, and
    notebook magics become blank lines."""
    lines = list(block.lines)
    numbers = [block.first + i for i in range(len(lines))]
    if lines and lines[0].strip() == "---":  # a code-cell's YAML options
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        lines, numbers = (lines[end + 1:], numbers[end + 1:]) if end else (lines, numbers)
    while lines and re.match(r"^:[\w-]+:", lines[0]):  # a code-cell's `:tags:` options
        lines, numbers = lines[1:], numbers[1:]
    if any(line.lstrip().startswith(">>>") for line in lines):
        kept = [(line.lstrip()[4:], n) for line, n in zip(lines, numbers, strict=True)
                if line.lstrip().startswith((">>>", "..."))]
        lines, numbers = [k[0] for k in kept], [k[1] for k in kept]
    lines = ["" if _MAGIC.match(line) else line for line in lines]
    if any(line.lstrip().startswith("```") for line in lines):
        return None  # a fence inside: a page showing Markdown, or a block closed too late
    if not any(line.strip() for line in lines):
        return None
    return Snippet(path, block.line, "\n".join(lines) + "\n", tuple(numbers))


def _imports(code: str, package: str) -> bool:
    name = re.escape(package)
    return re.search(rf"^\s*(?:from\s+{name}(?:\.[\w.]+)?\s+import\b|import\s+{name}\b)", code,
                     re.MULTILINE) is not None
