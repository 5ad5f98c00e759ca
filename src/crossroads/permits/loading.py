"""Reading permit files: YAML with positions, amendments resolved, errors pointing at lines.

The file is *composed* with PyYAML (not constructed straight away) so that every node keeps its
``start_mark``. Versions that say ``extends: N`` are resolved on the node tree, before any Python value
exists: an inherited field keeps the node (and therefore the line) where it was written. Only then are
the nodes turned into Python values and validated by pydantic; each pydantic error location is walked
back through the same node tree to a line and a column.

Amendment semantics (documented in ``docs/reference/permit-format.md``):
- a version with ``extends: N`` starts from the resolved version N;
- every top-level key it gives replaces the inherited value wholesale;
- ``amend:`` holds lists of named items (``target_groups``, ``datasets``, ``inputs``, ...) merged
  *by name* into the inherited lists: keys of an item replace the inherited item's keys, nested
  named lists (a dataset's ``variables``) merge the same way, ``remove: true`` deletes the item,
  ``replace: true`` replaces it whole, and an unknown name is appended.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from crossroads.permits.errors import PermitFileError, PermitIssue
from crossroads.permits.model import FieldPath, Permit, format_path

_AMENDABLE_FLAGS = ("remove", "replace")
_AMENDABLE_LISTS = ("target_groups", "datasets", "inputs")


@dataclass(frozen=True)
class SourceMap:
    """The resolved YAML node tree of a permit file, to turn field paths into lines and columns."""

    file: str
    root: yaml.Node

    def locate(self, path: FieldPath) -> tuple[int | None, int | None]:
        """1-based line and column of the node at ``path`` (or of its nearest existing parent)."""
        node, _, _ = _walk(self.root, path)
        return node.start_mark.line + 1, node.start_mark.column + 1

    def issue(self, path: FieldPath, message: str) -> PermitIssue:
        line, column = self.locate(path)
        return PermitIssue(self.file, line, column, format_path(path), message)


def load(path: str | Path) -> Permit:
    """Read and validate a permit file; raise :class:`PermitFileError` listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PermitFileError(
            [PermitIssue(str(path), None, None, "", f"cannot read: {exc.strerror}")]
        ) from None
    except UnicodeDecodeError as exc:
        raise PermitFileError(
            [PermitIssue(str(path), None, None, "", f"not UTF-8 text (byte {exc.start})")]
        ) from None
    return load_text(text, file=str(path))


def load_text(text: str, *, file: str = "<permit>") -> Permit:
    """Validate permit YAML given as text; ``file`` is the name used in error messages."""
    root = _compose(text, file)
    issues = [*_duplicate_keys(root, file), *_merge_keys(root, file)]
    if issues:
        raise PermitFileError(issues)
    resolved, issues = _resolve_versions(root, file)
    if issues:
        raise PermitFileError(issues)
    source = SourceMap(file, resolved)
    data = yaml.SafeLoader("").construct_document(resolved)
    if not isinstance(data, dict):
        raise PermitFileError(
            [PermitIssue(file, 1, 1, "", "a permit file must be a mapping of keys to values")]
        )
    collected: list[tuple[FieldPath, str]] = []
    try:
        permit = Permit.model_validate(data, context={"consistency_issues": collected})
    except ValidationError as exc:
        raise PermitFileError(_once([_pydantic_issue(source, error) for error in exc.errors()])) from None
    if collected:
        raise PermitFileError(_once([source.issue(path, message) for path, message in collected]))
    permit._source = source
    return permit


def _once(issues: list[PermitIssue]) -> list[PermitIssue]:
    """One issue per place: a field inherited by later versions is reported where it was written."""
    first: dict[tuple[int | None, int | None, str], int] = {}
    result: list[PermitIssue] = []
    also: dict[int, list[str]] = {}
    for issue in issues:
        key = (issue.line, issue.column, issue.message)
        if key in first:
            also.setdefault(first[key], []).append(issue.path)
            continue
        first[key] = len(result)
        result.append(issue)
    for index, paths in also.items():
        issue = result[index]
        result[index] = PermitIssue(
            issue.file, issue.line, issue.column, issue.path, f"{issue.message} (also as {', '.join(paths)})"
        )
    return result


def source_of(permit: Permit) -> SourceMap | None:
    """The source map of a permit read by :func:`load`, or None for one built in code."""
    source = getattr(permit, "_source", None)
    return source if isinstance(source, SourceMap) else None


# --- YAML nodes -----------------------------------------------------------------------------------


