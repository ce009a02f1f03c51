"""The Neo4j Browser exploration library, its guide and its style, as files: every query says
what it shows, the guide walks through every one, and the style covers every label."""

from __future__ import annotations

import re

from tests.support.exploration import EXPLORE_FILES, GUIDE_PARAMS, query_body
from valuegraph.api.browser.routes import asset
from valuegraph.graph.schema import NODE_KEYS


def guide_slides() -> list[str]:
    # Neo4j Browser splits a Markdown guide on a line holding only ---.
    return re.split(r"\r?\n---\r?\n", asset("guide.md"))


def guide_blocks() -> list[str]:
    return [block.strip() for block in re.findall(r"```cypher\n(.*?)```", asset("guide.md"), re.S)]


def test_every_exploration_query_says_what_it_shows() -> None:
    names = {path.stem for path in EXPLORE_FILES}
    assert {
        "explore_top_values",
        "explore_value_tasks",
        "explore_task_values",
        "explore_mirroring",
        "explore_resistance",
        "explore_taxonomy",
        "explore_models",
        "explore_conversation",
    } <= names
    for path in EXPLORE_FILES:
        header = [line for line in path.read_text().splitlines() if line.startswith("//")]
        assert len(header) >= 2, path.name
        parameters = set(re.findall(r"\$([a-z_]+)", query_body(path)))
        assert parameters <= set(GUIDE_PARAMS), path.name


def test_guide_walks_through_every_exploration_query() -> None:
    slides = guide_slides()
    assert len(slides) >= 8
    assert slides[0].startswith("# ")
    blocks = guide_blocks()
    assert blocks[0].startswith(":params {")
    for path in EXPLORE_FILES:
        assert query_body(path) in blocks, f"{path.name} is not in the guide, or differs"
    params_block = blocks[0]
    for name in GUIDE_PARAMS:
        assert f"{name}:" in params_block


def _parse_grass(text: str) -> dict[str, dict[str, str]]:
    """GRASS read as Neo4j Browser 5 reads it: ``selector { key: value; ... }``; quotes are
    dropped (braces inside them kept), whitespace outside rules ignored, no comments."""
    bodies: dict[str, str] = {}
    selector, body, in_rule, in_string = "", "", False, False
    for char in text:
        if char in "'\"":
            in_string = not in_string
        elif char == "{" and not in_string and not in_rule:
            in_rule = True
        elif char == "}" and not in_string and in_rule:
            bodies[selector], selector, body, in_rule = body, "", "", False
        elif in_rule:
            body += char
        elif not char.isspace():
            selector += char
    rules = {}
    for name, content in bodies.items():
        pairs = [part.split(":") for part in content.split(";")]
        rules[name] = {p[0].strip(): p[1].strip() for p in pairs if len(p) == 2}
    return rules


def test_style_colours_captions_and_sizes_every_label() -> None:
    text = asset("style.grass")
    assert "/*" not in text and "//" not in text.replace(
        "http://", ""
    )  # the parser has no comments
    rules = _parse_grass(text)
    diameters = {}
    for label, _ in NODE_KEYS:
        rule = rules[f"node.{label}"]
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", rule["color"]), label
        assert rule["caption"] in ("{name}", "{id}"), label
        diameters[label] = int(rule["diameter"].removesuffix("px"))
    # Larger for what rests on more conversations: a model, a cluster, a task, a value, one.
    assert diameters["Model"] > diameters["Cluster"] > diameters["Task"] > diameters["AIValue"]
    assert diameters["AIValue"] > diameters["Conversation"]
