"""The Markdown and YAML a course writes: front matter with key lines, headings, links.

Parsing never raises: malformed YAML becomes a `YamlError` with the line it was found on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

# Possessive quantifiers and the trailing `#`s stripped in code keep every pattern linear: a
# backtracking `(.*?)\s*#*\s*$` takes minutes on a line of a few thousand spaces.
_HTML_SRC = re.compile(r"<(img|a)\b[^<>]*?\b(?:src|href)=[\"']([^\"']+)[\"']",
                       re.IGNORECASE)
MAX_YAML_DEPTH = 100
MAX_YAML_VALUES = 100_000


@dataclass(frozen=True)
class YamlError:
    line: int
    message: str


@dataclass
class YamlDocument:
    """A parsed YAML mapping with the line of each top-level key and of each list item."""

    data: Any = None
    key_lines: dict[str, int] = field(default_factory=dict)
    item_lines: dict[str, list[int]] = field(default_factory=dict)
    error: YamlError | None = None

    def line_of(self, key: str, index: int | None = None) -> int | None:
        if index is not None and index < len(self.item_lines.get(key, [])):
            return self.item_lines[key][index]
        return self.key_lines.get(key)


def parse_yaml(text: str, first_line: int = 1) -> YamlDocument:
    """Parse YAML whose first line is `first_line` of its file; errors become `YamlError`."""
    import yaml  # here: a run whose parsed files all come from the cache never needs it

    loader = _loader()(text)
    try:
        _refuse_deep_nesting(text)
        node = loader.get_single_node()
        if node is not None and "&" in text:
            _refuse_alias_expansion(node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = error.problem or error.context or "invalid YAML"
        return YamlDocument(error=YamlError(line, f"invalid YAML: {problem}"))
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, OverflowError) as error:
        return YamlDocument(error=YamlError(first_line, f"invalid YAML: {error}"))
    finally:
        loader.dispose()
    document = YamlDocument(data=data)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value)
            document.key_lines.setdefault(name, first_line + key.start_mark.line)
            if isinstance(value, yaml.SequenceNode):
                document.item_lines[name] = [first_line + item.start_mark.line
                                             for item in value.value]
    return document


def _loader() -> type:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_deep_nesting(text: str) -> None:
    """libyaml's composer recurses in C: a few thousand `[` would crash the interpreter, so
    nesting is measured on the event stream first (only when the text could nest that deep)."""
    import yaml

    if sum(text.count(opener) for opener in "[{-?:") <= MAX_YAML_DEPTH:
        return
    if (line := _deep_flow_line(text)) is not None:  # libyaml's scanner has its own limit
        mark = yaml.Mark("<front matter>", 0, line, 0, "", 0)
        raise yaml.MarkedYAMLError(problem=f"nested deeper than {MAX_YAML_DEPTH} levels",
                                   problem_mark=mark)
    depth = 0
    for event in yaml.parse(text, Loader=_loader()):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise yaml.MarkedYAMLError(problem=f"nested deeper than {MAX_YAML_DEPTH} levels",
                                           problem_mark=event.start_mark)  # type: ignore[arg-type]
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _deep_flow_line(text: str) -> int | None:
    """The 0-based line where `[` / `{` outside quotes and comments nest past the limit."""
    depth, quote, line = 0, "", 0
    for index, char in enumerate(text):
        if char == "\n":
            line += 1
            quote = "" if quote == "#" else quote
        elif quote:
            quote = "" if char == quote and quote != "#" else quote
        elif char in "\"'" or (char == "#" and (index == 0 or text[index - 1] in " \t\n")):
            quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_YAML_DEPTH:
                return line
        elif char in "]}":
            depth = max(0, depth - 1)
    return None


def _refuse_alias_expansion(root: yaml.Node) -> None:
    """Aliases are shared, but every reader of the values expands them: a kilobyte of
    `&a [*a, *a]` chains is billions of values, and an alias inside its own anchor is endless."""
    import yaml

    sizes: dict[int, int | None] = {}

    def size(node: yaml.Node) -> int:
        if id(node) in sizes:
            known = sizes[id(node)]
            if known is None:
                raise yaml.MarkedYAMLError(problem="an alias refers to its own anchor",
                                           problem_mark=node.start_mark)
            return known
        sizes[id(node)] = None
        children = (node.value if isinstance(node, yaml.SequenceNode) else
                    [part for pair in node.value for part in pair]
                    if isinstance(node, yaml.MappingNode) else [])
        sizes[id(node)] = 1 + sum(size(child) for child in children)
        return sizes[id(node)]  # type: ignore[return-value]

    if size(root) > MAX_YAML_VALUES:
        raise yaml.MarkedYAMLError(problem=f"aliases expand to over {MAX_YAML_VALUES} values",
                                   problem_mark=root.start_mark)


@dataclass(frozen=True)
class FrontMatter:
    document: YamlDocument
    body_start: int  # 1-based line where the body after the closing `---` starts


def split_front_matter(text: str) -> FrontMatter | None:
    """The YAML block between `---` lines at the very top, or None when there is none."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in {"---", "..."}:
            return FrontMatter(parse_yaml("\n".join(lines[1:index]), 2), index + 2)
    return FrontMatter(YamlDocument(error=YamlError(1, "front matter is never closed by ---")),
                       len(lines) + 1)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int


