from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "patientcap.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Importing registers the scope rules and connects the sign-in signal receivers.
        from patientcap.accounts import scopes, signals  # noqa: F401
