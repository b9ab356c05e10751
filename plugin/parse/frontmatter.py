"""Split a Markdown file into YAML front matter and body, and parse the YAML
into plain JSON-like data that remembers where every key and value was written.

python-frontmatter finds and splits the front matter; PyYAML composes the
node graph (with the C parser where present); the nodes are then turned into
data here rather than by PyYAML's constructor, because that is where the
line numbers, duplicate keys, tag policy and cost limits can all be enforced
in one pass. Nothing in this module raises on content: every problem comes
back as a Finding.
"""

from __future__ import annotations

import bisect
import os
import re
import stat
import sys
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml
from frontmatter.default_handlers import YAMLHandler
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from ..model import Finding, JsonPath, Position
from ..rules import RULES

try:
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class Limits:
    """What one file may cost. Hostile YAML (alias bombs, deep nesting, huge
    files) hits one of these and becomes a finding instead of a hang."""

    max_file_bytes: int = 2 * 1024 * 1024
    max_front_matter_bytes: int = 256 * 1024
    max_depth: int = 32
    max_nodes: int = 20_000
    # jsonschema's uniqueItems compares unhashable items pairwise: 9,000
    # distinct mappings in `systems` took two minutes before this cap.
    max_items: int = 1_000


DEFAULT_LIMITS: Final = Limits()

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
# PyYAML resolves a plain `<<` to a merge and a plain `=` to YAML 1.1's
# "value" type; as values (`summary: <<`) they are just text.
_PLAIN_TEXT: Final = {_MERGE: "<<", "tag:yaml.org,2002:value": "="}
# Well below the 4,300 digits at which int() and repr() of an int raise; a
# number's digits never exceed ~1.3 times the characters it is written with.
_MAX_NUMBER_CHARS: Final = 1000
_INTERNED_CHARS: Final = 40
# Only the plain JSON-ish core types. Anything else (!!python/..., !!binary,
# local !tags) is refused: front matter is untrusted and must never execute.
_SCALAR_TAGS: Final = frozenset(
    {
        _STR,
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
    }
)


class _Lines:
    """Character offsets in the YAML text to lines and columns of the file.

    YAML also ends lines at U+0085, U+2028 and U+2029, which editors and
    `git diff` do not; its own line numbers drift after a title pasted with
    one of them, so positions are counted from `\n` here instead."""

    def __init__(self, text: str = "", line_offset: int = 0) -> None:
        self.text = text
        self.line_offset = line_offset
        self._starts: list[int] | None = None

    def position(self, index: int) -> Position:
        if self._starts is None:
            # Built on the first look-up: a clean file never needs it.
            self._starts = [0, *(m.end() for m in re.finditer("\n", self.text))]
        i = bisect.bisect_right(self._starts, index) - 1
        return Position(i + self.line_offset + 1, index - self._starts[i] + 1)


class _KnownLines(_Lines):
    """The lines and columns of a few offsets, worked out in advance."""

    def __init__(self, known: dict[int, Position], line_offset: int) -> None:
        super().__init__("", line_offset)
        self.known = known

    def position(self, index: int) -> Position:
        return self.known.get(index) or Position(self.line_offset + 1, 1)


class PositionMap(Mapping[JsonPath, Position]):
    """Positions by path, kept as character offsets until someone asks:
    most values of most files are never pointed at, and turning every offset
    into a line and column was a large part of the cost of a clean lint."""

    def __init__(self, offsets: dict[JsonPath, int], lines: _Lines) -> None:
        self.offsets = offsets
        self.lines = lines

    def __getitem__(self, path: JsonPath) -> Position:
        return self.lines.position(self.offsets[path])

    def __contains__(self, path: object) -> bool:
        return path in self.offsets

    def __iter__(self) -> Iterator[JsonPath]:
        return iter(self.offsets)

    def __len__(self) -> int:
        return len(self.offsets)


