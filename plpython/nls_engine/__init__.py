"""nls_engine: the Python that runs inside PostgreSQL (PL/Python), deployed by ``nls install`` into
``nls._python_module`` (one row per module, a package's ``__init__.py`` as the package) and loaded by
``nls._load_engine()``.

The run envelope and what every flow shares (top level):

- ``entry``        what the PL/Python functions of ``plpython/functions.sql`` call: one function per SQL entry point,
                   and the one place where what goes wrong becomes a PostgreSQL error
- ``errors``       the engine's one root exception, ``NlsError`` (message, SQLSTATE, hint, detail)
- ``schedule``     which flows run when: ``nls.sync_notion`` by hand, the scheduled workers' rounds, the cleaning after
                   them, the push and the Anki sync after a user's read, the webhook events
- ``run``          one run of a flow over a source (``SourceRun``) or over a user (``UserRun``): lock, act for the
                   user, ``nls.sync_log`` row, client, status
- ``report``       the one status vocabulary and the run report (the shape of ``sync_log.details``)
- ``integration``  a user's integration: token (stored, rotated, decrypted), workspace, the client that acts, the user
                   a session acts for
- ``settings``     the typed settings, read once per call from the catalogue in ``nls.settings``
- ``crypto``       the key ring and AES-256-GCM
- ``text``         text PostgreSQL cannot store
- ``db``           the database side: plpy with cached plans, each statement in a subtransaction

Subpackages, one per flow, and the client, the store and the pages they share (each ``__init__.py`` lists its
modules):

- ``notion``       the Notion client (requests, retries), its pacing in the request budget every backend shares, and
                   waits that let PostgreSQL act on a cancel
- ``store``        every SQL statement of the engine, split along the same seams and composed into one ``Store``
- ``pages``        Notion's pages as nls stores them: one page object, its content, its data source's schema, the
                   writer, a page read again (``fetch_page``); shared by the read, the push and the webhook events
- ``read``         the read flow: modes, watermarks, the paged read past the 10,000-row cap, the reconciliation, the
                   trash listing, ``nls.discover``
- ``push``         the push flow (two-way sync): local changes back to Notion, conflicts, creates never sent twice
- ``anki``         the Anki flow: atoms into the learner's collection, reviews back
- ``typed_views``  typed views: made by ``nls.create_typed_view``, following their data sources after each sync
- ``webhooks``     Notion's webhooks: what a delivery is let in as (verified inside the server), what its events do

The imports run one way (tests/unit/engine_imports.py checks it): the shared base (errors, text, db, settings, crypto,
report), then ``notion`` and ``store``, then the run envelope (integration, run), then ``pages``, then the flows, then
``schedule`` and ``entry``. A flow imports no other flow: what two flows share moves down (as ``pages`` did), and what a
flow needs of another is given to it by the schedule (the webhook events get the read of a whole data source so).

A new flow is a subpackage of its own beside ``read``: an object with ``plan(store, settings, source)`` and
``execute(ctx)`` run by ``run.SourceRun`` (as the push is), or with ``kind`` and ``execute(ctx)`` run by
``run.UserRun`` (as the webhook events are); its statements are a class of its own in ``store/``, composed into
``Store``; the schedule (or an entry point) runs it.
"""
