"""The push flow (two-way sync): local changes back to Notion, conflicts, creates never sent twice.

- ``flow``    :class:`NotionPush` (one source's push, run by ``run.SourceRun``), ``dry_run``
- ``object``  one object's decision per column: what is written, what is a conflict, what Notion already holds (pure)
- ``values``  Notion property values within Notion's write limits, rendered and compared (pure)
"""
