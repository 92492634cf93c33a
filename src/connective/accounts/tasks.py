"""Background work of accounts: building a member's data export, and deleting expired exports.

django-tasks runs nothing on a schedule by itself: run `manage.py privacy_purge_exports` daily (cron or a
systemd timer), or enqueue `privacy_purge` from whatever scheduler the deployment has.
"""

from __future__ import annotations

from django_tasks import task


@task()
def privacy_export(user_id: int) -> str | None:
    """Write the member's ZIP and e-mail them the link; the stored name, or None if they have gone."""
    from connective.accounts.privacy import privacy_export_build

    return privacy_export_build(user_id=user_id)


@task()
def privacy_purge() -> int:
    """Delete exports older than their link's validity. Returns how many files went."""
    from connective.accounts.privacy import privacy_exports_purge

    return privacy_exports_purge()