@dataclass(frozen=True)
class Link:
    target: str
    line: int
    image: bool


@dataclass
class MarkdownBody:
    """Headings, links and lines of a Markdown text outside its code (fenced or indented)."""

    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    lines: list[tuple[int, str]] = field(default_factory=list)


def _parsers() -> tuple[Any, Any]:
    """markdown-it-py, CommonMark with HTML: one parser for the blocks only (inline parsing is
    most of its cost, and few blocks hold links), one for the inline content of those."""
    if not _MD:
        from markdown_it import MarkdownIt

        blocks = MarkdownIt("commonmark", {"html": True})
        blocks.disable("inline")
        _MD.extend([blocks, MarkdownIt("commonmark", {"html": True})])
    return _MD[0], _MD[1]


_MD: list[Any] = []


def parse_markdown(text: str, first_line: int = 1, raw_html: bool = False) -> MarkdownBody:
    """The structure of a Markdown text as CommonMark reads it (markdown-it-py): ATX and
    setext headings, inline and reference links, images, autolinks and HTML `src`/`href`,
    each at its line; fenced and indented code is not read for any of them, except, with
    `raw_html` (Pandoc's and Quarto's Markdown), the `src`/`href` of a ```` ```{=html} ````
    block, which is HTML passed through to the page."""
    blocks, inline = _parsers()
    env: dict[str, Any] = {}
    # CommonMark ends a line at a lone carriage return too; the course's line numbers (and
    # every editor's) count newlines only, so a lone CR is read as a space.
    text = text.replace("\r\n", "\n").replace("\r", " ")
    tokens = blocks.parse(text, env)
    raw = text.split("\n")
    body = MarkdownBody()
    code: set[int] = set()
    references = env.get("references", {})
    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        start, end = token.map
        if token.type in ("fence", "code_block"):
            code.update(range(start, end))
            if raw_html and token.type == "fence" and token.info.strip() == "{=html}":
                body.links += _html_links(raw, start + 1, end - 1, first_line)
        elif token.type == "heading_open":
            body.headings.append(Heading(int(token.tag[1]), tokens[index + 1].content.strip(),
                                         first_line + start))
        elif token.type == "inline" and _may_link(token.content):
            body.links += _inline_links(inline, token.content, references, raw, start, end,
                                        first_line)
        elif token.type == "html_block":
            body.links += _html_links(raw, start, end, first_line)
    for reference in references.values():
        line = reference.get("map", [0])[0]
        body.links.append(Link(reference["href"], first_line + line, False))
    body.lines = [(first_line + n, line) for n, line in enumerate(raw) if n not in code]
    body.links.sort(key=lambda link: link.line)
    return body


def _may_link(content: str) -> bool:
    return "](" in content or "][" in content or "<" in content or "]" in content


def _inline_links(inline: Any, content: str, references: dict[str, Any], raw: list[str],
                  start: int, end: int, first_line: int) -> list[Link]:
    """The links of one block's inline content, each at the line its target is written on;
    a reference link (`[text][ref]`) is reported at its definition, once."""
    found: list[Link] = []
    seen: dict[str, int] = {}  # the k-th link to a target in a block is on its k-th line
    for child in inline.parseInline(content, {"references": references})[0].children or []:
        targets: list[tuple[str, bool]] = []
        if child.type in ("link_open", "image"):
            target = str(child.attrs.get("href") or child.attrs.get("src") or "")
            targets = [(target, child.type == "image")] if target else []
        elif child.type == "html_inline":
            targets = [(src, tag.lower() == "img")
                       for tag, src in _HTML_SRC.findall(child.content)]
        for target, image in targets:
            line = _line_of(raw, start, end, target, seen.get(target, 0))
            seen[target] = seen.get(target, 0) + 1
            if line is not None:
                found.append(Link(target, first_line + line, image))
    return found


