"""WSGI entry point for gunicorn (`lantern serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantern.config.settings.local")
application = get_wsgi_application()
