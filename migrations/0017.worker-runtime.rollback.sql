-- depends: 0013.webhooks-and-change
DROP VIEW IF EXISTS nls.workers;   -- sql/20_api.sql makes it again with the next install
DROP TABLE nls._loopback;
DROP TABLE nls._requests;
DROP TABLE nls._workers;
