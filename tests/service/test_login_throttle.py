"""The login throttle: attempts are counted before the password is checked; an account is throttled per address."""

from fastapi.testclient import TestClient

LOGIN = "/api/v1/auth/token"


def log_in(client: TestClient, username: str, password: str) -> int:
    return client.post(LOGIN, data={"username": username, "password": password}).status_code


def test_a_guesser_is_stopped_but_the_owner_still_logs_in_from_elsewhere(own_app) -> None:
    with TestClient(own_app, client=("192.0.2.1", 50000)) as guesser:
        assert [log_in(guesser, "hassan.omar", "guess") for _ in range(5)] == [401] * 5
        blocked = guesser.post(LOGIN, data={"username": "hassan.omar", "password": "demo"})
        assert blocked.status_code == 429  # even the right password: the attempt is refused before it is checked
        assert 800 < int(blocked.headers["retry-after"]) <= 901
    with TestClient(own_app, client=("192.0.2.7", 50000)) as owner:
        assert log_in(owner, "hassan.omar", "demo") == 200  # usernames are public; the owner is not locked out


def test_an_address_is_limited_over_all_accounts(own_app) -> None:
    with TestClient(own_app, client=("192.0.2.2", 50000)) as sprayer:
        statuses = [log_in(sprayer, f"nobody-{i}", "guess") for i in range(20)]
        assert statuses == [401] * 20
        assert log_in(sprayer, "eva.holm", "demo") == 429
    with TestClient(own_app, client=("192.0.2.3", 50000)) as colleague:
        assert log_in(colleague, "eva.holm", "demo") == 200


def test_a_success_forgets_only_its_own_failures(own_app) -> None:
    with TestClient(own_app, client=("192.0.2.4", 50000)) as client:
        assert [log_in(client, "camilla.juhl", "typo") for _ in range(4)] == [401] * 4
        assert log_in(client, "camilla.juhl", "demo") == 200
        assert [log_in(client, "camilla.juhl", "typo") for _ in range(5)] == [401] * 5  # counting starts afresh
        assert log_in(client, "camilla.juhl", "demo") == 429
