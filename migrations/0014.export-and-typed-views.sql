-- Typed views keep their users' Notion text out of the catalogue (which every role reads): a view's definition
-- names its data source through its nls.typed_views row, and its comments are the same for every user's view
-- (nls.typed_view_columns, under row-level security, says which property each column reads). Every view built
-- before is built again in that form when the install deploys sql/ (sql/70_typed_views.sql builds what waits).
-- depends: 0013.webhooks-and-change

UPDATE nls.typed_views SET build_wanted = true WHERE built_as IS NOT NULL AND data_source_id IS NOT NULL;