def _compose(text: str, file: str) -> yaml.MappingNode:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise PermitFileError([PermitIssue(file, line, column, "", f"YAML syntax: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise PermitFileError([PermitIssue(file, None, None, "", f"YAML: {exc}")]) from None
    if root is None:
        raise PermitFileError([PermitIssue(file, 1, 1, "", "the file is empty")])
    if not isinstance(root, yaml.MappingNode):
        raise PermitFileError(
            [_node_issue(file, root, "", "a permit file must be a mapping of keys to values")]
        )
    return root


def _node_issue(file: str, node: yaml.Node, path: str, message: str) -> PermitIssue:
    return PermitIssue(file, node.start_mark.line + 1, node.start_mark.column + 1, path, message)


def _mappings(node: yaml.Node) -> Iterator[yaml.MappingNode]:
    if isinstance(node, yaml.MappingNode):
        yield node
        for key, value in node.value:
            yield from _mappings(key)
            yield from _mappings(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _mappings(item)


def _duplicate_keys(root: yaml.Node, file: str) -> list[PermitIssue]:
    """PyYAML keeps the last of two equal keys silently; in a permit that hides a condition."""
    issues = []
    for mapping in _mappings(root):
        seen: dict[str, int] = {}
        for key, _ in mapping.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            if key.value in seen:
                issues.append(
                    _node_issue(
                        file, key, key.value, f"key {key.value!r} repeats the one on line {seen[key.value]}"
                    )
                )
            else:
                seen[key.value] = key.start_mark.line + 1
    return issues


def _merge_keys(root: yaml.Node, file: str) -> list[PermitIssue]:
    return [
        _node_issue(
            file, key, "<<", "YAML merge keys (<<) are not supported; use `extends:` between versions"
        )
        for mapping in _mappings(root)
        for key, _ in mapping.value
        if isinstance(key, yaml.ScalarNode) and key.tag == "tag:yaml.org,2002:merge"
    ]


def _get(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value
    return None


def _scalar(node: yaml.Node | None) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return yaml.SafeLoader("").construct_object(node)
    return None


def _walk(root: yaml.Node, path: FieldPath) -> tuple[yaml.Node, FieldPath, yaml.Node | None]:
    """Follow ``path`` through the node tree as far as it goes.

    Returns the node reached, the part of ``path`` that matched real keys and indexes (pydantic adds
    union branch tags such as ``'str'`` to a location; those are skipped) and the key node of the last
    mapping step.
    """
    node = root
    matched: list[str | int] = []
    key_node: yaml.Node | None = None
    for part in path:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    node, key_node = value, key
                    matched.append(part)
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node, key_node = node.value[part], None
            matched.append(part)
    return node, tuple(matched), key_node


def _pydantic_issue(source: SourceMap, error: ErrorDetails) -> PermitIssue:
    loc = tuple(error["loc"])
    node, matched, key_node = _walk(source.root, loc)
    shown: FieldPath = matched
    if error["type"] == "missing" and loc and isinstance(loc[-1], str):
        shown = (*matched, loc[-1])
    anchor = key_node if error["type"] == "extra_forbidden" and key_node is not None else node
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (not part of the permit format)"
    elif error["type"] == "missing":
        message = "required key is missing"
    elif "input" in error and isinstance(error["input"], str | int | float | bool):
        message += f" (got {str(error['input'])[:40]!r})"
    return PermitIssue(
        source.file,
        anchor.start_mark.line + 1,
        anchor.start_mark.column + 1,
        format_path(shown),
        message,
    )


# --- amendments -----------------------------------------------------------------------------------


def _resolve_versions(root: yaml.MappingNode, file: str) -> tuple[yaml.MappingNode, list[PermitIssue]]:
    """Replace every ``extends:`` version by the full document it stands for."""
    versions = _get(root, "versions")
    if not isinstance(versions, yaml.SequenceNode):
        return root, []  # pydantic reports a missing or malformed `versions`
    issues: list[PermitIssue] = []
    resolved: list[yaml.Node] = []
    by_number: dict[int, yaml.MappingNode] = {}
    for index, item in enumerate(versions.value):
        path = f"versions[{index}]"
        if not isinstance(item, yaml.MappingNode):
            resolved.append(item)
            continue
        extends_node = _get(item, "extends")
        number = _scalar(_get(item, "version"))
        if extends_node is None:
            if _get(item, "amend") is not None:
                issues.append(_node_issue(file, item, f"{path}.amend", "`amend` needs `extends`"))
            full = item
        else:
            base_number = _scalar(extends_node)
            base = by_number.get(base_number) if isinstance(base_number, int) else None
            if base is None:
                issues.append(
                    _node_issue(
                        file,
                        extends_node,
                        f"{path}.extends",
                        f"extends {base_number!r}: no earlier version has it",
                    )
                )
                resolved.append(item)
                continue
            full = _extend(base, item, file, path, issues)
        resolved.append(full)
        if isinstance(number, int) and not isinstance(number, bool):
            by_number[number] = full
    new_versions = yaml.SequenceNode(versions.tag, resolved, versions.start_mark, versions.end_mark)
    new_root = yaml.MappingNode(
        root.tag,
        [(key, new_versions if value is versions else value) for key, value in root.value],
        root.start_mark,
        root.end_mark,
    )
    return new_root, issues


def _extend(
    base: yaml.MappingNode, patch: yaml.MappingNode, file: str, path: str, issues: list[PermitIssue]
) -> yaml.MappingNode:
    given = {key.value: value for key, value in patch.value if isinstance(key, yaml.ScalarNode)}
    pairs: list[tuple[yaml.Node, yaml.Node]] = []
    for key, value in base.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name not in given:
            pairs.append((key, value))
    pairs += [
        (key, value)
        for key, value in patch.value
        if not (isinstance(key, yaml.ScalarNode) and key.value == "amend")
    ]
    amend = given.get("amend")
    if amend is not None:
        if not isinstance(amend, yaml.MappingNode):
            issues.append(
                _node_issue(file, amend, f"{path}.amend", "`amend` must be a mapping of named lists")
            )
        else:
            for key, changes in amend.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                where = f"{path}.amend.{name}"
                if name not in _AMENDABLE_LISTS:
                    issues.append(
                        _node_issue(
                            file, key, where, f"`amend` takes {', '.join(_AMENDABLE_LISTS)}; not {name!r}"
                        )
                    )
                    continue
                if name in given:
                    issues.append(_node_issue(file, key, where, f"`{name}` is both replaced and amended"))
                    continue
                index = next((i for i, (k, _) in enumerate(pairs) if getattr(k, "value", None) == name), None)
                inherited = pairs[index][1] if index is not None else None
                if not isinstance(inherited, yaml.SequenceNode) or not isinstance(changes, yaml.SequenceNode):
                    issues.append(
                        _node_issue(
                            file, key, where, f"only inherited lists of named items can be amended ({name!r})"
                        )
                    )
                    continue
                merged = _merge_named(inherited, changes, file, where, issues)
                assert index is not None
                pairs[index] = (pairs[index][0], merged)
    return yaml.MappingNode(patch.tag, pairs, patch.start_mark, patch.end_mark)


def _merge_named(
    base: yaml.SequenceNode, changes: yaml.SequenceNode, file: str, path: str, issues: list[PermitIssue]
) -> yaml.SequenceNode:
    items = list(base.value)

    def position(name: Any) -> int | None:
        for i, item in enumerate(items):
            if isinstance(item, yaml.MappingNode) and _scalar(_get(item, "name")) == name:
                return i
        return None

    for j, change in enumerate(changes.value):
        where = f"{path}[{j}]"
        name = _scalar(_get(change, "name")) if isinstance(change, yaml.MappingNode) else None
        if not isinstance(change, yaml.MappingNode) or not isinstance(name, str):
            issues.append(_node_issue(file, change, where, "an amended item must be a mapping with a `name`"))
            continue
        flags = {flag: _scalar(_get(change, flag)) is True for flag in _AMENDABLE_FLAGS}
        body = yaml.MappingNode(
            change.tag,
            [(k, v) for k, v in change.value if getattr(k, "value", None) not in _AMENDABLE_FLAGS],
            change.start_mark,
            change.end_mark,
        )
        at = position(name)
        if flags["remove"]:
            if at is None:
                issues.append(
                    _node_issue(file, change, where, f"cannot remove {name!r}: no inherited item has it")
                )
            else:
                del items[at]
        elif at is None:
            items.append(body)
        elif flags["replace"]:
            items[at] = body
        else:
            items[at] = _merge_item(items[at], body, file, where, issues)
    return yaml.SequenceNode(base.tag, items, changes.start_mark, changes.end_mark)


def _merge_item(
    base: yaml.Node, change: yaml.MappingNode, file: str, path: str, issues: list[PermitIssue]
) -> yaml.MappingNode:
    assert isinstance(base, yaml.MappingNode)
    pairs = list(base.value)
    for key, value in change.value:
        name = getattr(key, "value", None)
        index = next((i for i, (k, _) in enumerate(pairs) if getattr(k, "value", None) == name), None)
        if index is None:
            pairs.append((key, value))
            continue
        inherited = pairs[index][1]
        if _is_named_list(inherited) and _is_named_list(value):
            assert isinstance(inherited, yaml.SequenceNode) and isinstance(value, yaml.SequenceNode)
            pairs[index] = (key, _merge_named(inherited, value, file, f"{path}.{name}", issues))
        else:
            pairs[index] = (key, value)
    return yaml.MappingNode(change.tag, pairs, change.start_mark, change.end_mark)


def _is_named_list(node: yaml.Node) -> bool:
    return (
        isinstance(node, yaml.SequenceNode)
        and bool(node.value)
        and all(isinstance(item, yaml.MappingNode) and _get(item, "name") is not None for item in node.value)
    )
