"""Feed tokens: how an agency's system proves who it is when it sends lines to the API."""

import hashlib
import secrets

from django.utils import timezone

from lantern.core.access import require_administrator
from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.organisations.models import Agency

from .models import FeedToken


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# Which system a token is for, as the tokens page's form and `lantern feeds issue` both say it.
FEED_NAME_MAX_LENGTH = 100  # FeedToken.name's max_length
FEED_NAME_MISSING = "Enter the name of the system that will use the token"
FEED_NAME_TOO_LONG = f"The name of the system must be {FEED_NAME_MAX_LENGTH} characters or fewer"
FEED_NAME_UNPRINTABLE = "The name of the system must be letters, numbers, spaces and punctuation only"


def feed_token_name_clean(name: str) -> str:
    """Return a feed's name with its spaces tidied; refuse, in words to show the administrator
    (ValueError), one that is blank, too long to keep, or has characters that cannot be shown."""
    name = " ".join(name.split())
    if not name:
        raise ValueError(FEED_NAME_MISSING)
    if len(name) > FEED_NAME_MAX_LENGTH:
        raise ValueError(FEED_NAME_TOO_LONG)
    if not name.isprintable():  # a NUL, say, which PostgreSQL refuses to store
        raise ValueError(FEED_NAME_UNPRINTABLE)
    return name


def feed_token_issue(*, agency: Agency, name: str, actor: object = None) -> tuple[FeedToken, str]:
    """Issue a token for an agency's feed; the token itself is shown once and never stored.
    A name `feed_token_name_clean` refuses is refused here too (ValueError), before anything is written."""
    require_administrator(actor, "issue feed tokens")
    name = feed_token_name_clean(name)
    token = f"lantern_{secrets.token_urlsafe(32)}"
    feed = FeedToken.objects.create(agency=agency, name=name, token_hash=token_digest(token),
                                    created_at=timezone.now())
    audit_write(actor=actor, verb=AuditVerb.FEED_TOKEN_ISSUE, target=feed,
                payload={"agency": agency.code, "name": name})
    return feed, token


def feed_for_token(token: str) -> FeedToken | None:
    """Return the live feed a token belongs to, if any."""
    return (FeedToken.objects.select_related("agency")
            .filter(token_hash=token_digest(token), revoked_at__isnull=True).first())


def feed_batch_received(feed: FeedToken) -> None:
    """Note that a feed has just sent a batch, so administrators can see which tokens are in
    use and revoke the ones that are not (one UPDATE; the token's own row only)."""
    FeedToken.objects.filter(pk=feed.pk).update(last_batch_at=timezone.now())


def feed_token_revoke(*, feed: FeedToken, actor: object = None) -> FeedToken:
    """Stop a token working; revoking it again changes nothing."""
    require_administrator(actor, "revoke feed tokens")
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit_write(actor=actor, verb=AuditVerb.FEED_TOKEN_REVOKE, target=feed, payload={"agency": feed.agency.code})
    return feed
