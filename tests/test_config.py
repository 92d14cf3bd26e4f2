"""Settings: validation of URLs and time zones, and refusal of placeholder secrets outside demo mode."""

import pytest
from pydantic import SecretStr, ValidationError

from service.config import Settings, StartupError


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)


@pytest.mark.parametrize(
    ("url", "reason"),
    [("not a url", "not a database URL"), ("mysql://u@h/db", "unsupported database 'mysql'")],
)
def test_a_malformed_database_url_is_refused_with_its_reason(url: str, reason: str) -> None:
    with pytest.raises(ValidationError) as error:
        settings(database_url=url)
    assert reason in str(error.value)


def test_an_unknown_timezone_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        settings(timezone="Europe/Atlantis")


@pytest.mark.parametrize("key", ["changethis", "secret", "short-but-real"])
def test_placeholder_secret_keys_are_refused_outside_demo(key: str) -> None:
    configured = settings(secret_key=key, database_url="postgresql+psycopg://u@localhost/db")
    with pytest.raises(StartupError, match="BOLIGSOCIAL_SECRET_KEY"):
        configured.check_secrets(demo=False)
    configured.check_secrets(demo=True)  # the demo may run with anything


def test_a_production_database_requires_a_secret_key() -> None:
    with pytest.raises(StartupError, match="must be set"):
        settings(database_url="postgresql+psycopg://u@localhost/db").check_secrets(demo=False)


def test_a_placeholder_smtp_password_is_refused() -> None:
    configured = settings(secret_key="k" * 40, smtp_password=SecretStr("changethis"))
    with pytest.raises(StartupError, match="BOLIGSOCIAL_SMTP_PASSWORD"):
        configured.check_secrets(demo=False)


def test_the_embedded_secret_key_is_generated_once_and_kept(tmp_path) -> None:
    configured = settings(var_dir=tmp_path)
    first = configured.signing_key()
    assert len(first) >= 40
    assert settings(var_dir=tmp_path).signing_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_variables_use_the_boligsocial_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOLIGSOCIAL_BASE_URL", "https://sager.example.org")
    monkeypatch.setenv("BOLIGSOCIAL_DEMO", "false")
    configured = settings()
    assert configured.base_url == "https://sager.example.org"
    assert configured.demo is False
