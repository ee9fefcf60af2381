"""The domain. Plain Python: no Slack imports; functions take `session` and `now` and never commit."""
