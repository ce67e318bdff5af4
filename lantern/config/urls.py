"""Top-level URL map: the web app; error handlers render GOV.UK-style pages."""

from django.urls import include, path

from lantern.api.urls import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("lantern.web.urls")),
]

handler400 = "lantern.web.views.errors.bad_request"
handler403 = "lantern.web.views.errors.permission_denied"
handler404 = "lantern.web.views.errors.page_not_found"
handler500 = "lantern.web.views.errors.server_error"
