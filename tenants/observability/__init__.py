"""Observability's service side: readiness, the worker heartbeat, metrics, logs (issue 15)."""
