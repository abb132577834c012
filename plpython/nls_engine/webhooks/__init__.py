"""Notion's webhooks: deliveries let in inside PostgreSQL, their events applied by a user's run.

- ``receive``  what a delivery is let in as (``nls.webhook_receive``: size, path, handshake, signature), and the
               verification token shown once
- ``events``   :class:`ApplyEvents`: what a batch of a user's events does (``nls.apply_webhook_events``), run by
               ``run.UserRun``
"""
