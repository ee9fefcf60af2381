"""Block Kit validation the way Slack's API rejects payloads.

`problems(kind, payload)` returns Slack-style messages such as
``"must be less than 25 characters [json-pointer:/view/title/text]"`` - the same wording and
pointers that Slack puts in an `invalid_blocks` / `invalid_arguments` response - so a failing
test reads like the production error would.

Two layers:
1. the vendored JSON schema (bot/emulator/slack-block-kit.schema.json), whose `oneOf` unions are
   explained by following the branch whose `type` matches, instead of jsonschema's
   "is not valid under any of the given schemas";
2. the limits SLACK.md lists that a per-block schema cannot express (50 blocks per message,
   unique block_id/action_id, min_length <= max_length, initial options that exist, ...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

Kind = Literal["message", "modal", "home"]

SCHEMA_PATH = Path(__file__).resolve().parent / "slack-block-kit.schema.json"

MAX_MESSAGE_BLOCKS = 50  # (Slack) the schema's top-level array allows the modal/home 100
MAX_VIEW_BYTES = 250_000  # (Slack) "greater than 250kb"; decimal kB is the stricter reading

# Elements that carry state or send actions, and so take an action_id Slack fills in if absent.
INTERACTIVE_ELEMENTS = frozenset(
    {
        "button",
        "checkboxes",
        "datepicker",
        "datetimepicker",
        "timepicker",
        "overflow",
        "radio_buttons",
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
        "plain_text_input",
        "email_text_input",
        "url_text_input",
        "number_input",
        "rich_text_input",
        "file_input",
        "workflow_button",
        "icon_button",
        "feedback_buttons",
    }
)


@cache
def _validators() -> dict[Kind, Draft202012Validator]:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    defs = schema["$defs"]

    def root(body: dict[str, Any]) -> Draft202012Validator:
        # A fresh root per surface, sharing $defs, so "#/$defs/..." refs resolve as in the file.
        return Draft202012Validator({"$defs": defs, **body})

    return {
        "message": root({"type": "array", "items": {"$ref": "#/$defs/block"}}),
        "modal": root({"$ref": "#/$defs/modal_view"}),
        "home": root({"$ref": "#/$defs/home_view"}),
    }


def problems(kind: Kind, payload: dict[str, Any] | list[Any]) -> list[str]:
    """Everything Slack would reject in `payload`, as Slack-style messages ([] means valid).

    kind="message": payload is the chat.postMessage/chat.update arguments (a dict with
    "blocks"; a bare list of blocks is accepted too). kind="modal"/"home": payload is the view.
    """
    # Schema validation is costly and apps send the same views again and again; the verdict
    # depends only on the content, so it is remembered by that.
    return list(_problems_of(kind, json.dumps(payload, sort_keys=True)))


@lru_cache(maxsize=4096)
def _problems_of(kind: Kind, content: str) -> tuple[str, ...]:
    return tuple(_problems(kind, json.loads(content)))


def _problems(kind: Kind, payload: Any) -> list[str]:
    if kind == "message":
        blocks = payload.get("blocks") if isinstance(payload, dict) else payload
        if blocks is None:
            return []
        return _message_problems(blocks)
    if not isinstance(payload, dict):
        return [f"expected object, got {_json_type(payload)} [json-pointer:/view]"]
    return _view_problems(kind, payload)


def view_size(view: dict[str, Any]) -> int:
    return len(json.dumps(view, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def _message_problems(blocks: Any) -> list[str]:
    found = _schema_problems("message", blocks, "/blocks")
    if isinstance(blocks, list):
        if len(blocks) > MAX_MESSAGE_BLOCKS:
            found.append(_fmt(f"no more than {MAX_MESSAGE_BLOCKS} items allowed", "/blocks"))
        found.extend(_cross_block_problems(blocks, "/blocks", surface="message"))
    return found


def _view_problems(kind: Kind, view: dict[str, Any]) -> list[str]:
    found = [
        p
        for p in _schema_problems(kind, view, "/view")
        # Reworded below with Slack's own sentence and pointer.
        if p != _fmt("missing required field: submit", "/view")
    ]
    blocks = view.get("blocks")
    if isinstance(blocks, list):
        found.extend(_cross_block_problems(blocks, "/view/blocks", surface="view"))
        if kind == "modal" and "submit" not in view:
            for i, block in enumerate(blocks):
                if isinstance(block, dict) and block.get("type") == "input":
                    found.append(
                        _fmt(
                            "must define `submit` to use an `input` block in modals",
                            f"/view/blocks/{i}/input",
                        )
                    )
                    break
    size = view_size(view)
    if size > MAX_VIEW_BYTES:
        found.append(_fmt(f"view is {size} bytes; views over 250 KB are rejected (view_too_large)", "/view"))
    return found


# ---------------------------------------------------------------- schema errors, explained


def _schema_problems(kind: Kind, instance: Any, prefix: str) -> list[str]:
    out: list[str] = []
    for error in _validators()[kind].iter_errors(instance):
        for path, message in _explain(error):
            line = _fmt(message, prefix + path)
            if line not in out:
                out.append(line)
    return out


def _explain(error: ValidationError) -> list[tuple[str, str]]:
    """(json pointer below the validated root, Slack-style message) for one schema error."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        return _explain_union(error)
    return [(_pointer(error.absolute_path), _leaf_message(error))]


