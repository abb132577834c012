"""nls_engine: the Python that runs inside PostgreSQL (PL/Python), deployed by ``nls install`` into
``nls._python_module`` and loaded by ``nls._load_engine()``. Each concern lives in one module:

- ``entry``        the glue the PL/Python functions of ``plpython/functions.sql`` call, and the one place their
                   errors become PostgreSQL errors
- ``errors``       the engine's one root exception, ``NlsError`` (message, SQLSTATE, hint, detail)
- ``schedule``     which sources run: ``nls.sync_notion`` by hand, the scheduled workers' rounds, then cleaning
- ``run``          one run of one flow over one source (or over all of a user's sources: ``UserRun``): lock, act
                   for the user, sync_log row, client, status
- ``report``       the one status vocabulary and the run report (the shape of ``sync_log.details``)
- ``notion_read``  the read flow: data sources, modes, watermarks, when to reconcile
- ``read``         the paged read of one data source, past the 10,000-row cap in created_time windows
- ``writer``       storing a read's batches: hash check, whole values, marks, content, upsert
- ``page``         one page object: hash, staged row, values completed past the 25-item cut, value marks
- ``content``      page content: Markdown and block trees
- ``reconcile``    what an incremental read cannot see: trash, deletes, unshares, drifted formulas and rollups
- ``schema``       data source schemas: the history the pages show, the schema Notion gives
- ``trash``        the trash listing of a user's scheduled run (pages trashed since the last look, one request)
- ``webhooks``     Notion's webhooks: what a delivery is let in as (verified inside the server), what its events do
- ``typed_views``  typed views: made by ``nls.create_typed_view``, following their data sources after each sync;
                   ``typed_columns`` their columns (names, kinds, how they follow a schema; pure)
- ``client``       the Notion HTTP client (requests, its own retry loop); ``pacing`` its turn in the request budget
                   every backend shares
- ``integration``  a user's integration: token (stored, rotated, decrypted), workspace, the client that acts
- ``crypto``       the key ring and AES-256-GCM; ``text`` text PostgreSQL cannot store
- ``settings``     the typed settings, read once per call from the catalogue in ``nls.settings``
- ``store``        every SQL statement the engine runs; ``db`` plpy with cached plans and subtransactions
- ``discover``     what an integration can see (``nls.discover``)
- ``push``         the push flow (two-way sync): local changes back to Notion, conflicts, creates never duplicated;
                   ``push_object`` one object's decision per column, ``property_values`` values within Notion's
                   write limits and compared (both pure)

A new flow (writing back to Notion, Anki, webhooks, exports) is a module of its own beside ``notion_read``, run by
``run.SourceRun`` (as ``push`` is) or a run of its own, sharing the client, the pacing, the store and the report.
"""
