"""Post-processors: one small module per dialect, found by name."""

from __future__ import annotations

from gcode.post.base import DialectRules, Post
from gcode.post.fanuc import FanucPost
from gcode.post.grbl import GrblPost
from gcode.post.grblhal import GrblHalPost
from gcode.post.linuxcnc import LinuxCncPost
from gcode.post.mach3 import Mach3Post
from gcode.post.marlin import MarlinPost
from gcode.post.shopbot import ShopBotPost
from nester.errors import InputError

POSTS: dict[str, Post] = {
    post.dialect: post
    for post in (GrblPost(), GrblHalPost(), LinuxCncPost(), Mach3Post(), FanucPost(), MarlinPost(), ShopBotPost())
}


def get_post(dialect: str) -> Post:
    """The post-processor for ``dialect`` (a machine profile's ``dialect`` key)."""
    try:
        return POSTS[dialect.strip().lower()]
    except KeyError:
        known = ", ".join(sorted(POSTS))
        raise InputError(f"dialect {dialect!r} is unknown; known dialects: {known}") from None


__all__ = ["POSTS", "DialectRules", "Post", "get_post"]
