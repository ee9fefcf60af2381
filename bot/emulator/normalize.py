"""What Slack adds to blocks it stores: a block_id on every block and an action_id on every
interactive element that lacks one. Apps see these generated ids in interaction payloads, so
the fake must produce them too (state.values is keyed by them)."""

from __future__ import annotations

import copy
from typing import Any

from .blockkit import INTERACTIVE_ELEMENTS, iter_elements
from .state import Ids


def normalize_blocks(blocks: list[Any], ids: Ids) -> list[Any]:
    out = copy.deepcopy(blocks)
    for block in out:
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", ids.random_suffix(5))
        for _where, element in iter_elements(block):
            if element.get("type") in INTERACTIVE_ELEMENTS:
                element.setdefault("action_id", ids.random_suffix(5))
    return out
