"""Configuration: find, validate and resolve the ruleset that applies to a spec.

A configuration is ``.funnelspec.yaml`` (or ``.yml``), or the
``[tool.funnelspec]`` table of ``pyproject.toml``. The one used is in the
spec's folder or the nearest parent folder that has one, unless
``--config PATH`` names it. Without any, the built-in ``recommended`` ruleset
applies.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import logging
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from funnelspec.errors import UsageError
from funnelspec.findings import Path as ValuePath
from funnelspec.findings import Position, format_path
from funnelspec.rules.registry import known_check
from funnelspec.rules.ruleset import Rule, Ruleset, adjust_rule, merge_rules
from funnelspec.spec.loader import SourceMap, load_text

logger = logging.getLogger("funnelspec")

BUILTIN_RULESETS = ("recommended", "marketing")
CONFIG_NAMES = (".funnelspec.yaml", ".funnelspec.yml")
PYPROJECT = "pyproject.toml"


class ConfigError(UsageError):
    """An invalid configuration or ruleset file, with the position of the error."""


@dataclass(frozen=True)
class Override:
    """Rule adjustments for the specs that match one of ``patterns``."""

    patterns: tuple[str, ...]
    rules: Mapping[str, Any]
    select: tuple[str, ...] | None
    ignore: tuple[str, ...]
    origin: str


@dataclass
class Config:
    """A resolved configuration: the base ruleset and per-file overrides."""

    path: str | None
    root: Path
    ruleset: Ruleset
    overrides: list[Override] = field(default_factory=list)
    _by_overrides: dict[tuple[int, ...], Ruleset] = field(default_factory=dict)

    def ruleset_for(self, spec_path: str) -> Ruleset:
        """Return the ruleset for one spec, with matching overrides applied."""
        matching = tuple(
            index
            for index, override in enumerate(self.overrides)
            if _glob_matches(spec_path, self.root, override.patterns)
        )
        if not matching:
            return self.ruleset
        if matching not in self._by_overrides:
            ruleset = self.ruleset
            for index in matching:
                ruleset = _apply_override(ruleset, self.overrides[index])
            self._by_overrides[matching] = ruleset
        return self._by_overrides[matching]

    def describe(self) -> dict[str, Any]:
        """Return the resolved configuration as plain data, for display."""
        rules: dict[str, Any] = {}
        for code, rule in self.ruleset.rules.items():
            entry: dict[str, Any] = {
                "name": rule.name,
                "severity": rule.severity.label,
                "active": self.ruleset.is_active(code),
            }
            if rule.options:
                entry["options"] = dict(rule.options)
            if rule.origin:
                entry["defined_in"] = rule.origin
            rules[code] = entry
        return {
            "config": self.path or "(none: built-in recommended ruleset)",
            "ruleset": self.ruleset.name,
            "select": list(self.ruleset.select),
            "ignore": list(self.ruleset.ignore),
            "overrides": [
                {"files": list(override.patterns), "defined_in": override.origin}
                for override in self.overrides
            ],
            "rules": rules,
        }


def _glob_matches(spec_path: str, root: Path, patterns: tuple[str, ...]) -> bool:
    path = Path(spec_path).resolve()
    try:
        relative = path.relative_to(root.resolve()).as_posix()
    except ValueError:
        relative = path.as_posix()
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in patterns)


def _apply_override(ruleset: Ruleset, override: Override) -> Ruleset:
    rules = dict(ruleset.rules)
    for code, setting in override.rules.items():
        rules[code] = adjust_rule(rules[code], setting, override.origin)
    select = ruleset.select if override.select is None else override.select
    return replace(
        ruleset,
        rules=rules,
        select=select,
        ignore=(*ruleset.ignore, *override.ignore),
    )


# --- loading files ---------------------------------------------------------


@dataclass
class _File:
    """One configuration or ruleset file, read and validated."""

    label: str  # path shown to the user, or "builtin:NAME"
    folder: Path
    data: dict[str, Any]
    source: SourceMap | None
    text: str
    builtin: bool = False

    def error(self, path: ValuePath, message: str) -> ConfigError:
        position = self.position(path)
        where = f"{self.label}:{position.line}:{position.column}"
        shown = format_path(path)
        return ConfigError(f"{where}: {shown + ': ' if shown else ''}{message}")

    def position(self, path: ValuePath) -> Position:
        if self.source is not None:
            return self.source.locate(path)
        return _toml_position(self.text, path)


def _toml_position(text: str, path: ValuePath) -> Position:
    # tomllib reports no positions, so find the table header and then the
    # deepest key of the path written after it.
    lines = text.splitlines()
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if line.strip().startswith("[tool.funnelspec")
        ),
        0,
    )
    found = start
    for part in path:
        if isinstance(part, int):
            continue
        for index in range(found, len(lines)):
            if str(part) in lines[index]:
                found = index
                break
    return Position(found + 1, 1)


@cache
def _schema_validator() -> Any:
    import jsonschema

    text = (resources.files("funnelspec.rules") / "config.schema.json").read_text(
        encoding="utf-8"
    )
    return jsonschema.Draft202012Validator(json.loads(text))


def read_config_file(path: Path) -> _File:
    """Read a .funnelspec.yaml, ruleset file or pyproject.toml and validate it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration ({exc})") from None
    if path.name == PYPROJECT:
        config_file = _read_pyproject(path, text)
    else:
        config_file = _read_yaml(str(path), path.parent, text)
    _validate(config_file)
    return config_file


