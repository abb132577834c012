"""Talking to Notion: the HTTP client and what it waits on. Imports nothing of the engine but :mod:`nls_engine.errors`.

- ``client``   :class:`NotionClient` (requests, its own retry loop, the endpoints nls calls), :class:`NotionError`,
               :class:`RunDeadline`, :class:`RetryPolicy`
- ``pacing``   :class:`Pacer`: each attempt's turn in the request budget every backend shares
- ``waiting``  :class:`Waiter`: waits (pauses, a request in flight) that let PostgreSQL act on a cancel
"""
