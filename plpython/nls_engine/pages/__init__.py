"""Notion's pages as nls stores them: what every flow that stores a page shares (the read, the push, the webhook
events).

- ``page``     one page object: its hash, its shape, the staged row, values completed past the 25-item cut, marks
               (pure: the caller gives what is needed)
- ``content``  a page's content: Markdown and block trees
- ``schema``   :class:`Schemas`: data source schemas, as the pages show them and as Notion gives them
- ``writer``   :class:`BatchWriter`: storing pages (hash check, whole values, marks, content, upsert), and the echo of
               nls's own writes
- ``fetch``    ``fetch_page``: one page read again by its id, marked gone when Notion answers 404
"""
