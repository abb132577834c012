-- depends: 0013.webhooks-and-change
DROP TABLE nls._loopback;
DROP TABLE nls._requests;
DROP TABLE nls._workers;
