"""Forms of the account pages."""

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from patientcap.accounts.services import TOKEN_MAX_DAYS


class ApiTokenForm(forms.Form):
    """A new API token. The current password is asked again (ASVS 7.5.1): a token is a
    long-lived credential, so a left-open browser alone must not be enough to mint one."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The system that will use it, e.g. the bank's loan system."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=TOKEN_MAX_DAYS, initial=90
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: object, request: HttpRequest, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user = self.request.user
        if authenticate(self.request, username=user.get_username(), password=password) != user:
            raise forms.ValidationError(_("The password is not correct."))
        return password