def _read_yaml(label: str, folder: Path, text: str, builtin: bool = False) -> _File:
    document = load_text(text, label)
    if document.problems:
        problem = document.problems[0]
        where = f"{label}:{problem.position.line}:{problem.position.column}"
        raise ConfigError(f"{where}: {problem.message}")
    data = document.data if document.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError(f"{label}:1:1: a configuration is a mapping of settings")
    return _File(label, folder, data, document.source, text, builtin)


def _read_pyproject(path: Path, text: str) -> _File:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    tool = document.get("tool")
    data = tool.get("funnelspec") if isinstance(tool, dict) else None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: has no [tool.funnelspec] table")
    return _File(str(path), path.parent, data, None, text)


def _validate(config_file: _File) -> None:
    errors = sorted(
        _schema_validator().iter_errors(config_file.data),
        key=lambda error: (list(map(str, error.absolute_path)), error.message),
    )
    if errors:
        error = errors[0]
        path = tuple(error.absolute_path)
        raise config_file.error(path, _schema_message(error))


def _schema_message(error: Any) -> str:
    if error.validator == "additionalProperties":
        return str(error.message).replace("Additional properties", "unknown keys")
    if error.validator == "anyOf" and error.context:
        best = min(error.context, key=lambda sub: len(sub.message))
        return f"invalid value: {best.message}"
    return str(error.message)


@cache
def _builtin_file(name: str) -> _File:
    text = (
        resources.files("funnelspec.rules") / "rulesets" / f"{name}.yaml"
    ).read_text(encoding="utf-8")
    return _read_yaml(f"builtin:{name}", Path("."), text, builtin=True)


# --- resolving --------------------------------------------------------------


def _resolve_file(config_file: _File, chain: tuple[str, ...]) -> Ruleset:
    if config_file.label in chain:
        loop = " -> ".join((*chain, config_file.label))
        raise ConfigError(f"{chain[0]}: extends form a loop ({loop})")
    chain = (*chain, config_file.label)
    _load_plugins(config_file)

    rules: dict[str, Rule] = {}
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    for index, parent in enumerate(_extends(config_file)):
        parent_file = _open_extended(config_file, parent, index)
        parent_set = _resolve_file(parent_file, chain)
        rules.update(parent_set.rules)
        select = parent_set.select or select
        ignore = (*ignore, *parent_set.ignore)

    for code, setting in (config_file.data.get("rules") or {}).items():
        try:
            rules = merge_rules(rules, {code: setting}, config_file.label)
        except ValueError as exc:
            raise config_file.error(("rules", code), str(exc)) from None

    for code, rule in rules.items():
        if (
            rule.origin == config_file.label
            and rule.check
            and not known_check(rule.check)
        ):
            raise config_file.error(
                ("rules", code, "check"),
                f"unknown check {rule.check!r}; use a built-in or generic check, "
                "or register it with a plugin",
            )

    select = tuple(config_file.data.get("select") or select)
    ignore = (*ignore, *(config_file.data.get("ignore") or ()))
    name = str(config_file.data.get("ruleset") or config_file.label)
    return Ruleset(name=name, rules=rules, select=select, ignore=ignore)


def _extends(config_file: _File) -> list[str]:
    extends = config_file.data.get("extends")
    if extends is None:
        return [] if config_file.builtin else ["recommended"]
    return [extends] if isinstance(extends, str) else list(extends)


def _open_extended(config_file: _File, parent: str, index: int) -> _File:
    if parent in BUILTIN_RULESETS:
        return _builtin_file(parent)
    if config_file.builtin:
        raise ConfigError(f"{config_file.label}: unknown built-in ruleset {parent!r}")
    path = (config_file.folder / parent).resolve()
    if not path.is_file():
        position: ValuePath = (
            ("extends", index)
            if isinstance(config_file.data.get("extends"), list)
            else ("extends",)
        )
        names = ", ".join(BUILTIN_RULESETS)
        raise config_file.error(
            position,
            f"ruleset {parent!r} is neither a built-in ({names}) nor a file "
            f"(looked for {path})",
        )
    return read_config_file(path)


