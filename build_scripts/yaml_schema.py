"""Read a YAML file into a pydantic model, turning every error into a Problem with its field and fix."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from build_scripts.errors import Problem

Model = TypeVar("Model", bound=BaseModel)
TIMESTAMP = "tag:yaml.org,2002:timestamp"
REAL_DATE_FIX = "use a real date as YYYY-MM-DD, e.g. 2015-10-01"


MAX_EXPANDED_VALUES = 1_000_000  # far beyond any codebook; a "billion laughs" alias bomb expands past it


class DatesAsTextLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that dates stay text, so that an impossible one (2015-02-30) is a field's
    problem for the schema to report rather than a ValueError from deep inside the parser; and a document
    whose aliases would expand to more than MAX_EXPANDED_VALUES values is a YAML error, not a memory bomb."""

    def compose_document(self):
        """The document's node graph, refused if its aliases would expand it beyond MAX_EXPANDED_VALUES."""
        node = super().compose_document()
        if _expanded_size(node, {}) > MAX_EXPANDED_VALUES:
            raise yaml.YAMLError(f"its aliases (*name) would expand it to more than {MAX_EXPANDED_VALUES:,} values")
        return node


def _expanded_size(node: yaml.Node, seen: dict[int, int]) -> int:
    """How many values the node stands for once every alias is written out (shared nodes counted once each use)."""
    if id(node) in seen:
        return seen[id(node)]
    seen[id(node)] = MAX_EXPANDED_VALUES + 1  # a node inside itself expands without end
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, seen) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(key, seen) + _expanded_size(value, seen) for key, value in node.value)
    else:
        size = 1
    seen[id(node)] = min(size, MAX_EXPANDED_VALUES + 1)
    return seen[id(node)]


DatesAsTextLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
DatesAsTextLoader.add_constructor(TIMESTAMP, yaml.SafeLoader.construct_scalar)  # an explicit !!timestamp too


class TagTolerantLoader(DatesAsTextLoader):
    """mkdocs.yml read for plain values: tags such as !ENV and !!python/name: are taken as empty."""


for _prefix in ("!", "tag:yaml.org,2002:python/"):
    TagTolerantLoader.add_multi_constructor(_prefix, lambda loader, suffix, node: None)


class EnvironmentLoader(TagTolerantLoader):
    """mkdocs.yml as the engines read it for its values: `!ENV NAME` and `!ENV [NAME, OTHER, default]` from the
    environment (the first variable set, else the default), other tags empty."""


def _environment_value(loader: yaml.SafeLoader, node: yaml.Node):
    """An !ENV value as MkDocs' reader (pyyaml_env_tag) resolves it: text typed as YAML would type it."""
    names, default = [], None
    if isinstance(node, yaml.ScalarNode):
        names = [loader.construct_scalar(node)]
    elif isinstance(node, yaml.SequenceNode) and node.value:
        children = node.value
        if len(children) > 1:
            default, children = loader.construct_object(children[-1]), children[:-1]
        names = [loader.construct_scalar(child) for child in children]
    for name in names:
        if isinstance(name, str) and name in os.environ:
            value = os.environ[name]
            tag = loader.resolve(yaml.ScalarNode, value, (True, False))
            return loader.construct_object(yaml.ScalarNode(tag, value))
    return default


EnvironmentLoader.add_constructor("!ENV", _environment_value)


def read_site_config(config_file: Path, environment: bool = False) -> dict:
    """mkdocs.yml as plain data (tags such as !ENV empty, or with `environment` !ENV read as the engines read it),
    or {} when it is broken: MkDocs reports that itself."""
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"),
                           Loader=EnvironmentLoader if environment else TagTolerantLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, KeyError, TypeError, RecursionError):
        return {}
    return config if isinstance(config, dict) else {}


def site_config_problems(config_file: Path) -> list[Problem]:
    """mkdocs.yml that cannot be read as YAML, as a problem (the engine would stop on it after `check` passed)."""
    try:
        yaml.load(config_file.read_text(encoding="utf-8"), Loader=TagTolerantLoader)
    except (yaml.YAMLError, ValueError, UnicodeDecodeError) as exc:
        return [Problem(config_file.name, "", f"mkdocs.yml is not valid YAML: {str(exc)[:160]}",
                        "correct the indentation, quotes or colons on the line it names")]
    except OSError:
        return []  # a missing file is reported before anything reads it
    return []


def parse_yaml(text: str):
    """YAML text as Python data, dates kept as text; any failure to parse it is a yaml.YAMLError."""
    try:
        return yaml.load(text, Loader=DatesAsTextLoader)
    except yaml.YAMLError:
        raise
    except (ValueError, KeyError, TypeError, IndexError, OverflowError, RecursionError) as exc:
        # An explicit tag on a value it cannot hold (!!int x, !!bool maybe) or nesting deeper than Python can go.
        raise yaml.YAMLError(f"a value cannot be read ({type(exc).__name__}): check any !!tag and the nesting") from exc


