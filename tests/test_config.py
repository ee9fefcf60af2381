"""Settings: clear errors at start-up, sensible defaults, postgres:// URLs accepted."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings

BASE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret"}


def test_defaults():
    settings = load_settings(BASE)
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///peer_mentor.db"
    assert settings.port == 3000 and not settings.socket_mode
    assert settings.admins == frozenset()
    assert settings.web_processes == 2


def test_values_are_normalised():
    settings = load_settings(
        {
            **BASE,
            "SLACK_API_URL": "http://127.0.0.1:9999/api",
            "DATABASE_URL": "postgres://u:p@db/pm",
            "PEER_MENTOR_ADMINS": "U01ABC, W02DEF ,",
            "LOG_LEVEL": "debug",
            "PORT": "8080",
            "WEB_CONCURRENCY": "4",
        }
    )
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.database_url == "postgresql+psycopg://u:p@db/pm"
    assert settings.admins == {"U01ABC", "W02DEF"}
    assert settings.log_level == "DEBUG" and settings.port == 8080
    assert settings.web_processes == 4


def test_socket_mode_needs_no_signing_secret():
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert settings.socket_mode


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigError) as raised:
        load_settings(
            {
                "SLACK_APP_TOKEN": "nope",
                "SLACK_API_URL": "slack.com",
                "DATABASE_URL": "mysql://x",
                "PEER_MENTOR_ADMINS": "alice",
                "LOG_LEVEL": "LOUD",
                "PORT": "http",
                "WEB_CONCURRENCY": "0",
            }
        )
    message = str(raised.value)
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "DATABASE_URL",
        "PEER_MENTOR_ADMINS",
        "LOG_LEVEL",
        "PORT",
        "WEB_CONCURRENCY",
        ".env",
    ):
        assert name in message
    assert "alice" in message


def test_dotenv_file_is_read(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-from-file\nSLACK_SIGNING_SECRET=abc\n")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(dotenv_path=env_file)
    assert settings.slack_bot_token == "xoxb-from-file"