def _explain_union(error: ValidationError) -> list[tuple[str, str]]:
    # Group the failures by branch, drop branches whose `type` const did not match (those are
    # "a different kind of element", not what the author meant), report the closest branch.
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context or []:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    depth = len(error.absolute_path)
    candidates = [errs for errs in branches.values() if not any(_is_type_mismatch(e, depth) for e in errs)]
    here = _pointer(error.absolute_path)
    alternatives = _required_alternatives(branches)
    if error.validator == "anyOf" and alternatives:
        # e.g. a section needs `text` or `fields`: Slack names both.
        return [(here, "must define either " + " or ".join(f"`{a}`" for a in alternatives))]
    if not candidates:
        instance = error.instance
        if isinstance(instance, dict) and "type" in instance:
            return [(here + "/type", f"unsupported type: {instance['type']}")]
        if isinstance(instance, dict):
            return [(here, "missing required field: type")]
        return [(here, f"expected object, got {_json_type(instance)}")]
    best = min(candidates, key=len)
    out: list[tuple[str, str]] = []
    for sub in best:
        out.extend(_explain(sub))
    return out


def _required_alternatives(branches: dict[Any, list[ValidationError]]) -> list[str]:
    names: list[str] = []
    for errs in branches.values():
        if len(errs) != 1 or errs[0].validator != "required":
            return []
        match = re.match(r"^'(.+)' is a required property", errs[0].message)
        if not match:
            return []
        names.append(match.group(1))
    return names


def _is_type_mismatch(error: ValidationError, depth: int) -> bool:
    relative = list(error.absolute_path)[depth:]
    if relative == ["type"] and error.validator in ("const", "enum"):
        return True
    # A branch expecting an object/string when the instance is something else entirely.
    return not relative and error.validator == "type"


def _leaf_message(error: ValidationError) -> str:
    v, value, instance = error.validator, error.validator_value, error.instance
    if v == "maxLength":
        return f"must be less than {value + 1} characters"
    if v == "minLength":
        return "must be more than 0 characters" if value == 1 else f"must be at least {value} characters"
    if v == "maxItems":
        return f"no more than {value} items allowed"
    if v == "minItems":
        return f"must provide at least {value} items"
    if v == "required":
        match = re.match(r"^'(.+)' is a required property", error.message)
        return f"missing required field: {match.group(1) if match else value}"
    if v == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed)
        return f"invalid additional property: {', '.join(extra)}"
    if v == "const":
        return f"must be {json.dumps(value)}"
    if v == "enum":
        return f"must be one of {', '.join(json.dumps(x) for x in value)}"
    if v == "type":
        return f"expected {value}, got {_json_type(instance)}"
    if v == "maximum":
        return f"must be at most {value}"
    if v == "minimum":
        return f"must be at least {value}"
    if v == "pattern":
        return f"does not match the expected format ({value})"
    if v == "not":
        return "invalid combination of fields"
    return str(error.message)


# ---------------------------------------------------------------- rules the schema cannot express


def _cross_block_problems(blocks: list[Any], prefix: str, *, surface: str) -> list[str]:
    found: list[str] = []
    seen_block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        here = f"{prefix}/{i}"
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in seen_block_ids:
                found.append(
                    _fmt(f"block_id must be unique within the {surface}: {block_id!r}", f"{here}/block_id")
                )
            seen_block_ids.add(block_id)
        seen_action_ids: set[str] = set()
        for where, element in iter_elements(block):
            action_id = element.get("action_id")
            if isinstance(action_id, str):
                if action_id in seen_action_ids:
                    found.append(
                        _fmt(
                            f"action_id must be unique within a block: {action_id!r}",
                            f"{here}/{where}/action_id",
                        )
                    )
                seen_action_ids.add(action_id)
            found.extend(_element_problems(element, f"{here}/{where}"))
    return found


def iter_elements(block: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer suffix, element) for the interactive elements of a block."""
    if isinstance(block.get("accessory"), dict):
        yield "accessory", block["accessory"]
    if block.get("type") == "input" and isinstance(block.get("element"), dict):
        yield "element", block["element"]
    if block.get("type") in ("actions", "context_actions") and isinstance(block.get("elements"), list):
        for j, element in enumerate(block["elements"]):
            if isinstance(element, dict):
                yield f"elements/{j}", element


def element_options(element: dict[str, Any]) -> list[dict[str, Any]]:
    """All options of a select/checkboxes/radio element, flattening option_groups."""
    options = [o for o in element.get("options") or [] if isinstance(o, dict)]
    for group in element.get("option_groups") or []:
        if isinstance(group, dict):
            options.extend(o for o in group.get("options") or [] if isinstance(o, dict))
    return options


def _element_problems(element: dict[str, Any], here: str) -> list[str]:
    found: list[str] = []
    if element.get("type") == "plain_text_input":
        low, high = element.get("min_length"), element.get("max_length")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            found.append(_fmt("min_length must not be greater than max_length", f"{here}/min_length"))
    options = element_options(element)
    if options:
        keys = {_option_key(o) for o in options}
        initial = element.get("initial_option")
        if isinstance(initial, dict) and _option_key(initial) not in keys:
            found.append(_fmt("initial_option must match one of the options", f"{here}/initial_option"))
        for k, option in enumerate(element.get("initial_options") or []):
            if isinstance(option, dict) and _option_key(option) not in keys:
                found.append(_fmt("initial_options must match the options", f"{here}/initial_options/{k}"))
    return found


def _option_key(option: dict[str, Any]) -> tuple[Any, Any]:
    text = option.get("text")
    return (option.get("value"), text.get("text") if isinstance(text, dict) else text)


# ---------------------------------------------------------------- helpers


def _fmt(message: str, pointer: str) -> str:
    return f"{message} [json-pointer:{pointer}]"


def _pointer(path: Any) -> str:
    return "".join(f"/{part}" for part in path)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
