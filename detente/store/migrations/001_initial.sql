-- detente event store, schema version 1: articles, events (GDELT's event + mentions model), errors.
-- Applied by detente.store.schema.migrate inside one transaction together with its schema_version row.

CREATE TABLE articles (
    article_id   VARCHAR PRIMARY KEY,      -- first 16 hex digits of content_hash: stable across re-runs
    doc_id       VARCHAR NOT NULL,         -- the input's own id (file name, JSONL id, URL)
    content_hash VARCHAR NOT NULL UNIQUE,  -- Article.content_hash(): same text from two URLs is one article
    url          VARCHAR,                  -- as given
    url_key      VARCHAR UNIQUE,           -- normalised URL (lower-case scheme/host, no fragment, no utm_*)
    outlet       VARCHAR,
    title        VARCHAR,
    author       VARCHAR,
    published    DATE,
    language     VARCHAR,
    text         VARCHAR NOT NULL,
    status       VARCHAR NOT NULL CHECK (status IN ('coded', 'skipped')),
    skip_reason  VARCHAR,                  -- why coding was skipped (e.g. not English)
    n_events     INTEGER NOT NULL DEFAULT 0,  -- event mentions coded in this article
    source_input VARCHAR,                  -- the file, feed or URL the article was read from, when known
    ingested_at  TIMESTAMP NOT NULL
);

CREATE TABLE events (
    event_id            BIGINT PRIMARY KEY,
    event               VARCHAR NOT NULL,  -- PLOVER type
    mode                VARCHAR,
    context             VARCHAR[],
    cameo               VARCHAR,
    goldstein           DOUBLE,
    quad_class          TINYINT,
    actor_code          VARCHAR,
    actor_name          VARCHAR,
    actor_country       VARCHAR,
    actor_org           VARCHAR,
    actor_sector        VARCHAR,
    actor_wikidata      VARCHAR,
    actor_text          VARCHAR,
    actor_kind          VARCHAR,
    recipient_code      VARCHAR,
    recipient_name      VARCHAR,
    recipient_country   VARCHAR,
    recipient_org       VARCHAR,
    recipient_sector    VARCHAR,
    recipient_wikidata  VARCHAR,
    recipient_text      VARCHAR,
    recipient_kind      VARCHAR,
    modality            VARCHAR NOT NULL,
    date                DATE,              -- the best date reported by any mention
    date_source         VARCHAR NOT NULL,  -- 'text' > 'publication' > 'none'
    anchor_date         DATE NOT NULL,     -- date, else the first report's publication (or ingest) date: the dedup window is centred here
    location_text       VARCHAR,
    location_country    VARCHAR,
    location_geonameid  BIGINT,
    location_lat        DOUBLE,
    location_lon        DOUBLE,
    attribution         VARCHAR,
    num_mentions        INTEGER NOT NULL,  -- sentences reporting it
    num_articles        INTEGER NOT NULL,  -- distinct articles
    num_sources         INTEGER NOT NULL,  -- distinct outlets (URL host, or the article itself, when no outlet)
    first_seen          DATE NOT NULL,     -- earliest publication date of a reporting article
    last_seen           DATE NOT NULL,     -- latest publication date of a reporting article
    added_at            TIMESTAMP NOT NULL,
    confidence          DOUBLE NOT NULL,   -- best mention confidence; text/cue/rule come from that mention
    text                VARCHAR,
    cue                 VARCHAR,
    rule                VARCHAR,
    article_id          VARCHAR NOT NULL,  -- the first report
    sentence            INTEGER,           -- sentence index in the first report
    source_url          VARCHAR            -- URL (or doc id) of the first report
);

CREATE TABLE mentions (
    event_id     BIGINT NOT NULL,
    article_id   VARCHAR NOT NULL,
    sentence     INTEGER NOT NULL,
    char_start   INTEGER,
    char_end     INTEGER,
    confidence   DOUBLE NOT NULL,
    attribution  VARCHAR,
    text         VARCHAR,
    cue          VARCHAR,
    date         DATE,                     -- the event date as this mention reports it
    date_source  VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,         -- outlet key the mention counts for in num_sources
    seen         DATE NOT NULL             -- the article's publication (or ingest) date
);

CREATE TABLE errors (
    input  VARCHAR NOT NULL,
    stage  VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    time   TIMESTAMP NOT NULL
);
