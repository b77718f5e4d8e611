-- Tables and a timer for the pgRouting peer (scripts/bench/peer-pgrouting.ts fills them with COPY).
-- Ids are ours + 1: pgRouting reserves 0 and negative vertex ids (negative ids name points).

CREATE UNLOGGED TABLE edges (
  id bigint PRIMARY KEY,
  source bigint NOT NULL,
  target bigint NOT NULL,
  -- metres; walking is undirected, so both directions cost the same
  cost float8 NOT NULL,
  reverse_cost float8 NOT NULL
);

-- pgr_withPoints' points table: a facility sits on edge_id at fraction of its length from source.
CREATE UNLOGGED TABLE points (
  pid bigint PRIMARY KEY,
  edge_id bigint NOT NULL,
  fraction float8 NOT NULL,
  side char NOT NULL DEFAULT 'b'
);

-- Where each facility's walk starts: -pid for a point, or a vertex id for a facility that sits
-- exactly on a vertex (see peer-pgrouting.ts, pgRouting issue #2689).
CREATE UNLOGGED TABLE starts (facility int PRIMARY KEY, vid bigint NOT NULL);

-- The nearest vertex of each facility: start vids for the pgr_drivingDistance timing.
CREATE UNLOGGED TABLE near_vertex (facility int PRIMARY KEY, vid bigint NOT NULL);

-- Wall-clock milliseconds and row count of one query, measured inside the server so that psql's
-- start-up and the socket round trip are not counted. count(*) keeps the result off the wire.
CREATE FUNCTION bench_ms(q text, OUT ms float8, OUT n bigint) AS $$
DECLARE
  t0 timestamptz;
BEGIN
  t0 := clock_timestamp();
  EXECUTE 'SELECT count(*) FROM (' || q || ') AS q' INTO n;
  ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
END
$$ LANGUAGE plpgsql;
