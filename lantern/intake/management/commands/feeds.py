"""`lantern feeds issue|list|revoke`: credentials for agencies' systems to send feeds to the API."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantern.intake.feeds import feed_token_issue, feed_token_revoke
from lantern.intake.models import FeedToken
from lantern.organisations.models import Agency


class Command(BaseCommand):
    help = "Issue, list or revoke the tokens agencies' systems use for POST /api/v1/intake."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="Issue a token (shown once; only its hash is kept)")
        issue.add_argument("agency", help="The agency's code, e.g. met or csc-e09000012")
        issue.add_argument("name", help="Which system uses it, e.g. 'Mosaic nightly export'")
        sub.add_parser("list", help="Tokens issued, live and revoked")
        revoke = sub.add_parser("revoke", help="Stop a token working")
        revoke.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "issue":
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency with code {options['agency']!r}")
            try:
                feed, token = feed_token_issue(agency=agency, name=options["name"])
            except ValueError as error:
                raise CommandError(f"{error}: no token was issued") from None
            self.stdout.write(f"Token {feed.pk} for {agency.name} ({feed.name}). Copy it now; it is not shown again:")
            self.stdout.write(token)
        elif options["action"] == "list":
            for feed in FeedToken.objects.select_related("agency").order_by("pk"):
                state = f"revoked {feed.revoked_at:%Y-%m-%d %H:%M}" if feed.revoked_at else "live"
                used = f"last batch {feed.last_batch_at:%Y-%m-%d %H:%M}" if feed.last_batch_at else "no batch yet"
                self.stdout.write(f"{feed.pk:>5}  {feed.agency.code:<20}  {feed.name:<40}  {state:<24}  {used}")
        else:
            token_row = FeedToken.objects.filter(pk=options["id"]).first()
            if token_row is None:
                raise CommandError(f"No token {options['id']}")
            feed_token_revoke(feed=token_row)
            self.stdout.write(f"Token {token_row.pk} ({token_row.name}) no longer works.")
