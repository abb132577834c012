-- One catalogue of settings and one list of targets (issue "One engine, many flows"):
-- * nls.settings describes each setting: its type, unit, default and allowed range or values. sql/06_settings.sql
--   writes the catalogue's rows on every install (a value already set is kept) and nls.set_setting checks a value
--   against them.
-- * sources.target is checked against nls.targets() (sql/05_targets.sql) by a trigger, not by a list written here;
--   nls.targets() gains the default property map of each target, so its old signature goes.
-- depends: 0007.value-marks

ALTER TABLE nls.settings
    ADD COLUMN type          text NOT NULL DEFAULT 'text'
                             CHECK (type IN ('text', 'number', 'integer', 'choice', 'url', 'path')),
    ADD COLUMN unit          text,
    ADD COLUMN default_value text,
    ADD COLUMN min_value     numeric,
    ADD COLUMN max_value     numeric,
    ADD COLUMN allowed       text[];

ALTER TABLE nls.sources DROP CONSTRAINT IF EXISTS sources_target_check;
DROP FUNCTION IF EXISTS nls.targets();
DROP FUNCTION IF EXISTS nls._learning_targets();
