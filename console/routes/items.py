"""``/items/{id}``: one item and the review actions (filled in below)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