def _load_plugins(config_file: _File) -> None:
    # Built-in checks register first, so a plugin that reuses one of their
    # names fails on its own import with a message, not later.
    from funnelspec.rules import checks  # noqa: F401

    for index, entry in enumerate(config_file.data.get("plugins") or []):
        path = (config_file.folder / entry).resolve()
        if not path.is_file():
            raise config_file.error(("plugins", index), f"plugin file {path} not found")
        module_name = f"funnelspec_plugin_{abs(hash(str(path)))}"
        if module_name in sys.modules:
            continue
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise config_file.error(("plugins", index), f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except (Exception, SystemExit) as exc:
            del sys.modules[module_name]
            raise config_file.error(
                ("plugins", index), f"plugin {path} failed to import: {exc!r}"
            ) from None
        logger.info("loaded plugin %s", path)


def _overrides(config_file: _File, ruleset: Ruleset) -> list[Override]:
    overrides = []
    for index, entry in enumerate(config_file.data.get("overrides") or []):
        files = entry["files"]
        patterns = (files,) if isinstance(files, str) else tuple(files)
        rules = dict(entry.get("rules") or {})
        for code, setting in rules.items():
            if code not in ruleset.rules:
                raise config_file.error(
                    ("overrides", index, "rules", code),
                    f"unknown rule {code}; overrides can only adjust existing rules",
                )
            try:
                adjust_rule(ruleset.rules[code], setting)
            except ValueError as exc:
                raise config_file.error(
                    ("overrides", index, "rules", code), str(exc)
                ) from None
        select = entry.get("select")
        overrides.append(
            Override(
                patterns=patterns,
                rules=rules,
                select=None if select is None else tuple(select),
                ignore=tuple(entry.get("ignore") or ()),
                origin=config_file.label,
            )
        )
    return overrides


def builtin_config(name: str = "recommended") -> Config:
    """Return the configuration of a built-in ruleset, with no overrides."""
    return _builtin_config(name)


@cache
def _builtin_config(name: str) -> Config:
    ruleset = _resolve_file(_builtin_file(name), ())
    return Config(path=None, root=Path.cwd(), ruleset=ruleset)


def load_config(path: Path) -> Config:
    """Read and resolve the configuration file at path."""
    config_file = read_config_file(path)
    ruleset = _resolve_file(config_file, ())
    logger.info("configuration %s: %d rules", path, len(ruleset.rules))
    return Config(
        path=str(path),
        root=config_file.folder,
        ruleset=ruleset,
        overrides=_overrides(config_file, ruleset),
    )


def find_config_file(spec_path: str) -> Path | None:
    """Return the nearest configuration file for a spec, searching upward."""
    start = Path(spec_path).resolve().parent if spec_path != "-" else Path.cwd()
    return _find_in(start)


@cache
def _find_in(folder: Path) -> Path | None:
    for name in CONFIG_NAMES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    pyproject = folder / PYPROJECT
    if pyproject.is_file() and _has_tool_table(pyproject):
        return pyproject
    if folder.parent == folder:
        return None
    return _find_in(folder.parent)


def _has_tool_table(pyproject: Path) -> bool:
    """Tell whether a pyproject.toml has a [tool.funnelspec] table.

    A file that only mentions the table (in a comment, say) is passed over
    and the search goes on upward. One that cannot be parsed but names the
    table is taken, so its TOML error is reported.
    """
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "tool.funnelspec" not in text:
        return False
    try:
        tool = tomllib.loads(text).get("tool")
    except tomllib.TOMLDecodeError:
        return True
    return isinstance(tool, dict) and isinstance(tool.get("funnelspec"), dict)


class ConfigResolver:
    """Give each spec its configuration: ``--config`` or the nearest file."""

    def __init__(self, override: str | None = None) -> None:
        self.fixed = load_config(Path(override)) if override else None
        self._loaded: dict[Path, Config] = {}

    def config_for(self, spec_path: str) -> Config:
        if self.fixed is not None:
            return self.fixed
        found = find_config_file(spec_path)
        if found is None:
            return builtin_config()
        if found not in self._loaded:
            self._loaded[found] = load_config(found)
        return self._loaded[found]

    def ruleset_for(self, spec_path: str) -> Ruleset:
        return self.config_for(spec_path).ruleset_for(spec_path)