def _html_links(raw: list[str], start: int, end: int, first_line: int) -> list[Link]:
    return [Link(src, first_line + n, tag.lower() == "img")
            for n in range(start, min(end, len(raw))) for tag, src in _HTML_SRC.findall(raw[n])]


def _line_of(raw: list[str], start: int, end: int, target: str, before: int = 0) -> int | None:
    """The 0-based line of the block whose text holds the target (None: written elsewhere,
    as a reference definition, or escaped); with `before` earlier links to the same target in
    the block (table rows are one paragraph to CommonMark), the line after theirs."""
    lines = [n for n in range(start, min(end, len(raw))) if target in raw[n]]
    return lines[min(before, len(lines) - 1)] if lines else None


def is_external(target: str) -> bool:
    """Links the gates do not resolve on disk: web addresses, mail, in-page anchors."""
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target)) or target.startswith(("#", "/"))


def normalise_heading(text: str) -> str:
    """Heading text without emoji, punctuation or case, for matching section names."""
    return " ".join(re.sub(r"[^\w→ ]+", " ", text).lower().split())


# Fences of these MyST directives hold code in the language of their argument; the fences of
# other directives (admonitions, cards, tabs) hold Markdown, which is read for code in turn.
CODE_DIRECTIVES = ("code-cell", "code-block", "code", "sourcecode")
_OPAQUE_DIRECTIVES = ("mermaid", "raw", "math", "literalinclude", "include", "csv-table")
_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block: its language (a code directive's argument; `{code-cell}` without
    one is Python), the line of its opening fence, its lines (line `i` of the block is line
    `first + i` of the file) and the HTML comments standing right above the fence."""

    language: str
    line: int
    lines: tuple[str, ...]
    comments: tuple[str, ...] = ()

    @property
    def first(self) -> int:
        return self.line + 1


@dataclass(frozen=True)
class CodeSpan:
    """Inline code (`` `tito module complete 05` ``) outside code blocks, at its line."""

    text: str
    line: int


def code_in_markdown(text: str, first_line: int = 1) -> tuple[list[CodeBlock], list[CodeSpan]]:
    """Every fenced code block (also inside directive fences that hold Markdown) and every
    inline code span of a Markdown text, as CommonMark reads it (which breaks lines at `\r`
    too: so do the line numbers)."""
    _, full = _parsers()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw = text.split("\n")
    blocks: list[CodeBlock] = []
    spans: list[CodeSpan] = []
    for token in full.parse(text):
        if token.map is None:
            continue
        start, end = token.map
        if token.type == "fence":
            info = token.info.strip()
            directive = re.match(r"^\{([\w-]+)\}\s*(\S*)", info)
            content = token.content.rstrip("\n").split("\n") if token.content else []
            if directive and directive[1] not in CODE_DIRECTIVES:
                if directive[1] not in _OPAQUE_DIRECTIVES:
                    inner = code_in_markdown("\n".join(content), first_line + start + 1)
                    blocks += inner[0]
                    spans += inner[1]
                continue
            language = (directive[2] or ("python" if directive[1] == "code-cell" else "")
                        if directive else info.split()[0] if info else "")
            blocks.append(CodeBlock(language.lower(), first_line + start, tuple(content),
                                    _comments_above(raw, start)))
        elif token.type == "inline":
            for child in token.children or []:
                if child.type == "code_inline":
                    line = _span_line(raw, start, end, child.content)
                    spans.append(CodeSpan(child.content, first_line + line))
    return blocks, spans


def _comments_above(raw: list[str], start: int) -> tuple[str, ...]:
    """The HTML comment lines right above line `start` (blank lines between are allowed)."""
    found = []
    index = start - 1
    while index >= 0 and (not raw[index].strip() or _COMMENT.match(raw[index])):
        if raw[index].strip():
            found.append(raw[index].strip())
        index -= 1
    return tuple(reversed(found))


def _span_line(raw: list[str], start: int, end: int, content: str) -> int:
    """The 0-based line where a code span starts: a span may wrap, so its first words are
    looked for, then its first word."""
    for needle in (content, content[:30], content.split(" ")[0]):
        if needle and (line := _line_of(raw, start, end, needle)) is not None:
            return line
    return start
