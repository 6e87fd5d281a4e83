#!/usr/bin/env python3
"""Run a composite GitHub Action's steps locally, and lint action.yml files.

Python 3 standard library only (no PyYAML): action.yml files in this repository are restricted
to the YAML subset that `load_yaml` reads:

* block mappings and block sequences (two-space indentation, no tabs), including a sequence
  written at the same indentation as its parent key and `- key: value` compact mappings;
* plain, 'single-quoted' and "double-quoted" scalars on one line (plain `true`/`false`,
  `null`/`~`, integers and decimals are typed as in YAML's core schema);
* block scalars `|` and `>` with the `-`/`+` chomping indicators (and an optional indentation
  digit);
* one-line flow collections (`[a, b]`, `{k: v}`) of scalars;
* comments (` #` after a value, or whole lines) and a leading `---`.

Anchors, aliases, tags, multi-line plain or quoted scalars, complex keys and multiple documents
are rejected with an error naming the line, never guessed at.

Usage:

    run_action.py ACTION [--input NAME=VALUE]... [--env NAME=VALUE]... [--workdir DIR] [--stub-uses]
    run_action.py --lint FILE...

ACTION is an action directory or its action.yml. The action's steps run like the runner runs a
composite action: `${{ inputs.X }}` (with defaults), `${{ github.action_path }}`,
`${{ github.workspace }}`, `${{ steps.ID.outputs.Y }}`, `${{ runner.os }}`/`arch`/`temp`/
`tool_cache` and `${{ env.X }}` are substituted; `if:` understands the expression language
(`always()`, `success()`, `failure()`, `cancelled()`, `==`, `!=`, `<`, `>`, `&&`, `||`, `!`,
`contains`/`startsWith`/`endsWith`); `shell`, `env`, `working-directory`, `id` and
`continue-on-error` are honoured; a `uses:` step (another action) cannot run here: it must be
skipped by its `if:`, or with `--stub-uses` it is recorded in "steps" (with its `with:` values
interpolated) as a success without outputs; fresh GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH
files are given to every step and their contents carried to later steps; GITHUB_STEP_SUMMARY
collects the summary. The environment is hermetic: inherited GITHUB_*, RUNNER_* and INPUT_* variables are
dropped, RUNNER_TEMP and (unless given with --env) RUNNER_TOOL_CACHE are fresh temporary
directories.

The steps' stdout and stderr go to this program's stderr; stdout gets one JSON object:
{"outputs", "exit_code", "summary", "path_additions", "env_additions", "steps", "commands"}.
The exit status is the action's exit code (0 when every step passed), or 125 when the action
could not be run at all (unreadable action.yml, unsupported step).

`--lint` checks each file. An action.yml must parse (in the subset above), be a well-formed
composite action, use only declared inputs and known step ids in expressions, never
interpolate `${{ inputs.* }}` into a `run:` script (pass it through `env:`), and give every
run step a shell. A workflow (.github/workflows/*.yml) is checked for what actionlint cannot
see: its steps that use a local action (`uses: ./…`) pass only declared inputs, all required
ones, and read only declared outputs. Problems are printed as `FILE:LINE: message`; exit
status 1 when there are any.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

__all__ = [
    "YamlError",
    "ExprError",
    "ActionError",
    "load_yaml",
    "parse_expression",
    "evaluate",
    "run_action",
    "lint_action",
    "lint_workflow",
]


# --------------------------------------------------------------------------------------------
# YAML subset reader
# --------------------------------------------------------------------------------------------


class YamlError(Exception):
    """The text is not in the supported YAML subset (or not YAML at all)."""


_INT_RE = re.compile(r"^[-+]?[0-9]+$")
_FLOAT_RE = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")


def _resolve_plain(text: str) -> Any:
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT_RE.match(text):
        return int(text)
    if _FLOAT_RE.match(text):
        return float(text)
    return text


class _YamlParser:
    def __init__(self, text: str, name: str):
        self.lines = text.splitlines()
        self.name = name
        self.i = 0

    def error(self, msg: str, lineno: int | None = None) -> YamlError:
        line = (lineno if lineno is not None else self.i) + 1
        return YamlError(f"{self.name}:{line}: {msg}")

    # -- line access -------------------------------------------------------------------------

    def _skip_blank(self) -> None:
        while self.i < len(self.lines):
            stripped = self.lines[self.i].strip()
            if stripped == "" or stripped.startswith("#"):
                self.i += 1
                continue
            break

    def peek(self) -> tuple[int, str] | None:
        """(indent, content) of the next content line, or None at the end."""
        self._skip_blank()
        if self.i >= len(self.lines):
            return None
        line = self.lines[self.i]
        content = line.lstrip(" ")
        indent = len(line) - len(content)
        if content.startswith("\t"):
            raise self.error("tab in indentation (use spaces)")
        return indent, content.rstrip()

    @staticmethod
    def is_seq_item(content: str) -> bool:
        return content == "-" or content.startswith("- ") or content.startswith("-\t")

    # -- scalars -----------------------------------------------------------------------------

    def strip_comment(self, text: str) -> str:
        """Remove a trailing ` # comment` from a plain (unquoted) value."""
        if text.startswith("#"):
            return ""
        m = re.search(r"\s#", text)
        return (text[: m.start()] if m else text).rstrip()

    def parse_quoted(self, text: str) -> tuple[str, str]:
        """Parse a quoted scalar at the start of text; returns (value, rest)."""
        quote = text[0]
        out: list[str] = []
        j = 1
        while j < len(text):
            c = text[j]
            if quote == "'":
                if c == "'":
                    if j + 1 < len(text) and text[j + 1] == "'":
                        out.append("'")
                        j += 2
                        continue
                    return "".join(out), text[j + 1 :]
                out.append(c)
                j += 1
                continue
            if c == '"':
                return "".join(out), text[j + 1 :]
            if c == "\\":
                if j + 1 >= len(text):
                    break
                e = text[j + 1]
                simple = {
                    "n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"',
                    "/": "/", " ": " ", "a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "v": "\v",
                }
                if e in simple:
                    out.append(simple[e])
                    j += 2
                    continue
                widths = {"x": 2, "u": 4, "U": 8}
                if e in widths:
                    digits = text[j + 2 : j + 2 + widths[e]]
                    if len(digits) != widths[e] or not re.fullmatch(r"[0-9a-fA-F]+", digits):
                        raise self.error(f"bad escape \\{e}{digits}")
                    out.append(chr(int(digits, 16)))
                    j += 2 + widths[e]
                    continue
                raise self.error(f"unsupported escape \\{e}")
            out.append(c)
            j += 1
        raise self.error("unterminated quoted scalar (multi-line quoted scalars are not supported)")

    def parse_flow(self, text: str) -> tuple[Any, str]:
        """Parse a one-line flow node at the start of text; returns (value, rest)."""
        text = text.lstrip()
        if not text:
            raise self.error("unterminated flow collection")
        c = text[0]
        if c in "[{":
            close = "]" if c == "[" else "}"
            items: Any = [] if c == "[" else {}
            rest = text[1:].lstrip()
            if rest.startswith(close):
                return items, rest[1:]
            while True:
                if c == "[":
                    value, rest = self.parse_flow(rest)
                    items.append(value)
                else:
                    key, rest = self.parse_flow(rest)
                    rest = rest.lstrip()
                    if not rest.startswith(":"):
                        raise self.error("expected ':' in flow mapping")
                    value, rest = self.parse_flow(rest[1:])
                    if not isinstance(key, (str, int, float, bool)) and key is not None:
                        raise self.error("complex keys are not supported")
                    items[key] = value
                rest = rest.lstrip()
                if rest.startswith(","):
                    rest = rest[1:].lstrip()
                    if rest.startswith(close):
                        return items, rest[1:]
                    continue
                if rest.startswith(close):
                    return items, rest[1:]
                raise self.error(f"expected ',' or '{close}' in flow collection")
        if c in "'\"":
            return self.parse_quoted(text)
        m = re.match(r"[^,\[\]{}]*", text)
        assert m is not None
        token = m.group(0)
        # In a flow mapping the key ends at ': '.
        colon = re.search(r":(\s|$)", token)
        if colon:
            token = token[: colon.start()]
        return _resolve_plain(token.strip()), text[len(token) :]

    def check_plain(self, text: str) -> None:
        if text[0] in "&*!%@`|>":
            raise self.error(f"unsupported YAML syntax {text[0]!r} (anchors, aliases, tags)")

    # -- nodes -------------------------------------------------------------------------------

    def parse_document(self) -> Any:
        self._skip_blank()
        if self.i < len(self.lines) and self.lines[self.i].rstrip() == "---":
            self.i += 1
        p = self.peek()
        if p is None:
            return None
        value = self.parse_block(p[0])
        p = self.peek()
        if p is not None:
            if p[1].startswith("---") or p[1].startswith("..."):
                raise self.error("multiple documents are not supported")
            raise self.error("unexpected content (bad indentation?)")
        return value

    def parse_block(self, indent: int) -> Any:
        p = self.peek()
        assert p is not None
        if self.is_seq_item(p[1]):
            return self.parse_seq(indent)
        if p[1][0] in "[{\"'" and self.split_key(p[1]) is None:
            # A lone flow or quoted node as a whole block.
            lineno = self.i
            self.i += 1
            return self.parse_inline(p[1], lineno)
        return self.parse_map(indent)

    def split_key(self, content: str) -> tuple[Any, str] | None:
        """If content is `key: rest`, return (key, rest)."""
        if content[0] in "'\"":
            key, rest = self.parse_quoted(content)
            rest = rest.lstrip(" ")
            if rest == ":" or rest.startswith(": ") or rest.startswith(":\t"):
                return key, rest[1:]
            return None
        if content[0] in "[{#":
            return None
        m = re.match(r"^([^#]*?)\s*:(?:\s+|$)", content)
        if not m or m.group(1) == "":
            return None
        key = m.group(1)
        if key.startswith("? "):
            raise self.error("complex keys are not supported")
        return _resolve_plain(key), content[m.end() :]

    def parse_map(self, indent: int) -> dict:
        result: dict = {}
        while True:
            p = self.peek()
            if p is None or p[0] < indent:
                return result
            if p[0] > indent:
                raise self.error("unexpected indentation")
            if self.is_seq_item(p[1]):
                raise self.error("sequence item where a mapping key was expected")
            kv = self.split_key(p[1])
            if kv is None:
                raise self.error(f"expected 'key: value', found {p[1]!r}")
            key, rest = kv
            if key in result:
                raise self.error(f"duplicate key {key!r}")
            lineno = self.i
            self.i += 1
            result[key] = self.parse_value(rest, indent, lineno, seq_at_same_indent=True)

    def parse_seq(self, indent: int) -> list:
        items: list = []
        while True:
            p = self.peek()
            if p is None or p[0] < indent:
                return items
            if p[0] > indent:
                raise self.error("unexpected indentation")
            if not self.is_seq_item(p[1]):
                if self.split_key(p[1]) is not None:
                    return items  # the parent mapping goes on at this indentation
                raise self.error("expected a sequence item '- '")
            after = p[1][1:]
            rest = after.lstrip(" ")
            if rest == "" or rest.startswith("#"):
                lineno = self.i
                self.i += 1
                items.append(self.parse_value("", indent, lineno, seq_at_same_indent=False))
                continue
            sub_indent = indent + 1 + (len(after) - len(rest))
            if self.is_seq_item(rest) or (rest[0] not in "[{" and self.split_key(rest) is not None):
                # `- key: value` / `- - x`: the node starts at the column after the dash.
                self.lines[self.i] = " " * sub_indent + rest
                items.append(self.parse_block(sub_indent))
                continue
            lineno = self.i
            self.i += 1
            items.append(self.parse_value(rest, indent, lineno, seq_at_same_indent=False))

    def parse_inline(self, text: str, lineno: int) -> Any:
        if text[0] in "'\"":
            value, rest = self.parse_quoted(text)
        else:
            value, rest = self.parse_flow(text)
        rest = rest.strip()
        if rest and not rest.startswith("#"):
            raise self.error(f"unexpected text after value: {rest!r}", lineno)
        return value

    def parse_value(self, rest: str, parent_indent: int, lineno: int, seq_at_same_indent: bool) -> Any:
        rest = rest.strip()
        if rest == "" or rest.startswith("#"):
            p = self.peek()
            if p is not None and p[0] > parent_indent:
                return self.parse_block(p[0])
            if p is not None and p[0] == parent_indent and seq_at_same_indent and self.is_seq_item(p[1]):
                return self.parse_seq(p[0])
            return None
        if rest[0] in "|>":
            return self.parse_block_scalar(rest, parent_indent, lineno)
        if rest[0] in "'\"[{":
            return self.parse_inline(rest, lineno)
        self.check_plain(rest)
        value = self.strip_comment(rest)
        if re.search(r":(\s|$)", value):
            raise self.error(f"plain scalar contains ': ' (quote it): {value!r}", lineno)
        p = self.peek()
        if p is not None and p[0] > parent_indent:
            # A more indented line after a plain scalar would be a multi-line plain scalar.
            raise self.error("multi-line plain scalars are not supported (use | or >)", self.i)
        return _resolve_plain(value)

    def parse_block_scalar(self, header: str, parent_indent: int, lineno: int) -> str:
        m = re.match(r"^([|>])([-+]?)([1-9]?)([-+]?)(\s+#.*)?$", header)
        if not m or (m.group(2) and m.group(4)):
            raise self.error(f"bad block scalar header {header!r}", lineno)
        style, chomp, explicit = m.group(1), m.group(2) or m.group(4), m.group(3)
        raw: list[str] = []
        j = self.i
        content_indent: int | None = parent_indent + int(explicit) if explicit else None
        while j < len(self.lines):
            line = self.lines[j]
            if line.strip() == "":
                raw.append("")
                j += 1
                continue
            ind = len(line) - len(line.lstrip(" "))
            if content_indent is None:
                if ind <= parent_indent:
                    break
                content_indent = ind
            if ind < content_indent:
                if ind > parent_indent:
                    raise self.error("bad indentation in block scalar", j)
                break
            raw.append(line[content_indent:])
            j += 1
        # Trailing blank lines are not consumed past the scalar (they are just blank lines).
        trailing = 0
        while raw and raw[-1] == "":
            raw.pop()
            trailing += 1
        self.i = j
        if style == "|":
            body = "\n".join(raw)
        else:
            body = self.fold(raw)
        if chomp == "-":
            return body
        if chomp == "+":
            return body + "\n" + "\n" * trailing if raw else "\n" * trailing
        return body + "\n" if raw else ""

    @staticmethod
    def fold(lines: list[str]) -> str:
        out = ""
        prev: str | None = None  # previous line (None before the first)
        blanks = 0
        for line in lines:
            if line == "":
                blanks += 1
                continue
            if prev is None:
                out = "\n" * blanks + line
            elif line.startswith((" ", "\t")) or prev.startswith((" ", "\t")):
                out += "\n" * (blanks + 1) + line
            elif blanks:
                out += "\n" * blanks + line
            else:
                out += " " + line
            prev = line
            blanks = 0
        return out


def load_yaml(text: str, name: str = "<string>") -> Any:
    """Parse YAML in the subset described in this module's docstring."""
    return _YamlParser(text, name).parse_document()


