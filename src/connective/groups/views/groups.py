"""Filled in by its owner; declares its own routes."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
