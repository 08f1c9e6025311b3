"""Browser tests. A package, so that the live server and Chromium (package-scoped fixtures)
stop before the rest of the suite runs: Playwright's sync API leaves its event loop marked
as running in the main thread while it is open, which would break asyncio.run() elsewhere."""