@dataclass
class YamlData:
    """Parsed YAML as JSON-like data plus where each part was written."""

    data: Any = None
    lines: _Lines = field(default_factory=_Lines, repr=False)
    # Offset of each value, by its path from the root ("factors", 0, "layer").
    value_offsets: dict[JsonPath, int] = field(default_factory=dict, repr=False)
    # Offset of the key that introduces each mapping value.
    key_offsets: dict[JsonPath, int] = field(default_factory=dict, repr=False)
    # Style of each scalar written on one line ("" plain, "'" or '"' quoted):
    # there a place inside the text maps to a column of the file.
    one_line_styles: dict[JsonPath, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def values(self) -> PositionMap:
        """Position of each value, by its path from the root."""
        return PositionMap(self.value_offsets, self.lines)

    @property
    def keys(self) -> PositionMap:
        """Position of the key that introduces each mapping value."""
        return PositionMap(self.key_offsets, self.lines)

    @property
    def key_or_value_positions(self) -> PositionMap:
        """The key's position where there is a key, else the value's."""
        return PositionMap({**self.value_offsets, **self.key_offsets}, self.lines)

    def keep_only(self, tops: Collection[str]) -> None:
        """Forget every position but those under the top-level keys `tops`,
        and the YAML text with them. For a process that has reported this
        file's findings and will only point at a few paths again: the
        positions of every value are the largest part of a parse."""
        values = {p: at for p, at in self.value_offsets.items() if p[:1] and p[0] in tops}
        keys = {p: at for p, at in self.key_offsets.items() if p[:1] and p[0] in tops}
        known = {at: self.lines.position(at) for at in (*values.values(), *keys.values())}
        self.value_offsets, self.key_offsets, self.one_line_styles = values, keys, {}
        self.lines = _KnownLines(known, self.lines.line_offset)

    def position(self, path: JsonPath) -> Position:
        """Where a person should look for `path`: the key if there is one,
        else the value, else the nearest enclosing thing that exists."""
        while True:
            offset = self.key_offsets.get(path)
            if offset is None:
                offset = self.value_offsets.get(path)
            if offset is not None:
                return self.lines.position(offset)
            if not path:
                return Position(1, 1)
            path = path[:-1]


class _TooComplex(Exception):
    def __init__(self, why: str, node: Node) -> None:
        super().__init__(why)
        self.node = node


class _Builder:
    """Turns a composed YAML node graph into data, one pass, bounded."""

    def __init__(self, path: str, lines: _Lines, limits: Limits, out: YamlData, what: str) -> None:
        self.path = path
        self.what = what
        self.lines = lines
        self.limits = limits
        self.out = out
        self.nodes = 0
        self.scalars = SafeConstructor()

    def pos(self, node: Node) -> Position:
        return self.lines.position(node.start_mark.index)

    def finding(self, node: Node, rule: str, message: str) -> None:
        p = self.pos(node)
        self.out.findings.append(RULES[rule].finding(self.path, p.line, p.column, message))

    def build(self, node: Node, where: JsonPath, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise _TooComplex(
                f"the YAML expands to more than {self.limits.max_nodes} values "
                "(aliases that repeat aliases?); write the values out plainly",
                node,
            )
        if depth > self.limits.max_depth:
            raise _TooComplex(f"the YAML nests deeper than {self.limits.max_depth} levels", node)
        # Aliases share node objects, so a position is recorded only once per path.
        self.out.value_offsets.setdefault(where, node.start_mark.index)
        if isinstance(node, ScalarNode):
            # libyaml calls plain style "", PyYAML None.
            style = node.style or ""
            if node.start_mark.line == node.end_mark.line and style in ("", "'", '"'):
                self.out.one_line_styles.setdefault(where, style)
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                self.bad_tag(node)
            if len(node.value) > self.limits.max_items:
                raise _TooComplex(
                    f"a list has {len(node.value):,} items; the limit is {self.limits.max_items:,}",
                    node,
                )
            return [self.build(item, (*where, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.tag != _MAP:
                self.bad_tag(node)
            return self.mapping(node, where, depth)
        raise AssertionError(f"unknown YAML node {node!r}")  # pragma: no cover

    def mapping(self, node: MappingNode, where: JsonPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_written: dict[str, int] = {}
        merges: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                # Read after the keys written here, which win over merged ones.
                merges.append((key_node, value_node))
                continue
            if not isinstance(key_node, ScalarNode):
                self.finding(
                    key_node, "yaml-syntax", "a key must be a plain word, not a list or mapping"
                )
                continue
            key = self.scalar(key_node)
            # YAML 1.1 reads keys like `yes` or `2025` as other types; the
            # schema talks about text keys, so compare them as written.
            key = key if isinstance(key, str) else key_node.value
            here = (*where, key)
            if key in result:
                first = self.lines.position(first_written[key])
                self.finding(
                    key_node,
                    "yaml-duplicate-key",
                    f"key '{key}' is written twice (first written on line {first.line}); "
                    "keep one, the later value is used",
                )
            first_written.setdefault(key, key_node.start_mark.index)
            self.out.key_offsets[here] = key_node.start_mark.index
            self.out.value_offsets.pop(here, None)
            self.out.one_line_styles.pop(here, None)
            result[key] = self.build(value_node, here, depth + 1)
        for merge_key, value_node in merges:
            # `<<: *defaults` fills in keys the mapping does not set itself.
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                self.merge(result, merge_key, source, where, depth)
        return result

    def merge(
        self, result: dict[str, Any], merge_key: Node, source: Node, where: JsonPath, depth: int
    ) -> None:
        """Add the keys of `source` that `result` lacks. The anchor is read
        with positions set aside, so it cannot move the keys written here;
        a merged key is placed at its `<<` (where this mapping gets it), its
        value where the value is written."""
        out = self.out
        kept = (out.value_offsets, out.key_offsets, out.one_line_styles)
        scratch: tuple[dict[JsonPath, int], dict[JsonPath, int], dict[JsonPath, str]] = ({}, {}, {})
        out.value_offsets, out.key_offsets, out.one_line_styles = scratch
        try:
            value = self.build(source, where, depth + 1)
        finally:
            out.value_offsets, out.key_offsets, out.one_line_styles = kept
        if not isinstance(value, dict):
            self.finding(source, "yaml-syntax", "'<<' can only merge mappings")
            return
        added = {k for k in value if k not in result}
        for k in added:
            result[k] = value[k]
        n = len(where)

        def ours(path: JsonPath) -> bool:
            return len(path) > n and path[n] in added

        out.value_offsets.update((p, at) for p, at in scratch[0].items() if ours(p))
        out.key_offsets.update((p, at) for p, at in scratch[1].items() if ours(p))
        out.one_line_styles.update((p, st) for p, st in scratch[2].items() if ours(p))
        for k in added:
            out.key_offsets[(*where, k)] = merge_key.start_mark.index

    def scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR or _PLAIN_TEXT.get(tag) == node.value:
            # Short texts repeat across a library (layers, categories, systems,
            # statuses, owners): one object each, not one per mention.
            value: str = node.value
            return sys.intern(value) if len(value) <= _INTERNED_CHARS else value
        if tag == _TIMESTAMP:
            # Kept as written: dates are checked (and impossible ones such as
            # 2025-02-30 reported) in one place for quoted and unquoted alike.
            return node.value
        if tag in _SCALAR_TAGS:
            if tag != _STR and len(node.value) > _MAX_NUMBER_CHARS:
                # Python refuses to convert (or even print) ints of more than
                # 4,300 digits, and no front-matter value is a number that long.
                self.finding(
                    node,
                    "yaml-too-complex",
                    f"a number written with {len(node.value):,} characters is too long to "
                    "read; put it in quotes if it is meant as text",
                )
                return node.value
            return self.scalars.construct_object(node, deep=False)
        self.bad_tag(node)
        return node.value

    def bad_tag(self, node: Node) -> None:
        self.finding(
            node,
            "yaml-tag",
            f"the YAML tag '{node.tag.replace('tag:yaml.org,2002:', '!!')}' is not allowed in "
            f"the {self.what}; remove it and write a plain value",
        )


_UNCLOSED: Final = ("while scanning a quoted scalar", "while parsing a flow")


def parse_yaml(
    text: str,
    path: str,
    line_offset: int = 0,
    limits: Limits = DEFAULT_LIMITS,
    what: str = "front matter",
) -> YamlData:
    """Parse one YAML document. `line_offset` is how many lines of the file
    precede `text`, so positions are lines of the file, 1-based. `what` names
    the text in messages (the taxonomy file is parsed here too)."""
    out = YamlData()
    node = _compose(text, path, line_offset, what, out.findings)
    if node is None:
        return out
    out.lines = _Lines(text, line_offset)
    builder = _Builder(path, out.lines, limits, out, what)
    try:
        out.data = builder.build(node, ())
    except _TooComplex as exc:
        out.data = None
        builder.finding(exc.node, "yaml-too-complex", str(exc))
    except RecursionError:
        out.data = None
        builder.finding(node, "yaml-too-complex", "the YAML nests too deeply to read")
    return out


def _compose(
    text: str, path: str, line_offset: int, what: str, findings: list[Finding]
) -> Node | None:
    """PyYAML's node graph of `text`, or None: empty, or unreadable, which
    adds the finding that says where and why."""

    def add(rule: str, at: Position | None, message: str) -> None:
        line, column = (at.line, at.column) if at else (line_offset + 1, 1)
        findings.append(RULES[rule].finding(path, line, column, message))

    try:
        node: Node | None = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # An unclosed quote or bracket is only noticed lines later, often at
        # the closing '---'; the line to fix is where it was opened.
        if exc.context_mark is not None and (exc.context or "").startswith(_UNCLOSED):
            mark = exc.context_mark
        at = _Lines(text, line_offset).position(mark.index) if mark else None
        problem = exc.problem or "unreadable YAML"
        context = f" {exc.context}" if exc.context else ""
        # libyaml's own nesting limit: hostile depth, not a typo to fix.
        if "maximum nesting depth" in problem:
            add("yaml-too-complex", at, f"the YAML nests too deeply to read ({problem}{context})")
        else:
            add("yaml-syntax", at, f"the {what} is not valid YAML: {problem}{context}")
        return None
    except RecursionError:
        # The pure-Python parser (no libyaml) recurses once per nesting level.
        add("yaml-too-complex", None, "the YAML nests too deeply to read")
        return None
    except ReaderError as exc:
        # Its position counts characters in one parser and UTF-8 bytes in the
        # other; the first such character in the text is where reading stopped.
        index = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        add(
            "yaml-syntax",
            _Lines(text, line_offset).position(max(index, 0)),
            f"the {what} contains the control character {code}, which YAML does not "
            "allow; delete it",
        )
        return None
    except (yaml.YAMLError, ValueError) as exc:
        # One finding is one line of output: no newlines from PyYAML's text.
        add("yaml-syntax", None, f"the {what} is not valid YAML: {' '.join(str(exc).split())}")
        return None
    return node


class LineKeepingHandler(YAMLHandler):
    """python-frontmatter's YAML handler, with our loader behind `load`."""

    # Returns data *with positions* rather than a bare dict: the one reason
    # for this handler to exist.
    def load(self, fm: str, **kwargs: Any) -> YamlData:  # type: ignore[override]
        return parse_yaml(
            fm, str(kwargs.get("path", "<front matter>")), int(kwargs.get("line_offset", 0))
        )


_HANDLER: Final = LineKeepingHandler()


@dataclass
class Document:
    """A Markdown file split into parsed front matter and body."""

    path: str
    has_front_matter: bool
    yaml: YamlData
    body: str
    body_line: int

    @property
    def data(self) -> Any:
        return self.yaml.data

    @property
    def findings(self) -> list[Finding]:
        return self.yaml.findings


def _error(path: str, line: int, rule: str, message: str) -> Finding:
    return RULES[rule].finding(path, line, 1, message)


def _too_large(path: str, size: int, limits: Limits, what: str) -> Finding:
    return _error(
        path,
        1,
        "file-too-large",
        f"the file is {size:,} bytes; {what} are limited to {limits.max_file_bytes:,} bytes",
    )


def read_bounded(
    path: Path,
    shown: str,
    limits: Limits = DEFAULT_LIMITS,
    what: str = "postmortems",
    unreadable_rule: str = "unreadable",
) -> tuple[bytes | None, list[Finding]]:
    """A file's bytes, or the finding that says why they were not read.

    Only regular files are opened (a FIFO would block the read forever, a
    link to /dev/zero would fill memory), and never more than the size limit
    plus one byte is read, whatever the file claims its size to be."""

    def refused(message: str) -> tuple[None, list[Finding]]:
        return None, [_error(shown, 1, unreadable_rule, message)]

    not_regular = f"this is not a regular file; {what} are plain files"
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return refused(not_regular)
        # Non-blocking: a FIFO swapped in after the stat must not hang the open.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                return refused(not_regular)
            if st.st_size > limits.max_file_bytes:
                return None, [_too_large(shown, st.st_size, limits, what)]
            raw = fh.read(limits.max_file_bytes + 1)
    except OSError as exc:
        return refused(f"cannot read the file: {exc.strerror or exc}")
    if len(raw) > limits.max_file_bytes:
        # It grew since the stat: still never read past the limit.
        return None, [_too_large(shown, len(raw), limits, what)]
    return raw, []


def decode(
    raw: bytes, path: str, limits: Limits = DEFAULT_LIMITS, what: str = "postmortems"
) -> tuple[str | None, list[Finding]]:
    """Bytes to text with `\\n` line ends; a BOM is dropped. Refuses what is
    not UTF-8 text, saying where the first bad byte is."""
    if len(raw) > limits.max_file_bytes:
        return None, [_too_large(path, len(raw), limits, what)]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # What Windows editors call "Unicode": its NUL bytes are not binary.
        return None, [_error(path, 1, "encoding", "the file is saved as UTF-16; save it as UTF-8")]
    nul = raw.find(b"\x00")
    if nul >= 0:
        return None, [
            _error(
                path,
                raw.count(b"\n", 0, nul) + 1,
                "encoding",
                "the file contains NUL bytes: it looks binary, not Markdown text",
            )
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [
            _error(
                path,
                raw.count(b"\n", 0, exc.start) + 1,
                "encoding",
                f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset "
                f"{exc.start}); save it as UTF-8",
            )
        ]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, []


def split(text: str, path: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Split decoded Markdown text into front matter and body and parse the
    front matter. A file with no front matter is a Document whose
    `has_front_matter` is False."""
    boundary = _HANDLER.FM_BOUNDARY
    opening = boundary.match(text)
    if opening is None:
        misplaced = _misplaced_front_matter(text, path, limits)
        yaml_data = YamlData()
        if misplaced is not None:
            yaml_data.findings.append(misplaced)
        return Document(path, False, yaml_data, text, 1)
    try:
        fm, body = _HANDLER.split(text)
    except ValueError:
        yaml_data = YamlData()
        yaml_data.findings.append(
            _error(
                path,
                1,
                "front-matter-unclosed",
                "the front matter opened with '---' on line 1 is never closed; "
                "add a line '---' after the last key",
            )
        )
        return Document(path, True, yaml_data, "", 1)
    fm_start = opening.end()
    line_offset = text.count("\n", 0, fm_start)
    body_start = len(text) - len(body)
    body_line = text.count("\n", 0, body_start) + 1
    if len(fm) > limits.max_front_matter_bytes:
        yaml_data = YamlData()
        yaml_data.findings.append(
            _error(
                path,
                1,
                "yaml-too-complex",
                f"the front matter is {len(fm):,} characters; the limit is "
                f"{limits.max_front_matter_bytes:,}. Move long text into the body",
            )
        )
        return Document(path, True, yaml_data, body, body_line)
    parsed = _HANDLER.load(fm, path=path, line_offset=line_offset)
    return Document(path, True, parsed, body, body_line)


# A line that opens or closes a front-matter block, indented or not.
_FENCE: Final = re.compile(r"^[ \t]*---[ \t]*$", re.M)
# A block this far down is the page's own text (a rule, a table), not front matter.
_MISPLACED_WITHIN_LINES: Final = 20
# Keys that only front matter has: a block between two rules that holds one is
# meant as front matter (`Note: ...` between two rules is text).
_FRONT_MATTER_KEYS: Final = frozenset(
    {"id", "title", "status", "visibility", "severity", "summary", "date", "systems", "factors"}
    | {"tags", "description", "template", "hide", "search", "authors"}
)


def _misplaced_front_matter(text: str, path: str, limits: Limits) -> Finding | None:
    """The finding for a front-matter block that does not start on line 1.

    MkDocs reads front matter only from the first line, so a blank line or
    text above `---` publishes the block as text: `visibility: restricted`
    there would withhold nothing. The whole search is bounded: the fence is
    looked for in the first lines only, the block parsed only up to the
    front matter's size limit."""
    top = 0
    for _ in range(_MISPLACED_WITHIN_LINES):
        top = text.find("\n", top) + 1
        if top == 0:
            top = len(text)
            break
    opening = _FENCE.search(text, 0, top)
    if opening is None:
        return None
    closing = _FENCE.search(text, opening.end(), opening.end() + limits.max_front_matter_bytes)
    if closing is None:
        return None
    line = text.count("\n", 0, opening.start()) + 1
    parsed = parse_yaml(text[opening.end() + 1 : closing.start()], path, line, limits)
    data = parsed.data
    if not isinstance(data, dict) or not any(
        str(k).strip().lower() in _FRONT_MATTER_KEYS for k in data
    ):
        return None
    return _error(
        path,
        line,
        "front-matter-not-first",
        f"the front matter starts on line {line}, not on line 1, so MkDocs would publish it "
        "as text; the file is withheld: delete what stands above the first '---'",
    )


def read_document(raw: bytes, path: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Decode and split one file's bytes. Never raises on content."""
    text, findings = decode(raw, path, limits)
    if text is None:
        doc = Document(path, True, YamlData(), "", 1)
        doc.findings.extend(findings)
        return doc
    return split(text, path, limits)
