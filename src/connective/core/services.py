from __future__ import annotations

from typing import Any

from django.db import models

from connective.core.models import AuditLog


def audit_log_record(*, actor: Any, action: str, target: models.Model, **details: Any) -> AuditLog:
    """Record an action; called inside the service's transaction so the log and the change land together."""
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        details=details,
    )
