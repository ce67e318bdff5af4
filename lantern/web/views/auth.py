"""Sign in and out; both are audited."""

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account cannot sign in. Ask your system administrator.",
    }


@method_decorator(login_not_required, name="dispatch")
class SignInView(LoginView):
    template_name = "web/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        audit_write(actor=form.get_user(), verb=AuditVerb.SIGN_IN)
        return response


@require_POST
def sign_out(request: HttpRequest) -> HttpResponseRedirect:
    audit_write(actor=request.user, verb=AuditVerb.SIGN_OUT)
    logout(request)
    return redirect("web:sign-in")
