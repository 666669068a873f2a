-- Run once, on an empty data directory, by the postgres image's entrypoint.
-- The event store lives in the `onecard` database (schema `onecard`, created by the adapter);
-- each service keeps its projections in a database of its own.
CREATE DATABASE onecard_registry OWNER onecard;
CREATE DATABASE onecard_approval OWNER onecard;
CREATE DATABASE onecard_payout OWNER onecard;
CREATE DATABASE onecard_notify OWNER onecard;
CREATE DATABASE onecard_publicity OWNER onecard;
