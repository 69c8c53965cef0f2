"""Settings come from the environment once, with embedded defaults."""

from webapp.settings import Settings


def test_embedded_defaults_need_no_services(tmp_path) -> None:
    settings = Settings.from_env({"DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'explorer.sqlite3'}"
    assert settings.redis_url is None
    assert settings.cache_dir == str(tmp_path / "cache")
    assert settings.index_plies == 40


def test_connection_string_is_an_alias_and_postgres_urls_use_psycopg() -> None:
    settings = Settings.from_env({"CONNECTION_STRING": "postgres://u:p@db:5432/explorer"})
    assert settings.database_url == "postgresql+psycopg://u:p@db:5432/explorer"
    both = Settings.from_env(
        {"DATABASE_URL": "postgresql://a@x/y", "CONNECTION_STRING": "postgresql://b@x/y"}
    )
    assert both.database_url == "postgresql+psycopg://a@x/y"


def test_service_urls_and_numbers_are_read() -> None:
    settings = Settings.from_env(
        {
            "REDIS_URL": "redis://cache:6379/0",
            "INDEX_PLIES": "30",
            "LICHESS_API_URL": "http://127.0.0.1:9999/",
            "JOB_QUEUE": "Celery",
        }
    )
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.index_plies == 30
    assert settings.lichess_api_url == "http://127.0.0.1:9999"
    assert settings.job_queue == "celery"


def test_request_budget_settings_are_read() -> None:
    defaults = Settings.from_env({})
    assert (defaults.request_deadline_s, defaults.heavy_requests, defaults.export_rate_limit) == (
        10.0, 1, "20 per minute")
    settings = Settings.from_env(
        {"REQUEST_DEADLINE_S": "2.5", "HEAVY_REQUESTS": "3", "EXPORT_RATE_LIMIT": "5 per hour"}
    )
    assert (settings.request_deadline_s, settings.heavy_requests, settings.export_rate_limit) == (
        2.5, 3, "5 per hour")
    assert Settings.from_env({"HEAVY_REQUESTS": "0"}).heavy_requests == 1  # never none at all
