"""The app starts on a migrated database and answers the explorer on an empty one."""


def test_empty_database_answers_zero_games(client) -> None:
    response = client.get("/api/explorer?play=e2e4")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["white"], body["draws"], body["black"], body["moves"]) == (0, 0, 0, [])


def test_health_reports_database_and_cache(client) -> None:
    body = client.get("/health").get_json()
    assert body == {"status": "ok", "database": "ok", "cache": "ok"}