def find_line(text: str, needle: str) -> int:
    """1-based line of the first occurrence of needle in text (1 when absent)."""
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


# --------------------------------------------------------------------------------------------
# Expressions
# --------------------------------------------------------------------------------------------


class ExprError(Exception):
    """An expression that does not parse, or uses something this harness does not support."""


_TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<num>-?(?:0x[0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?))
      | (?P<str>'(?:[^']|'')*')
      | (?P<op>==|!=|<=|>=|&&|\|\||[<>!().\[\],*])
      | (?P<ident>[A-Za-z_][A-Za-z0-9_-]*)
    )""",
    re.VERBOSE,
)

FUNCTIONS = {
    "always": 0, "success": 0, "failure": 0, "cancelled": 0,
    "contains": 2, "startswith": 2, "endswith": 2, "format": -1, "tojson": 1, "fromjson": 1,
}
CONTEXTS = {"inputs", "github", "runner", "steps", "env", "job", "strategy", "matrix"}
STATUS_FUNCTIONS = {"always", "success", "failure", "cancelled"}


def _tokenize(src: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    src = src.rstrip()
    while pos < len(src):
        m = _TOKEN_RE.match(src, pos)
        if not m or m.end() == pos:
            raise ExprError(f"cannot parse expression at {src[pos:]!r}")
        kind = m.lastgroup
        assert kind is not None
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


class _ExprParser:
    def __init__(self, src: str):
        self.src = src
        self.tokens = _tokenize(src)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise ExprError(f"expected {value or 'more'} in expression {self.src!r}")
        self.pos += 1
        return tok

    def at(self, *values: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "op" and tok[1] in values

    def parse(self) -> tuple:
        node = self.parse_or()
        if self.peek() is not None:
            raise ExprError(f"unexpected {self.peek()[1]!r} in expression {self.src!r}")  # type: ignore[index]
        return node

    def parse_or(self) -> tuple:
        node = self.parse_and()
        while self.at("||"):
            self.take()
            node = ("or", node, self.parse_and())
        return node

    def parse_and(self) -> tuple:
        node = self.parse_cmp()
        while self.at("&&"):
            self.take()
            node = ("and", node, self.parse_cmp())
        return node

    def parse_cmp(self) -> tuple:
        node = self.parse_unary()
        while self.at("==", "!=", "<", "<=", ">", ">="):
            op = self.take()[1]
            node = ("cmp", op, node, self.parse_unary())
        return node

    def parse_unary(self) -> tuple:
        if self.at("!"):
            self.take()
            return ("not", self.parse_unary())
        return self.parse_postfix()

    def parse_postfix(self) -> tuple:
        node = self.parse_primary()
        while self.at(".", "["):
            if self.take()[1] == ".":
                tok = self.take()
                if tok[0] == "op" and tok[1] == "*":
                    raise ExprError("object filters (.*) are not supported")
                if tok[0] != "ident":
                    raise ExprError(f"expected a property name after '.' in {self.src!r}")
                node = ("prop", node, ("lit", tok[1]))
            else:
                index = self.parse_or()
                self.take("]")
                node = ("prop", node, index)
        return node

    def parse_primary(self) -> tuple:
        kind, value = self.take()
        if kind == "num":
            return ("lit", float(int(value, 16)) if value.lower().startswith(("0x", "-0x")) else float(value))
        if kind == "str":
            return ("lit", value[1:-1].replace("''", "'"))
        if kind == "op" and value == "(":
            node = self.parse_or()
            self.take(")")
            return node
        if kind == "ident":
            low = value.lower()
            if low in ("true", "false"):
                return ("lit", low == "true")
            if low == "null":
                return ("lit", None)
            if self.at("("):
                self.take()
                args = []
                if not self.at(")"):
                    args.append(self.parse_or())
                    while self.at(","):
                        self.take()
                        args.append(self.parse_or())
                self.take(")")
                if low not in FUNCTIONS:
                    raise ExprError(f"unknown function {value}()")
                arity = FUNCTIONS[low]
                if arity >= 0 and len(args) != arity:
                    raise ExprError(f"{value}() takes {arity} argument(s), got {len(args)}")
                return ("call", low, args)
            return ("ctx", low)
        raise ExprError(f"unexpected {value!r} in expression {self.src!r}")


def parse_expression(src: str) -> tuple:
    """Parse an expression (the text inside `${{ }}`) into a small AST of tuples."""
    return _ExprParser(src).parse()


def _truthy(v: Any) -> bool:
    if v is None or v is False:
        return False
    if isinstance(v, float) and (v == 0 or v != v):
        return False
    if isinstance(v, (int,)) and not isinstance(v, bool) and v == 0:
        return False
    if v == "":
        return False
    return True


def _to_number(v: Any) -> float:
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        s = v.strip()
        if s == "":
            return 0.0
        try:
            return float(int(s, 16)) if s.lower().startswith("0x") else float(s)
        except ValueError:
            return float("nan")
    return float("nan")


def to_string(v: Any) -> str:
    """How a value is interpolated into a string by `${{ }}`."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v, indent=2)
    return str(v)


