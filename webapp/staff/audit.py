"""Write to the audit log. Every view that changes, publishes, views, exports or deletes
something a data protection officer may ask about calls ``record``."""

from __future__ import annotations

from typing import Optional

from webapp.staff.models import AuditEntry


def _client_ip(request) -> Optional[str]:
    # The client, not our own proxy: X-Forwarded-For only from TRUSTED_PROXIES.
    from webapp.staff.login_limit import client_address

    return client_address(request)


def record(request, action: str, target=None, *, target_type: str = "", target_id: str = "",
           municipality: Optional[str] = "", user=None, **detail) -> AuditEntry:
    """Record ``action`` by the request's user (or ``user`` for commands) on ``target``."""
    user = user if user is not None else getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    return AuditEntry.objects.create(
        user=user, username=user.get_username() if user else "", action=action,
        target_type=target_type, target_id=str(target_id), municipality=municipality or "",
        detail=detail, ip_address=_client_ip(request))
