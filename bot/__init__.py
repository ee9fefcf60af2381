"""Peer Mentor: a Slack app that runs a company's peer-mentoring program."""
