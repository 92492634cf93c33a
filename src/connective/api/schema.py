from __future__ import annotations

from typing import Any


def only_public_api(
    endpoints: list[tuple[str, Any, Any, Any]], **kwargs: Any
) -> list[tuple[str, Any, Any, Any]]:
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
