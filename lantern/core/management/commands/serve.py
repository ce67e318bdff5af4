"""`lantern serve [ADDR:PORT]`: serve Lantern with gunicorn, a production-grade WSGI server."""

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

    def handle(self, *args: Any, **options: Any) -> None:
        address = options["address"]
        if ":" not in address:
            address = f"127.0.0.1:{address}"
        self.stdout.write(f"Lantern is being served at http://{address}/  (Ctrl+C to stop)")
        LanternServer({
            "bind": address,
            "workers": options["workers"],
            "threads": options["threads"],
            "accesslog": "-",
            "timeout": 60,
            "forwarded_allow_ips": "127.0.0.1",
        }).run()
