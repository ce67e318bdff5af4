"""`lantern serve [ADDR:PORT]`: serve Lantern with gunicorn, a production-grade WSGI server."""

import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication


class LanternServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from lantern.config.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve Lantern over HTTP with gunicorn (put TLS in front of it in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000", help="ADDR:PORT")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--clocks-every", type=int, default=300, metavar="SECONDS",
                            help="check the MASH clocks this often beside the server (0: leave it to cron)")

    def handle(self, *args: Any, **options: Any) -> None:
        address = options["address"]
        if ":" not in address:
            address = f"127.0.0.1:{address}"
        self.stdout.write(f"Lantern is being served at http://{address}/  (Ctrl+C to stop)")
        # Overdue contacts must reach supervisors even where nobody set up cron: a separate
        # process, so nothing is forked with gunicorn's workers.
        clocks = None
        if options["clocks_every"] > 0:
            clocks = subprocess.Popen([sys.executable, "-m", "lantern", "clocks", "--every",  # noqa: S603
                                       str(options["clocks_every"])])
        try:
            self._serve(address, options)
        finally:
            if clocks is not None:
                clocks.terminate()

    def _serve(self, address: str, options: dict[str, Any]) -> None:
        LanternServer({
            "bind": address,
            "workers": options["workers"],
            "threads": options["threads"],
            "accesslog": "-",
            "timeout": 60,
            "forwarded_allow_ips": "127.0.0.1",
        }).run()
