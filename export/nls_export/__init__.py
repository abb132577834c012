"""nls_export: the client-side export flows of nls (``nls export sqlite``)."""
