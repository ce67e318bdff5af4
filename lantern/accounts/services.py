"""Managing staff accounts. Only system administrators do this, and every change is audited."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb

from .models import User

ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "role", "agency", "borough",
                  "is_active")


def _require_user_manager(actor: Any) -> None:
    if not getattr(actor, "manages_users", False):
        raise PermissionDenied("Only system administrators manage users")


def _snapshot(user: User) -> dict[str, Any]:
    return {field: str(getattr(user, field) or "") for field in ACCOUNT_FIELDS}


@transaction.atomic
def user_create(*, actor: Any, password: str, **fields: Any) -> User:
    """Create a staff account with a role, agency and borough."""
    _require_user_manager(actor)
    user = User(**{k: v for k, v in fields.items() if k in ACCOUNT_FIELDS})
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_write(actor=actor, verb=AuditVerb.USER_CREATE, target=user, payload=_snapshot(user))
    return user


@transaction.atomic
def user_update(*, actor: Any, user: User, **fields: Any) -> User:
    """Change a staff account's details, role or scope; records what changed."""
    _require_user_manager(actor)
    if user.pk == actor.pk and fields.get("role", user.role) != user.role:
        raise PermissionDenied("You cannot change your own role")
    if user.pk == actor.pk and not fields.get("is_active", True):
        raise PermissionDenied("You cannot stop yourself signing in")
    before = _snapshot(user)
    changed = [k for k, v in fields.items() if k in ACCOUNT_FIELDS and getattr(user, k) != v]
    for field in changed:
        setattr(user, field, fields[field])
    if not changed:
        return user
    user.full_clean()
    user.save(update_fields=changed)
    after = _snapshot(user)
    audit_write(actor=actor, verb=AuditVerb.USER_UPDATE, target=user,
                payload={f: {"from": before[f], "to": after[f]} for f in changed})
    return user
