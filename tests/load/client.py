"""The websocket client, now in lesson/tools/client.py (the bench drives a class with it too)."""

from lesson.tools.client import EARLY, Session, Widget, run_sync

__all__ = ["EARLY", "Session", "Widget", "run_sync"]