def _compare(op: str, a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        x, y = a.lower(), b.lower()
        return {"==": x == y, "!=": x != y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
    if type(a) is type(b) and isinstance(a, (dict, list)):
        return {"==": a is b, "!=": a is not b}.get(op, False)
    x, y = _to_number(a), _to_number(b)
    if x != x or y != y:
        return op == "!="
    return {"==": x == y, "!=": x != y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def _lookup(obj: Any, key: Any) -> Any:
    if isinstance(obj, dict):
        if isinstance(key, str):
            low = key.lower()
            for k, v in obj.items():
                if isinstance(k, str) and k.lower() == low:
                    return v
        return None
    if isinstance(obj, list) and isinstance(key, (int, float)) and not isinstance(key, bool):
        i = int(key)
        return obj[i] if 0 <= i < len(obj) else None
    return None


def evaluate(node: tuple, ctx: dict, status: str = "success") -> Any:
    """Evaluate an AST from parse_expression. status is the job status so far:
    'success' or 'failure'."""
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "ctx":
        return _lookup(ctx, node[1])
    if kind == "prop":
        return _lookup(evaluate(node[1], ctx, status), evaluate(node[2], ctx, status))
    if kind == "not":
        return not _truthy(evaluate(node[1], ctx, status))
    if kind == "and":
        left = evaluate(node[1], ctx, status)
        return evaluate(node[2], ctx, status) if _truthy(left) else left
    if kind == "or":
        left = evaluate(node[1], ctx, status)
        return left if _truthy(left) else evaluate(node[2], ctx, status)
    if kind == "cmp":
        return _compare(node[1], evaluate(node[2], ctx, status), evaluate(node[3], ctx, status))
    if kind == "call":
        name, args = node[1], [evaluate(a, ctx, status) for a in node[2]]
        if name == "always":
            return True
        if name == "success":
            return status == "success"
        if name == "failure":
            return status == "failure"
        if name == "cancelled":
            return False
        if name == "contains":
            hay, needle = args
            if isinstance(hay, list):
                return any(_compare("==", h, needle) for h in hay)
            return to_string(needle).lower() in to_string(hay).lower()
        if name == "startswith":
            return to_string(args[0]).lower().startswith(to_string(args[1]).lower())
        if name == "endswith":
            return to_string(args[0]).lower().endswith(to_string(args[1]).lower())
        if name == "format":
            fmt = to_string(args[0])
            return re.sub(r"\{(\d+)\}", lambda m: to_string(args[1 + int(m.group(1))]), fmt)
        if name == "tojson":
            return json.dumps(args[0], indent=2)
        if name == "fromjson":
            return json.loads(to_string(args[0]))
    raise ExprError(f"cannot evaluate {node!r}")


_INTERP_RE = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def interpolate(text: Any, ctx: dict, status: str = "success") -> str:
    """Substitute every `${{ expr }}` in text."""
    if text is None:
        return ""
    if not isinstance(text, str):
        return to_string(text)
    return _INTERP_RE.sub(lambda m: to_string(evaluate(parse_expression(m.group(1)), ctx, status)), text)


def condition_expression(cond: Any) -> str:
    """The expression of an `if:` value (with or without `${{ }}`), with the implicit
    `success() &&` that the runner adds when no status function is used."""
    text = to_string(cond).strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", text, re.DOTALL)
    if m:
        text = m.group(1).strip()
    if text == "":
        return "success()"
    if not any(_uses_function(parse_expression(text), f) for f in STATUS_FUNCTIONS):
        return f"success() && ({text})"
    return text


def _uses_function(node: tuple, name: str) -> bool:
    if node[0] == "call":
        return node[1] == name or any(_uses_function(a, name) for a in node[2])
    return any(_uses_function(c, name) for c in node[1:] if isinstance(c, tuple))


# --------------------------------------------------------------------------------------------
# Runner files (GITHUB_OUTPUT, GITHUB_ENV)
# --------------------------------------------------------------------------------------------


def parse_kv_file(path: Path) -> dict[str, str]:
    """Parse a GITHUB_OUTPUT / GITHUB_ENV file: `name=value` lines and
    `name<<DELIMITER` … `DELIMITER` blocks."""
    result: dict[str, str] = {}
    if not path.exists():
        return result
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        i += 1
        if line == "":
            continue
        heredoc = re.match(r"^([^=<]+)<<(.+)$", line)
        eq = line.find("=")
        if heredoc and (eq < 0 or eq > line.find("<<")):
            name, delim = heredoc.group(1), heredoc.group(2)
            body: list[str] = []
            while True:
                if i >= len(lines):
                    raise ActionError(f"{path.name}: no closing delimiter {delim!r} for {name!r}")
                current = lines[i].rstrip("\r")
                i += 1
                if current == delim:
                    break
                body.append(current)
            result[name] = "\n".join(body)
        elif eq > 0:
            result[line[:eq]] = line[eq + 1 :]
        else:
            raise ActionError(f"{path.name}: invalid line {line!r} (expected NAME=VALUE or NAME<<DELIM)")
    return result


_COMMAND_RE = re.compile(r"^::([A-Za-z-]+)(?:\s+([^:]*))?::(.*)$")


def parse_workflow_command(line: str) -> dict | None:
    m = _COMMAND_RE.match(line.rstrip("\r\n"))
    if not m:
        return None
    params: dict[str, str] = {}
    for part in (m.group(2) or "").split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            params[k.strip()] = v.replace("%2C", ",").replace("%3A", ":")
    message = m.group(3).replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
    return {"command": m.group(1), "params": params, "message": message}


# --------------------------------------------------------------------------------------------
# Running a composite action
# --------------------------------------------------------------------------------------------


class ActionError(Exception):
    """The action cannot be run by this harness."""


def load_action(path: str | os.PathLike) -> tuple[Path, dict]:
    """(action.yml path, parsed document) for an action directory or file."""
    p = Path(path)
    if not p.exists():
        raise ActionError(f"{path}: no such action")
    if p.is_dir():
        for name in ("action.yml", "action.yaml"):
            if (p / name).is_file():
                p = p / name
                break
        else:
            raise ActionError(f"{path}: no action.yml in this directory")
    try:
        doc = load_yaml(p.read_text(encoding="utf-8"), str(p))
    except OSError as e:
        raise ActionError(f"{p}: {e}") from e
    except YamlError as e:
        raise ActionError(str(e)) from e
    if not isinstance(doc, dict) or not isinstance(doc.get("runs"), dict):
        raise ActionError(f"{p}: not an action (no 'runs:' mapping)")
    if doc["runs"].get("using") != "composite":
        raise ActionError(f"{p}: only composite actions can be run (runs.using is {doc['runs'].get('using')!r})")
    return p.resolve(), doc


def _runner_os() -> str:
    return {"Darwin": "macOS", "Windows": "Windows"}.get(platform.system(), "Linux")


def _runner_arch() -> str:
    machine = platform.machine().lower()
    if machine in ("arm64", "aarch64"):
        return "ARM64"
    if machine in ("x86_64", "amd64"):
        return "X64"
    if machine.startswith("arm"):
        return "ARM"
    return "X86"


def _shell_command(shell: str, script: Path) -> list[str]:
    shell = shell.strip()
    if shell == "bash":
        return ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)]
    if shell == "sh":
        return ["sh", "-e", str(script)]
    if shell == "python":
        return [sys.executable, str(script)]
    if "{0}" in shell:
        return [part.replace("{0}", str(script)) for part in shell.split()]
    raise ActionError(f"unsupported shell {shell!r} (bash, sh, python or a command with {{0}})")


def run_action(
    action: str | os.PathLike,
    inputs: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    workdir: str | os.PathLike | None = None,
    log=None,
    stub_uses: bool = False,
) -> dict:
    """Run a composite action's steps. Returns the result dict described in the module
    docstring. Step output goes to `log` (default sys.stderr). A `uses:` step that its `if:`
    does not skip is an ActionError, or with stub_uses recorded without running."""
    log = log if log is not None else sys.stderr
    action_file, doc = load_action(action)
    action_dir = action_file.parent
    inputs = dict(inputs or {})
    env_overrides = dict(env or {})
    workspace = Path(workdir).resolve() if workdir else Path.cwd()

    declared = doc.get("inputs") or {}
    unknown = [k for k in inputs if k.lower() not in {str(d).lower() for d in declared}]
    if unknown:
        print(f"warning: unexpected input(s) {', '.join(unknown)} (not declared in {action_file})", file=log)

    tmp_root = Path(tempfile.mkdtemp(prefix="run-action-"))
    try:
        runner_temp = tmp_root / "runner-temp"
        runner_temp.mkdir()
        files_dir = tmp_root / "files"
        files_dir.mkdir()
        summary_file = files_dir / "step_summary.md"
        summary_file.touch()

        base_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "RUNNER_", "INPUT_", "STATE_"))
        }
        base_env.update(
            {
                "CI": "true",
                "GITHUB_ACTIONS": "true",
                "GITHUB_WORKSPACE": str(workspace),
                "GITHUB_ACTION_PATH": str(action_dir),
                "GITHUB_ACTION_REPOSITORY": "",
                "GITHUB_ACTION_REF": "",
                "GITHUB_STEP_SUMMARY": str(summary_file),
                "RUNNER_OS": _runner_os(),
                "RUNNER_ARCH": _runner_arch(),
                "RUNNER_TEMP": str(runner_temp),
                "RUNNER_NAME": "run-action",
                "RUNNER_ENVIRONMENT": "self-hosted",
            }
        )
        if "RUNNER_TOOL_CACHE" not in env_overrides:
            tool_cache = tmp_root / "tool-cache"
            tool_cache.mkdir()
            base_env["RUNNER_TOOL_CACHE"] = str(tool_cache)
        base_env.update(env_overrides)

        # Input values: given ones, then defaults (which may themselves be expressions).
        ctx: dict[str, Any] = {
            "github": {
                "action_path": str(action_dir),
                "workspace": base_env["GITHUB_WORKSPACE"],
                "action_ref": base_env.get("GITHUB_ACTION_REF", ""),
                "action_repository": base_env.get("GITHUB_ACTION_REPOSITORY", ""),
                "token": base_env.get("GITHUB_TOKEN", ""),
                "server_url": "https://github.com",
                "repository": base_env.get("GITHUB_REPOSITORY", ""),
                "event_name": base_env.get("GITHUB_EVENT_NAME", "workflow_dispatch"),
                "ref": base_env.get("GITHUB_REF", ""),
                "sha": base_env.get("GITHUB_SHA", ""),
                "run_id": base_env.get("GITHUB_RUN_ID", ""),
            },
            "runner": {
                "os": base_env["RUNNER_OS"],
                "arch": base_env["RUNNER_ARCH"],
                "temp": base_env["RUNNER_TEMP"],
                "tool_cache": base_env["RUNNER_TOOL_CACHE"],
                "name": base_env["RUNNER_NAME"],
            },
            "steps": {},
            "env": {},
            "job": {"status": "success"},
            "inputs": {},
        }
        input_values: dict[str, str] = {}
        given = {k.lower(): v for k, v in inputs.items()}
        for name, spec in declared.items():
            spec = spec or {}
            if str(name).lower() in given:
                input_values[str(name)] = given[str(name).lower()]
            else:
                if spec.get("required") is True and "default" not in spec:
                    raise ActionError(f"input {name!r} is required")
                input_values[str(name)] = interpolate(spec.get("default"), ctx)
        ctx["inputs"] = input_values

        path_additions: list[str] = []
        env_additions: dict[str, str] = {}
        steps_result: list[dict] = []
        commands: list[dict] = []
        status = "success"
        exit_code = 0

        for index, step in enumerate(doc["runs"].get("steps") or []):
            if not isinstance(step, dict):
                raise ActionError(f"step {index + 1} is not a mapping")
            step_id = str(step.get("id") or f"__step{index + 1}")
            label = step.get("name") or step_id
            if "run" not in step and "uses" not in step:
                raise ActionError(f"step {label!r} has neither 'run' nor 'uses'")
            ctx["env"] = {**env_additions}
            ctx["job"]["status"] = status
            cond = condition_expression(step.get("if", ""))
            should_run = _truthy(evaluate(parse_expression(cond), ctx, status))
            record: dict[str, Any] = {"id": step_id, "name": str(label), "outputs": {}}
            if not should_run:
                record.update({"outcome": "skipped", "conclusion": "skipped", "exit_code": None})
                ctx["steps"][step_id] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
                steps_result.append(record)
                print(f"run-action: skip {label}", file=log)
                continue
            if "uses" in step:
                # A `uses:` step is never run here: with stub_uses it is recorded (its `with:`
                # interpolated) as a success without outputs; otherwise the action cannot run.
                if not stub_uses:
                    raise ActionError(
                        f"step {label!r}: 'uses:' steps are not supported by this harness "
                        "(unless skipped by 'if:'; --stub-uses records them instead)"
                    )
                with_values = {str(k): interpolate(v, ctx, status) for k, v in (step.get("with") or {}).items()}
                record.update(
                    {"outcome": "success", "conclusion": "success", "exit_code": 0,
                     "uses": str(step["uses"]), "with": with_values}
                )
                ctx["steps"][step_id] = {"outputs": {}, "outcome": "success", "conclusion": "success"}
                steps_result.append(record)
                print(f"run-action: stub {label} (uses: {step['uses']})", file=log)
                continue

            step_env_raw = step.get("env") or {}
            step_env = {str(k): interpolate(v, ctx, status) for k, v in step_env_raw.items()}
            ctx["env"] = {**env_additions, **step_env}
            script_text = interpolate(step["run"], ctx, status)
            shell = step.get("shell")
            if not shell:
                raise ActionError(f"step {label!r}: composite run steps need 'shell:'")
            cwd = workspace
            if step.get("working-directory"):
                cwd = (workspace / interpolate(step["working-directory"], ctx, status)).resolve()

            step_dir = files_dir / f"step{index + 1}"
            step_dir.mkdir()
            out_file, env_file, path_file = (step_dir / n for n in ("output", "env", "path"))
            for f in (out_file, env_file, path_file):
                f.touch()
            script = runner_temp / f"{uuid.uuid4()}.{'py' if shell == 'python' else 'sh'}"
            script.write_text(script_text, encoding="utf-8")

            proc_env = dict(base_env)
            proc_env.update(env_additions)
            proc_env.update(step_env)
            proc_env["PATH"] = os.pathsep.join([*reversed(path_additions), proc_env.get("PATH", "")])
            proc_env.update(
                {
                    "GITHUB_OUTPUT": str(out_file),
                    "GITHUB_ENV": str(env_file),
                    "GITHUB_PATH": str(path_file),
                    "GITHUB_STATE": str(step_dir / "state"),
                }
            )
            print(f"run-action: run {label}", file=log)
            log.flush()
            proc = subprocess.Popen(
                _shell_command(str(shell), script),
                cwd=cwd,
                env=proc_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            assert proc.stdout is not None
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace")
                log.write(line)
                command = parse_workflow_command(line)
                if command:
                    command["step"] = step_id
                    commands.append(command)
            rc = proc.wait()
            log.flush()

            outputs = parse_kv_file(out_file)
            env_additions.update(parse_kv_file(env_file))
            for line in path_file.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    path_additions.append(line.strip())
            outcome = "success" if rc == 0 else "failure"
            coe = step.get("continue-on-error", False)
            continue_on_error = coe if isinstance(coe, bool) else interpolate(coe, ctx, status).strip() == "true"
            conclusion = "success" if rc == 0 or continue_on_error else "failure"
            if conclusion == "failure" and status == "success":
                status = "failure"
                exit_code = rc if rc != 0 else 1
            ctx["steps"][step_id] = {"outputs": outputs, "outcome": outcome, "conclusion": conclusion}
            record.update({"outcome": outcome, "conclusion": conclusion, "exit_code": rc, "outputs": outputs})
            steps_result.append(record)

        ctx["env"] = {**env_additions}
        outputs = {
            str(name): interpolate((spec or {}).get("value"), ctx, status)
            for name, spec in (doc.get("outputs") or {}).items()
        }
        return {
            "outputs": outputs,
            "exit_code": exit_code,
            "summary": summary_file.read_text(encoding="utf-8"),
            "path_additions": path_additions,
            "env_additions": env_additions,
            "steps": steps_result,
            "commands": commands,
        }
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Lint
# --------------------------------------------------------------------------------------------


def _walk_strings(node: Any, path: str = ""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk_strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk_strings(v, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def _context_refs(node: tuple):
    """Yield the property chains (lists of names, None for a computed part) rooted at a
    context in an expression AST."""
    if node[0] == "prop":
        chain: list[Any] = []
        cur = node
        while cur[0] == "prop":
            key = cur[2]
            chain.append(key[1] if key[0] == "lit" and isinstance(key[1], str) else None)
            if key[0] != "lit":
                yield from _context_refs(key)
            cur = cur[1]
        if cur[0] == "ctx":
            yield [cur[1], *reversed(chain)]
        else:
            yield from _context_refs(cur)
        return
    if node[0] == "ctx":
        yield [node[1]]
        return
    for child in node[1:]:
        if isinstance(child, tuple):
            yield from _context_refs(child)
        elif isinstance(child, list):
            for c in child:
                yield from _context_refs(c)


_ACTION_KEYS = {"name", "author", "description", "inputs", "outputs", "runs", "branding"}
_INPUT_KEYS = {"description", "required", "default", "deprecationMessage"}
_STEP_KEYS = {"id", "name", "if", "run", "uses", "with", "env", "shell", "working-directory", "continue-on-error"}
_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def lint_action(path: str | os.PathLike) -> list[str]:
    """Problems in an action.yml, as `FILE:LINE: message` strings (empty when clean)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        return [f"{p}:1: cannot read: {e}"]
    try:
        doc = load_yaml(text, str(p))
    except YamlError as e:
        return [f"{e} (see the YAML subset in tests/actions/run_action.py)"]
    problems: list[str] = []

    def problem(needle: str, msg: str) -> None:
        problems.append(f"{p}:{find_line(text, needle)}: {msg}")

    if not isinstance(doc, dict):
        return [f"{p}:1: an action.yml must be a mapping"]
    for key in doc:
        if key not in _ACTION_KEYS:
            problem(f"{key}:", f"unknown top-level key {key!r}")
    for key in ("name", "description", "runs"):
        if key not in doc:
            problem("", f"missing required key {key!r}")
    inputs = doc.get("inputs") or {}
    if not isinstance(inputs, dict):
        problem("inputs:", "'inputs' must be a mapping")
        inputs = {}
    for name, spec in inputs.items():
        if not _ID_RE.match(str(name)):
            problem(f"{name}:", f"input name {name!r} is not a valid identifier")
        if not isinstance(spec, dict) or not spec.get("description"):
            problem(f"{name}:", f"input {name!r} needs a description")
            continue
        for key in spec:
            if key not in _INPUT_KEYS:
                problem(f"{key}:", f"unknown key {key!r} in input {name!r}")
        if "default" in spec and not isinstance(spec["default"], str):
            problem(f"{name}:", f"input {name!r}: quote the default ({spec['default']!r}); inputs are strings")
    declared_inputs = {str(n).lower() for n in inputs}
    runs = doc.get("runs") or {}
    if not isinstance(runs, dict) or runs.get("using") != "composite":
        problem("using:", "runs.using must be 'composite'")
        return problems
    steps = runs.get("steps")
    if not isinstance(steps, list) or not steps:
        problem("runs:", "runs.steps must be a non-empty list")
        return problems
    step_ids: list[str] = []
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            problem("steps:", f"step {i + 1} must be a mapping")
            continue
        sid = step.get("id")
        if sid is not None:
            if not _ID_RE.match(str(sid)):
                problem(f"id: {sid}", f"step id {sid!r} is not a valid identifier")
            if str(sid) in step_ids:
                problem(f"id: {sid}", f"duplicate step id {sid!r}")
            step_ids.append(str(sid))
    outputs = doc.get("outputs") or {}
    if not isinstance(outputs, dict):
        problem("outputs:", "'outputs' must be a mapping")
        outputs = {}
    for name, spec in outputs.items():
        if not isinstance(spec, dict) or "value" not in spec or not spec.get("description"):
            problem(f"{name}:", f"output {name!r} needs a description and a value")

    def check_expr(src: str, where: str, needle: str, earlier_ids: list[str]) -> None:
        try:
            ast = parse_expression(src)
        except ExprError as e:
            problem(needle, f"{where}: {e}")
            return
        for chain in _context_refs(ast):
            root = chain[0]
            if root not in CONTEXTS:
                problem(needle, f"{where}: unknown context {root!r}")
            elif root == "inputs" and len(chain) > 1 and chain[1] is not None:
                if chain[1].lower() not in declared_inputs:
                    problem(needle, f"{where}: input {chain[1]!r} is not declared under 'inputs:'")
            elif root == "steps" and len(chain) > 1 and chain[1] is not None:
                if chain[1] not in earlier_ids:
                    problem(needle, f"{where}: no earlier step has id {chain[1]!r}")
                elif len(chain) > 2 and chain[2] not in ("outputs", "outcome", "conclusion"):
                    problem(needle, f"{where}: steps.{chain[1]}.{chain[2]} is not a step property")
            elif root == "matrix" or root == "strategy":
                problem(needle, f"{where}: {root} is not available in a composite action")

    def check_strings(node: Any, where: str, earlier_ids: list[str]) -> None:
        for sub, s in _walk_strings(node):
            for m in _INTERP_RE.finditer(s):
                check_expr(m.group(1), f"{where}{'.' + sub if sub else ''}", m.group(0), earlier_ids)

    for name, spec in inputs.items():
        if isinstance(spec, dict):
            for sub, s in _walk_strings(spec.get("default")):
                for m in _INTERP_RE.finditer(s):
                    check_expr(m.group(1), f"inputs.{name}.default", m.group(0), [])
                    if "inputs." in m.group(1):
                        problem(m.group(0), f"inputs.{name}.default: a default cannot use other inputs")

    seen: list[str] = []
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            continue
        label = f"step {step.get('id') or step.get('name') or i + 1}"
        for key in step:
            if key not in _STEP_KEYS:
                problem(f"{key}:", f"{label}: unknown step key {key!r}")
        if ("run" in step) == ("uses" in step):
            problem(str(step.get("name", "steps:")), f"{label}: a step needs exactly one of 'run' and 'uses'")
        if "run" in step:
            if not step.get("shell"):
                problem(str(step.get("run"))[:40], f"{label}: run steps in a composite action need 'shell:'")
            run_text = step.get("run")
            if isinstance(run_text, str):
                for m in _INTERP_RE.finditer(run_text):
                    if re.search(r"\binputs\b|\bgithub\.event\b|\bgithub\.head_ref\b", m.group(1)):
                        problem(
                            m.group(0),
                            f"{label}: do not interpolate {m.group(0)} into a script (injection); pass it through env:",
                        )
            if "with" in step:
                problem("with:", f"{label}: 'with' only applies to 'uses' steps")
        cond = step.get("if")
        if cond is not None:
            raw = to_string(cond).strip()
            m = re.fullmatch(r"\$\{\{(.*)\}\}", raw, re.DOTALL)
            check_expr(m.group(1) if m else raw, f"{label}.if", raw.split("\n")[0], seen)
        for key in ("run", "env", "with", "working-directory", "shell", "name", "continue-on-error"):
            if key in step:
                check_strings(step[key], f"{label}.{key}", seen)
        if step.get("id") is not None:
            seen.append(str(step["id"]))
    for name, spec in outputs.items():
        if isinstance(spec, dict):
            check_strings(spec.get("value"), f"outputs.{name}.value", step_ids)
    return problems


def lint_workflow(path: str | os.PathLike, repo_root: str | os.PathLike | None = None) -> list[str]:
    """What actionlint cannot check without reading the repository: every step that uses a
    local action (`uses: ./…`) must name an existing action, pass only its declared inputs,
    pass its required inputs, and read only its declared outputs (`steps.ID.outputs.X`).
    Workflows must be in the same YAML subset as actions."""
    p = Path(path)
    root = Path(repo_root) if repo_root else Path.cwd()
    try:
        text = p.read_text(encoding="utf-8")
        doc = load_yaml(text, str(p))
    except (OSError, YamlError) as e:
        return [f"{p}:1: {e}"]
    problems: list[str] = []

    def problem(needle: str, msg: str) -> None:
        problems.append(f"{p}:{find_line(text, needle)}: {msg}")

    jobs = doc.get("jobs") if isinstance(doc, dict) else None
    if not isinstance(jobs, dict):
        return [f"{p}:1: a workflow needs a 'jobs:' mapping"]
    for job_id, job in jobs.items():
        steps = (job or {}).get("steps") or [] if isinstance(job, dict) else []
        local_outputs: dict[str, set[str]] = {}
        for step in steps:
            if not isinstance(step, dict):
                continue
            uses = step.get("uses")
            if isinstance(uses, str) and uses.startswith("./"):
                try:
                    _, action = load_action(root / uses)
                except ActionError as e:
                    problem(f"uses: {uses}", f"job {job_id}: {e}")
                    continue
                inputs = {str(k) for k in (action.get("inputs") or {})}
                given = {str(k) for k in (step.get("with") or {})}
                for name in sorted(given - inputs):
                    problem(f"{name}:", f"job {job_id}: {uses} has no input {name!r} (inputs: {', '.join(sorted(inputs))})")
                for name, spec in (action.get("inputs") or {}).items():
                    if isinstance(spec, dict) and spec.get("required") is True and "default" not in spec:
                        if str(name) not in given:
                            problem(f"uses: {uses}", f"job {job_id}: {uses} needs input {name!r}")
                if step.get("id") is not None:
                    local_outputs[str(step["id"])] = {str(k) for k in (action.get("outputs") or {})}
            for _, value in _walk_strings(step):
                for m in _INTERP_RE.finditer(value):
                    for ref in re.finditer(r"steps\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs\.([A-Za-z_][A-Za-z0-9_-]*)", m.group(1)):
                        sid, out = ref.group(1), ref.group(2)
                        if sid in local_outputs and out not in local_outputs[sid]:
                            problem(ref.group(0), f"job {job_id}: step {sid!r} has no output {out!r}")
    return problems


def lint_file(path: str | os.PathLike, repo_root: str | os.PathLike | None = None) -> list[str]:
    """lint_workflow for files under .github/workflows, lint_action otherwise."""
    p = Path(path)
    if p.parent.name == "workflows" and p.parent.parent.name == ".github":
        return lint_workflow(p, repo_root if repo_root else p.parent.parent.parent)
    return lint_action(p)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _pairs(values: list[str], what: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in values:
        if "=" not in item:
            raise SystemExit(f"run_action.py: {what} must be NAME=VALUE, got {item!r}")
        k, v = item.split("=", 1)
        result[k] = v
    return result


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="+", help="action directory or action.yml (several with --lint)")
    parser.add_argument("--lint", action="store_true", help="lint the given action.yml files instead of running")
    parser.add_argument("--input", "-i", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--env", "-e", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--workdir", "-C", default=None, help="GITHUB_WORKSPACE and the steps' directory")
    parser.add_argument("--stub-uses", action="store_true", help="record `uses:` steps instead of failing on them")
    args = parser.parse_args(argv)

    if args.lint:
        problems = [msg for target in args.targets for msg in lint_file(target)]
        for msg in problems:
            print(msg)
        print(f"run_action.py --lint: {len(args.targets)} file(s), {len(problems)} problem(s)", file=sys.stderr)
        return 1 if problems else 0
    if len(args.targets) != 1:
        parser.error("give exactly one action to run")
    try:
        result = run_action(
            args.targets[0],
            inputs=_pairs(args.input, "--input"),
            env=_pairs(args.env, "--env"),
            workdir=args.workdir,
            stub_uses=args.stub_uses,
        )
    except (ActionError, ExprError, YamlError) as e:
        print(f"run_action.py: error: {e}", file=sys.stderr)
        return 125
    json.dump(result, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return min(int(result["exit_code"]), 124)


if __name__ == "__main__":
    sys.exit(main())
