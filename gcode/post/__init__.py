"""Post-processors: one small module per dialect, found by name."""

from __future__ import annotations

from gcode.post.base import DialectRules, Post
from gcode.post.grbl import GrblPost
from nester.errors import InputError

POSTS: dict[str, Post] = {post.dialect: post for post in (GrblPost(),)}


def get_post(dialect: str) -> Post:
    """The post-processor for ``dialect`` (a machine profile's ``dialect`` key)."""
    try:
        return POSTS[dialect.strip().lower()]
    except KeyError:
        known = ", ".join(sorted(POSTS))
        raise InputError(f"dialect {dialect!r} is unknown; known dialects: {known}") from None


__all__ = ["POSTS", "DialectRules", "Post", "get_post"]
