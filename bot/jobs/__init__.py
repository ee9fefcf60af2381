"""The worker's jobs: planning what is due and sending it, exactly once, in working hours.

Modules: tick (one pass: pauses, planning, sending), planning (per workspace), sender (the
outbox dispatcher and its crash-safe protocol), slack (the Web API client and what each error
means), registry (message kinds and planners; extend it here), messages (the built-in kinds),
rounds (scheduled matching rounds), db (the worker's engine), clock.
"""
