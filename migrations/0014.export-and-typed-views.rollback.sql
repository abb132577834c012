-- Undoes 0014: nls.typed_view_columns (sql/70_typed_views.sql makes it again with the next install) goes, so that an
-- earlier migration's rollback can drop nls.typed_views; the views stay as they were built.
DROP VIEW IF EXISTS nls.typed_view_columns;
