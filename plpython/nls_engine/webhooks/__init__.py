"""Notion's webhooks.

- ``events``   :class:`ApplyEvents`: what a batch of a user's events does, run by ``run.UserRun``
"""