def as_timestamp(text) -> dt.date | None:
    """Text written as a YAML date (2015-11-02, or with a time) as the date or datetime it names, None if it is
    not written as one; ValueError if it names a day that does not exist."""
    if not isinstance(text, str) or not yaml.SafeLoader.timestamp_regexp.match(text):
        return None
    return yaml.SafeLoader("").construct_yaml_timestamp(yaml.ScalarNode(TIMESTAMP, text))


def read_model(path: Path, shown_as: str, schema: type[Model], what: str) -> tuple[Model | None, list[Problem]]:
    """Parse and validate a YAML file (`what` names it, e.g. "survey.yml"), returning the model or every problem."""
    missing_fix = f"create {what} (see README)"
    try:
        text = path.read_text(encoding="utf-8")
        raw = parse_yaml(text)
    except FileNotFoundError:
        return None, [Problem(shown_as, "", "the file is missing", missing_fix)]
    except UnicodeDecodeError as exc:
        return None, [Problem(shown_as, f"byte {exc.start}", "the file is not UTF-8 text",
                              "save it as UTF-8 in your editor")]
    except OSError as exc:
        return None, [Problem(shown_as, "", f"the file cannot be read: {exc.strerror}", missing_fix)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        return None, [Problem(shown_as, where, f"this is not valid YAML: {getattr(exc, 'problem', exc)}",
                              "correct the YAML syntax (indentation, quotes, colons)")]
    if not isinstance(raw, dict):
        return None, [Problem(shown_as, "", "the file must be a mapping of fields (name: value)",
                              f"start from a shipped {what} and edit it")]
    try:
        return schema.model_validate(raw), []
    except ValidationError as exc:
        try:
            as_written = yaml.load(text, Loader=yaml.BaseLoader)
        except (yaml.YAMLError, RecursionError):
            as_written = None  # a self-referring alias the safe loader builds but this one cannot: no quoting hint
        return None, [problem_from(err, shown_as, schema, as_written, what) for err in exc.errors()]


def problem_from(err: dict, shown_as: str, schema: type[BaseModel], as_written, what: str) -> Problem:
    """Turn one pydantic error into a Problem that says which field and how to fix it."""
    loc = [str(part) for part in err["loc"]]
    field = _field_path(err["loc"])
    name = loc[-1] if loc else ""
    value = None if err["type"] == "missing" else _short(err.get("input"))
    if err["type"] == "missing":
        help_text = _field_help(schema, err["loc"])
        return Problem(shown_as, f"field {field}", "a required field is missing",
                       f"add `{name}:` ({help_text})" if help_text else f"add `{name}:`")
    if err["type"] == "extra_forbidden":
        return Problem(shown_as, f"field {field}", f"this field is not part of the {what} schema",
                       "remove it or correct its spelling (see README)")
    message = err["msg"].removeprefix("Value error, ")
    help_text = _field_help(schema, err["loc"])
    fix = f"give {help_text}" if help_text else "correct the value"
    if err["type"] == "string_type" and isinstance(err.get("input"), (int, float, bool)):
        # YAML turns unquoted 18_24 into 1824 and yes into True: quote the text as it was typed.
        typed = _as_written(as_written, err["loc"])
        value = typed if typed is not None else value
        fix = (f"put the value in quotes, e.g. \"{value}\" (unquoted, YAML reads it as a "
               f"{'true/false value' if isinstance(err['input'], bool) else 'number'})")
    if err["type"] == "string_pattern_mismatch":
        fix = "use lower-case letters, digits, '-' and '_' only, starting with a letter or digit"
    if err["type"].startswith("date_"):
        fix = REAL_DATE_FIX
        if str(err.get("input", "")).upper().startswith("TODO"):  # what new-survey leaves for a person to fill in
            message = "this still holds the draft's placeholder: fill it in"
    return Problem(shown_as, f"field {field}" if field else "", message, fix, value)


def _as_written(tree, loc: tuple) -> str | None:
    """The scalar at loc in a YAML tree loaded with every value kept as text."""
    for part in loc:
        try:
            tree = tree[part]
        except (KeyError, IndexError, TypeError):
            return None
    return tree if isinstance(tree, str) else None


def _field_path(loc: tuple) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _field_help(schema: type[BaseModel], loc: tuple) -> str | None:
    """The description declared on the schema for the field at loc, if any."""
    model: type[BaseModel] | None = schema
    description = None
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        description = field.description
        model = _model_of(field.annotation)
    return description


def _model_of(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found:
            return found
    return None


def _short(value) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."
