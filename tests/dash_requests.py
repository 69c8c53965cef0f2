"""Requests to Dash's callback endpoint as the renderer sends them, with values of our choosing."""

from __future__ import annotations

from typing import Any


def _outputs(output: str) -> list[dict[str, str]] | dict[str, str]:
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    found = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        found.append({"id": component, "property": prop.split("@")[0]})
    return found if output.startswith("..") else found[0]


def callback_body(callback_map: dict[str, Any], output: str, values: dict[str, Any],
                  changed: list[str] | None = None) -> dict[str, Any]:
    """The body of a call of the callback `output`; `values` by "id.property" (None if absent)."""
    entry = callback_map[output]

    def item(spec: dict[str, Any]) -> Any:
        if spec["id"].startswith("{"):  # a pattern-matching input: a list of matches
            return values.get(f'{spec["id"]}.{spec["property"]}', [])
        return {"id": spec["id"], "property": spec["property"],
                "value": values.get(f'{spec["id"]}.{spec["property"]}')}

    inputs = [item(spec) for spec in entry["inputs"]]
    if changed is None:
        names = {f'{s["id"]}.{s["property"]}' for s in entry["inputs"]}
        changed = [key for key in values if key in names]
    return {
        "output": output,
        "outputs": _outputs(output),
        "inputs": inputs,
        "state": [item(spec) for spec in entry["state"]],
        "changedPropIds": changed,
    }


def callback_named(callback_map: dict[str, Any], fragment: str) -> str:
    """The output key of the one callback whose outputs include `fragment` ("id.property")."""
    found = [key for key in callback_map if fragment in key]
    assert len(found) == 1, (fragment, found)
    return found[0]
