"""``nls webhooks serve``: the receiver of Notion's webhooks (the ``webhooks`` extra: starlette and uvicorn)."""
