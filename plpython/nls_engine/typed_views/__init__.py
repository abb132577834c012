"""Typed views: a view per synced data source with one typed column per property, following its schema.

- ``views``    ``create``, ``refresh``, ``definition``: the registry rows, their history, building the views
- ``columns``  the columns: names, kinds, how they follow a schema (pure; the SQLite export uses it too)
"""
