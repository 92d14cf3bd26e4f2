"""Settings: validation of URLs and time zones, and refusal of placeholder secrets outside demo mode."""

import os

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


@pytest.mark.parametrize("key", ["changethis", "secret", "ChangeMe", "short-but-real"])
@pytest.mark.parametrize("demo", [False, True])
def test_placeholder_secret_keys_are_refused_even_in_demo_mode(key: str, demo: bool) -> None:
    configured = settings(secret_key=key, database_url="postgresql+psycopg://u@localhost/db")
    with pytest.raises(StartupError, match="BOLIGSOCIAL_SECRET_KEY"):
        configured.check_secrets(demo=demo)


def test_a_blank_secret_key_means_the_generated_one(tmp_path) -> None:
    configured = settings(secret_key="", var_dir=tmp_path)
    assert configured.secret_key is None
    configured.check_secrets(demo=False)  # embedded: the generated key is used
    assert len(configured.signing_key()) >= 40 and (tmp_path / "secret_key").exists()


def test_cookies_and_tokens_are_signed_with_different_derived_keys() -> None:
    configured = settings(secret_key="k" * 40)
    cookie, token = configured.key_for("session-cookie"), configured.key_for("access-token")
    assert cookie != token and "k" * 40 not in (cookie, token)
    assert settings(secret_key="k" * 40).key_for("access-token") == token  # stable across restarts


def test_a_production_database_requires_a_secret_key() -> None:
    with pytest.raises(StartupError, match="must be set"):
        settings(database_url="postgresql+psycopg://u@localhost/db").check_secrets(demo=False)


def test_a_placeholder_smtp_password_is_refused() -> None:
    configured = settings(secret_key="k" * 40, smtp_password=SecretStr("changethis"))
    with pytest.raises(StartupError, match="BOLIGSOCIAL_SMTP_PASSWORD"):
        configured.check_secrets(demo=False)


def test_the_embedded_secret_key_is_generated_once_and_kept(tmp_path) -> None:
    configured = settings(var_dir=tmp_path)
    old = os.umask(0)  # even with a permissive umask the file is created private
    try:
        first = configured.signing_key()
    finally:
        os.umask(old)
    assert len(first) >= 40
    assert settings(var_dir=tmp_path).signing_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_variables_use_the_boligsocial_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOLIGSOCIAL_BASE_URL", "https://sager.example.org")
    monkeypatch.setenv("BOLIGSOCIAL_DEMO", "false")
    configured = settings()
    assert configured.base_url == "https://sager.example.org"
    assert configured.demo is False
