"""The `lantern` command: Django's management commands with Lantern's settings chosen for you.

`LANTERN_ENV=production` selects the production settings; anything else runs the local
settings (SQLite under the data directory unless DATABASE_URL says otherwise).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command, e.g. `lantern migrate` or `lantern serve`."""
    environment = os.environ.get("LANTERN_ENV", "local")
    if environment not in {"local", "production"}:
        sys.exit(f"LANTERN_ENV must be 'local' or 'production', not {environment!r}.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"lantern.config.settings.{environment}")

    from django.core.management import execute_from_command_line

    execute_from_command_line(["lantern", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
