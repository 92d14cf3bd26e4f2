"""Settings from BOLIGSOCIAL_* environment variables (and `.env`), read once through get_settings()."""

import secrets
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

PLACEHOLDER_SECRETS = {"", "changethis", "change-me", "changeme", "secret", "placeholder", "password", "demo"}
SUPPORTED_BACKENDS = {"sqlite", "postgresql"}


class StartupError(Exception):
    """A configuration or dependency problem that must stop start-up with one clear line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOLIGSOCIAL_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./var/boligsocial.db"
    # Empty means the embedded default: kombu's filesystem transport under var_dir (no server needed).
    broker_url: str = ""
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    mail_from: str = "boligsocial@example.org"
    secret_key: SecretStr | None = None
    # None: on exactly when the demo register was seeded into the database.
    demo: bool | None = None
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "Europe/Copenhagen"
    var_dir: Path = Path("./var")
    # The business clock reads this when the process starts, then runs on (demos and training copies only).
    clock_start: datetime | None = None
    access_token_minutes: int = 30
    max_upload_mb: int = 25

    @field_validator("database_url")
    @classmethod
    def _valid_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(f"not a database URL: {value!r} (expected e.g. sqlite:///./var/boligsocial.db)") from None
        if url.get_backend_name() not in SUPPORTED_BACKENDS:
            raise ValueError(f"unsupported database {url.get_backend_name()!r}; use sqlite or postgresql")
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def database(self) -> URL:
        return make_url(self.database_url)

    @property
    def is_embedded(self) -> bool:
        """True for the single-machine defaults: SQLite and the filesystem broker."""
        return self.database.get_backend_name() == "sqlite"

    @property
    def broker(self) -> str:
        return self.broker_url or "filesystem://"

    def broker_transport_options(self) -> dict[str, object]:
        if self.broker_url:
            return {"visibility_timeout": 3600}
        folder = (self.var_dir / "broker").resolve()
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
            "polling_interval": 0.2,
        }

    def redacted_database_url(self) -> str:
        return self.database.render_as_string(hide_password=True)

    def signing_key(self) -> str:
        """The configured secret key, or one generated once per installation under var_dir."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.var_dir / "secret_key"
        if not path.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def check_secrets(self, *, demo: bool) -> None:
        """Refuse placeholder secrets outside demo mode."""
        if demo:
            return
        if self.secret_key is None and not self.is_embedded:
            raise StartupError("BOLIGSOCIAL_SECRET_KEY must be set when the database is not the embedded SQLite")
        if self.secret_key is not None:
            key = self.secret_key.get_secret_value()
            if key.strip().lower() in PLACEHOLDER_SECRETS or len(key) < 32:
                raise StartupError(
                    "BOLIGSOCIAL_SECRET_KEY is a placeholder or shorter than 32 characters; "
                    "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
                )
        if self.smtp_password is not None and self.smtp_password.get_secret_value().lower() in PLACEHOLDER_SECRETS:
            raise StartupError("BOLIGSOCIAL_SMTP_PASSWORD is a placeholder; set the relay's real password")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own Settings instead of patching this."""
    return Settings()
