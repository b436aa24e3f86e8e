-- Schema version 2: the actors seen in events, the runs that wrote the store, errors tied to their run.

CREATE TABLE actors (
    actor_id     VARCHAR PRIMARY KEY,      -- code|wikidata (or code|lower-case name)
    code         VARCHAR,
    name         VARCHAR,
    country      VARCHAR,
    org          VARCHAR,
    sector       VARCHAR,
    wikidata     VARCHAR,
    kind         VARCHAR,
    n_mentions   INTEGER NOT NULL,         -- event mentions naming this actor on either side
    n_as_source  INTEGER NOT NULL,
    n_as_target  INTEGER NOT NULL,
    first_seen   DATE NOT NULL,            -- earliest event date (or publication date) it appears in
    last_seen    DATE NOT NULL
);

CREATE TABLE runs (
    run_id        INTEGER PRIMARY KEY,
    command       VARCHAR,
    started       TIMESTAMP NOT NULL,
    finished      TIMESTAMP,
    ok            INTEGER NOT NULL DEFAULT 0,
    skipped       INTEGER NOT NULL DEFAULT 0,
    duplicate     INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    events_new    INTEGER NOT NULL DEFAULT 0,
    events_merged INTEGER NOT NULL DEFAULT 0
);

ALTER TABLE errors ADD COLUMN run_id INTEGER;

-- Fill the new table from the events of a version-1 store (each event counted num_mentions times).
INSERT INTO actors
SELECT actor_id, any_value(code), any_value(name), any_value(country), any_value(org), any_value(sector),
       any_value(wikidata), any_value(kind), sum(n)::INTEGER, sum(src)::INTEGER, sum(tgt)::INTEGER,
       min(d), max(d)
FROM (
    SELECT actor_code || '|' || coalesce(actor_wikidata, lower(actor_name), '') AS actor_id,
           actor_code AS code, actor_name AS name, actor_country AS country, actor_org AS org,
           actor_sector AS sector, actor_wikidata AS wikidata, actor_kind AS kind,
           num_mentions AS n, num_mentions AS src, 0 AS tgt, coalesce(date, anchor_date) AS d
    FROM events WHERE actor_code IS NOT NULL
    UNION ALL
    SELECT recipient_code || '|' || coalesce(recipient_wikidata, lower(recipient_name), ''),
           recipient_code, recipient_name, recipient_country, recipient_org,
           recipient_sector, recipient_wikidata, recipient_kind,
           num_mentions, 0, num_mentions, coalesce(date, anchor_date)
    FROM events WHERE recipient_code IS NOT NULL
)
GROUP BY actor_id;
