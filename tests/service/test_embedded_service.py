"""The service as the README's first command starts it, and start-up refusals as an operator sees them."""

import subprocess
import time
from pathlib import Path

import pytest

from tests.embedded import BIN, clean_env, fetch, run


def test_a_demo_user_lists_the_13_plans(embedded: str) -> None:
    status, token = fetch(f"{embedded}/api/v1/auth/token", data={"username": "camilla.juhl", "password": "demo"})
    assert status == 200
    assert isinstance(token, dict)
    status, plans = fetch(f"{embedded}/api/v1/plans", token=token["access_token"])
    assert status == 200 and isinstance(plans, list)
    assert len(plans) == 13
    assert all(p["parties"] for p in plans)
    deciding = {p["code"]: p["deciding_body"]["code"] for p in plans}
    assert deciding.pop("HP-03") == "CENTRAL"  # the demo history transferred HP-03's competence
    assert all(code.startswith("BB-") for code in deciding.values())


def test_the_embedded_worker_answers_through_the_filesystem_broker(embedded: str) -> None:
    deadline = time.monotonic() + 60
    body: object = None
    while time.monotonic() < deadline:
        status, body = fetch(f"{embedded}/readyz")
        assert status == 200, body
        assert isinstance(body, dict)
        if body["checks"]["worker"]["ok"]:
            break
        time.sleep(0.5)
    assert isinstance(body, dict) and body["checks"]["worker"]["ok"], body


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BOLIGSOCIAL_DATABASE_URL": "nonsense"}, "BOLIGSOCIAL_DATABASE_URL: Value error, not a database URL"),
        (
            {"BOLIGSOCIAL_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"},
            "cannot reach the database in BOLIGSOCIAL_DATABASE_URL (postgresql+psycopg://nobody@127.0.0.1:1/none)",
        ),
        ({}, "the database is not migrated to the newest version: run `boligsocial db upgrade` first"),
    ],
)
def test_start_up_stops_with_one_clear_line(tmp_path: Path, env: dict[str, str], message: str) -> None:
    result = run(tmp_path, "serve", "--no-worker", env=clean_env(**env))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_placeholder_secrets_stop_a_non_demo_installation(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    env = clean_env(BOLIGSOCIAL_SECRET_KEY="changethis", BOLIGSOCIAL_DEMO="false")
    result = run(tmp_path, "serve", "--no-worker", env=env)
    assert result.returncode == 2
    assert "BOLIGSOCIAL_SECRET_KEY is a placeholder" in result.stderr


PASSWORD = "lang-sommer-ved-havnen-42"


def typed(cwd: Path, command: list[str], password: str) -> subprocess.CompletedProcess[str]:
    """Run a command that asks for a password twice on the terminal, typing it."""
    return subprocess.run(
        command, cwd=cwd, env=clean_env(), input=f"{password}\n{password}\n", capture_output=True, text=True, timeout=60
    )


def test_users_create_then_seed_demo_refuses_the_database(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    create = [str(BIN), "users", "create", "mette", "--name", "Mette Sørensen", "--email", "mette@example.org"]
    created = typed(tmp_path, [*create, "--organisation", "NOPE"], PASSWORD)
    assert created.returncode == 2 and "no organisation with code 'NOPE'" in created.stderr
    common = typed(tmp_path, create, "password123")
    assert common.returncode == 2 and "too common or easy to guess" in common.stderr
    assert typed(tmp_path, [*create, "--password", PASSWORD], PASSWORD).returncode == 2  # never on the command line
    created = typed(tmp_path, create, PASSWORD)
    assert created.returncode == 0, created.stderr
    refused = run(tmp_path, "seed-demo")
    assert refused.returncode == 2
    assert "already holds other data (1 users)" in refused.stderr
    assert "mette" in run(tmp_path, "users", "list").stdout
    assert run(tmp_path, "users", "deactivate", "mette").returncode == 0
    assert "inactive" in run(tmp_path, "users", "list").stdout
    again = typed(tmp_path, [str(BIN), "users", "set-password", "mette"], "grøn-kaffe-under-broen-17")
    assert again.returncode == 0, again.stderr and "inactive" not in run(tmp_path, "users", "list").stdout
    assert run(tmp_path, "users", "deactivate", "nobody").returncode == 2
