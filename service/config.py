"""Settings from BOLIGSOCIAL_* environment variables (and `.env`), read once through get_settings()."""

import hashlib
import hmac
import os
import secrets
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

PLACEHOLDER_SECRETS = {"", "changethis", "change-me", "changeme", "secret", "placeholder", "password", "demo"}
KEY_USES = ("session-cookie", "access-token", "calendar-feed")
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
    # Mails that are not urgent wait for the working day: from this hour to that (Copenhagen time), working days.
    mail_day_starts: int = 7
    mail_day_ends: int = 18
    # A sender's claim on a batch of mails; after it, a crashed sender's unsent mails go to another.
    mail_lease_seconds: int = 300
    # The first retry after SMTP failed; each next one waits twice as long, up to an hour.
    mail_retry_seconds: int = 30
    # Closing days besides the Danish public holidays, as MM-DD (deadlines and quiet days skip them).
    extra_closed_days: str = "06-05,12-24,12-31"
    secret_key: SecretStr | None = None
    # None: on exactly when the demo register was seeded into the database.
    demo: bool | None = None
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "Europe/Copenhagen"
    var_dir: Path = Path("./var")
    # The business clock reads this when the process starts, then runs on (demos and training copies only).
    clock_start: datetime | None = None
    access_token_minutes: int = 30
    # A UI session ends this many hours after its login, however active it is.
    session_hours: int = 8
    max_upload_mb: int = 25
    # Addresses of reverse proxies whose X-Forwarded-For/-Proto are believed (comma-separated IPs or CIDRs, or "*").
    # Empty: no proxy is trusted, the client address is the TCP peer.
    trusted_proxies: str = ""

    @field_validator("secret_key", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and value == "" else value

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

    @field_validator("extra_closed_days")
    @classmethod
    def _valid_closed_days(cls, value: str) -> str:
        for day in filter(None, (part.strip() for part in value.split(","))):
            month, _, day_of_month = day.partition("-")
            try:
                date(2024, int(month), int(day_of_month))  # a leap year: 02-29 is a valid closing day
            except ValueError:
                raise ValueError(f"not a MM-DD day: {day!r} (e.g. 06-05,12-24,12-31)") from None
        return value

    @property
    def closed_days(self) -> tuple[tuple[int, int], ...]:
        """The extra closing days as (month, day)."""
        days = (part.strip().partition("-") for part in self.extra_closed_days.split(",") if part.strip())
        return tuple((int(month), int(day)) for month, _, day in days)

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)

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
            try:  # created with mode 0600 in one step: the key is never readable by others, not even for a moment
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process created it first
                return path.read_text().strip()
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    def key_for(self, use: str) -> str:
        """A key derived from the secret key for one use only, so a cookie can never pass as a token."""
        assert use in KEY_USES, use
        return hmac.new(self.signing_key().encode(), f"boligsocial/{use}".encode(), hashlib.sha256).hexdigest()

    def check_secrets(self, *, demo: bool) -> None:
        """Refuse placeholder secrets always, and a missing key outside the embedded setup unless in demo mode."""
        if self.secret_key is None and not self.is_embedded and not demo:
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
