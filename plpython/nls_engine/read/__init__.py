"""The read flow: Notion's data sources into ``nls.stg_notion_pages``, incremental and lossless.

- ``flow``       :class:`NotionRead`: one source's read (modes, watermarks, when to reconcile), run by ``run.SourceRun``
- ``paged``      :class:`DataSourceRead`: the paged read of one data source, past the 10,000-row cap in windows
- ``reconcile``  what an incremental read cannot see: trash, deletes, unshares, drifted formulas and rollups
- ``trash``      :class:`TrashLook`: a user's trash listing in a scheduled run (one request), run by ``run.UserRun``
- ``discover``   ``nls.discover``: what an integration can see, optionally added as sources
"""
