"""The strings a Dash component tree shows, for tests of layout builders."""

from __future__ import annotations


def texts(component) -> list[str]:  # type: ignore[no-untyped-def]
    """Every string in a component tree (or a list of them), depth first."""
    children = getattr(component, "children", component)
    if isinstance(children, str):
        return [children]
    if children is None or isinstance(children, int | float):
        return []
    if not isinstance(children, list | tuple):
        children = [children]
    return [text for child in children for text in texts(child)]
