"""Pure Block Kit builders: data in, validated view/blocks dicts out. No Slack calls here."""
