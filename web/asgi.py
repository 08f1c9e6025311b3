"""ASGI entry point for process managers: ``uvicorn alur.web.asgi:app`` (settings from the
environment, plugins from their entry points)."""

from alur.web.app import create_app

app = create_app()
