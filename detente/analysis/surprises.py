"""Unexpected gestures: events that are improbable given the dyad's own history before them.

"Russia surprised the world" is a claim about expectations: a Russian call to the Pentagon after a
year of accusations and sanctions is surprising *for that pair*, while the same call between two
allies is routine. So each event is scored against its own dyad's past only (the events strictly
before its day, within ``history_days``), in bits (-log2 of a smoothed probability), as a weighted sum
of four components, each of which a reader can check in the explanation:

* ``type``  -- the event's PLOVER type *and direction* under a Dirichlet-smoothed model of the dyad's
  past (the prior is the type's store-wide share, so rare types stay rare for new dyads);
* ``tone``  -- cooperative / neutral / conflictual under a Laplace-smoothed model: a cooperative
  overture after a conflict-only stretch scores high;
* ``level`` -- the (source sector, target sector) pair: defence-ministry contact where only
  foreign ministries talked before;
* ``gap``   -- the silence before this type of event, in units of the dyad's typical interval between
  events: log2(1 + days since the last such event / mean days between the dyad's events).

Every window statistic is computed by DuckDB window functions over the dyads that have events in the
requested period, so the score of an event never looks at its own day or the future.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import pandas as pd

from detente.analysis.dyad import (
    AnalysisError,
    connection,
    date_bounds,
    dyad_filter,
    modalities,
    parse_actor,
    scores_cte,
    settings,
)

COMPONENTS = ("type", "tone", "level", "gap")


@dataclass(frozen=True, slots=True)
class Surprise:
    """One ranked event with its score, its components (bits) and the history behind them."""

    event_id: int
    day: date
    event: str
    mode: str | None
    source: str
    target: str
    dyad: str
    score: float
    components: dict[str, float]
    n_history: int
    n_coop: int
    n_conflict: int
    n_type_dir: int
    n_level: int
    days_since_type: int | None
    days_since_coop: int | None
    history_days: int
    tone: str
    level: str
    text: str | None = None
    source_url: str | None = None
    explanation: str = ""

    def to_row(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "date": self.day.isoformat(),
            "event": self.event + (f"/{self.mode}" if self.mode else ""),
            "direction": f"{self.source}->{self.target}",
            "score": round(self.score, 2),
            **{f"{k}_bits": round(v, 2) for k, v in self.components.items()},
            "why": self.explanation,
            "text": self.text,
            "source_url": self.source_url,
        }


def to_rows(found: list[Surprise]) -> list[dict[str, Any]]:
    return [s.to_row() for s in found]


def render(found: list[Surprise]) -> str:
    """A plain-text ranking: score, date, direction and type, then the explanation."""
    if not found:
        return "no events in the period"
    out = []
    for rank, s in enumerate(found, start=1):
        out.append(f"{rank:>3}. {s.score:6.2f}  {s.day.isoformat()}  {s.source}->{s.target} {s.event}"
                   f"{'/' + s.mode if s.mode else ''}  [event {s.event_id}]")
        out.append(f"       {s.explanation}")
    return "\n".join(out)


def _dyad(dyad: Any) -> tuple[str, str] | None:
    if dyad is None:
        return None
    if isinstance(dyad, str):
        parts = [p for p in dyad.replace("->", " ").replace("-", " ").split() if p]
        if len(parts) != 2:
            raise AnalysisError(repr(dyad), "a dyad is two actor codes ('RUS USA', 'RUS-USA')")
        return parts[0], parts[1]
    try:
        a, b = dyad
    except (TypeError, ValueError):
        raise AnalysisError(repr(dyad), "a dyad is two actor codes ('RUS USA', 'RUS-USA')") from None
    return a, b


def _type_prior(con, mods: list[str]) -> dict[str, float]:
    """Store-wide share of each PLOVER type (add-one smoothed over the types present)."""
    from detente.analysis.dyad import event_types

    types = event_types()
    counts = dict(con.execute(
        f"SELECT event, count(*) FROM events WHERE modality IN ({', '.join('?' * len(mods))}) GROUP BY event",
        mods).fetchall())
    total = sum(counts.values()) + len(types)
    return {t: (counts.get(t, 0) + 1) / total for t in types}


def surprises(con: Any, *, since: date | None = None, until: date | None = None, dyad: Any = None,
              limit: int | None = None) -> list[Surprise]:
    """The events dated ``since``..``until`` ranked by how improbable each was given its dyad's past.

    ``dyad`` (e.g. ``("RUS", "USA")`` or ``"RUS-USA"``) restricts to one pair (both directions).
    Events whose source or target is unknown, or the same country/IGO, belong to no dyad and are skipped.
    """
    cfg = settings()["surprises"]
    limit = int(cfg["limit"]) if limit is None else int(limit)
    if limit < 1:
        raise AnalysisError(repr(limit), "limit must be at least 1")
    date_bounds(since, until, "day")
    db = connection(con)
    mods = modalities()
    hist = int(cfg["history_days"])
    tone_cfg = settings()["tone"]
    cte, cte_params = scores_cte()

    filt, filt_params = "", []
    pair = _dyad(dyad)
    if pair:
        sa, sb = parse_actor(pair[0]), parse_actor(pair[1])
        if sa == sb:
            raise AnalysisError(repr(dyad), "a dyad needs two different actors")
        where, params, _, _ = dyad_filter(sa, sb, directed=False)
        filt, filt_params = f" AND {where}", params
    upper, upper_params = date_bounds(None, until, "e.anchor_date")
    lower, lower_params = date_bounds(since, None, "day")

    back = f"{hist} PRECEDING AND 1 PRECEDING"  # frames over integer day numbers
    ever = "UNBOUNDED PRECEDING AND 1 PRECEDING"
    # Rows before the look-back window of the period's first event matter only through "when last"
    # (last event of a type, last cooperative event, first event of the dyad): they are grouped by
    # (dyad, type, mode) in one cheap scan; only the recent rows get scores, levels and windows.
    cutoff = since - timedelta(days=hist) if since else date(1, 1, 1)
    side = ("coalesce(e.actor_country, e.actor_org)", "coalesce(e.recipient_country, e.recipient_org)")
    day = "e.anchor_date"
    coop_min, conf_max = float(tone_cfg["cooperative_min"]), float(tone_cfg["conflictual_max"])
    sql = f"""
    WITH {cte},
    recent AS (
        SELECT e.event_id, {day} AS day, e.event, e.mode,
               {side[0]} AS src, {side[1]} AS tgt,
               coalesce(e.actor_sector, '') AS src_sector, coalesce(e.recipient_sector, '') AS tgt_sector,
               coalesce(sm.score, st.score, 0.0) AS score, e.text, coalesce(e.source_url, e.article_id) AS url
        FROM events e
        LEFT JOIN scores st ON st.event = e.event AND st.mode = ''
        LEFT JOIN scores sm ON sm.event = e.event AND sm.mode = e.mode
        WHERE e.modality IN ({', '.join('?' * len(mods))}) {filt} {upper} AND {day} >= ?
          AND {side[0]} IS NOT NULL AND {side[1]} IS NOT NULL AND {side[0]} <> {side[1]}
    ),
    keyed AS (
        SELECT *, least(src, tgt) AS lo, greatest(src, tgt) AS hi, src < tgt AS fwd,
               CASE WHEN score >= ? THEN 'cooperative' WHEN score <= ? THEN 'conflictual' ELSE 'neutral' END AS tone,
               CASE WHEN src < tgt THEN src_sector || '>' || tgt_sector
                    ELSE tgt_sector || '<' || src_sector END AS level
        FROM recent
    ),
    wanted AS (SELECT DISTINCT lo, hi FROM keyed WHERE TRUE {lower}),
    h AS (SELECT k.* FROM keyed k SEMI JOIN wanted w ON k.lo = w.lo AND k.hi = w.hi),
    old_groups AS (
        SELECT least({side[0]}, {side[1]}) AS lo, greatest({side[0]}, {side[1]}) AS hi, e.event,
               coalesce(e.mode, '') AS mode, max({day}) AS last_day, min({day}) AS first_day
        FROM events e
        WHERE e.modality IN ({', '.join('?' * len(mods))}) {filt} AND {day} < ?
          AND {side[0]} IS NOT NULL AND {side[1]} IS NOT NULL AND {side[0]} <> {side[1]}
        GROUP BY ALL
    ),
    old AS (
        SELECT o.*, coalesce(sm.score, st.score, 0.0) >= ? AS coop
        FROM old_groups o SEMI JOIN wanted w ON o.lo = w.lo AND o.hi = w.hi
        LEFT JOIN scores st ON st.event = o.event AND st.mode = ''
        LEFT JOIN scores sm ON sm.event = o.event AND sm.mode = o.mode AND o.mode <> ''
    ),
    old_dyads AS (
        SELECT lo, hi, min(first_day) AS first_day, max(last_day) FILTER (WHERE coop) AS old_coop
        FROM old GROUP BY lo, hi
    ),
    old_types AS (SELECT lo, hi, event, max(last_day) AS old_type FROM old GROUP BY lo, hi, event),
    dyads AS (SELECT lo, hi, min(day) AS first_day, count(DISTINCT level) AS n_levels FROM h GROUP BY lo, hi),
    scored AS (  -- integer days and CASE sums: DuckDB's FILTER in window frames is several times slower
        SELECT *,
            count(*) OVER (PARTITION BY lo, hi ORDER BY d RANGE BETWEEN {back}) AS n_history,
            coalesce(sum((tone = 'cooperative')::INTEGER)
                OVER (PARTITION BY lo, hi ORDER BY d RANGE BETWEEN {back}), 0) AS n_coop,
            coalesce(sum((tone = 'conflictual')::INTEGER)
                OVER (PARTITION BY lo, hi ORDER BY d RANGE BETWEEN {back}), 0) AS n_conflict,
            count(*) OVER (PARTITION BY lo, hi, event, fwd ORDER BY d RANGE BETWEEN {back}) AS n_type_dir,
            count(*) OVER (PARTITION BY lo, hi, level ORDER BY d RANGE BETWEEN {back}) AS n_level,
            DATE '1970-01-01' + max(d) OVER (PARTITION BY lo, hi, event ORDER BY d RANGE BETWEEN {ever})
                AS recent_type,
            DATE '1970-01-01' + max(CASE WHEN tone = 'cooperative' THEN d END)
                OVER (PARTITION BY lo, hi ORDER BY d RANGE BETWEEN {ever}) AS recent_coop
        FROM (SELECT *, (day - DATE '1970-01-01')::INTEGER AS d FROM h)
    )
    SELECT s.event_id, s.day, s.event, s.mode, s.src, s.tgt, s.src_sector, s.tgt_sector, s.fwd, s.tone,
           s.level, s.text, s.url, s.lo, s.hi, s.n_history, s.n_coop, s.n_conflict, s.n_type_dir, s.n_level,
           coalesce(s.recent_type, ot.old_type) AS last_type, coalesce(s.recent_coop, od.old_coop) AS last_coop,
           least(d.first_day, od.first_day) AS first_day, d.n_levels
    FROM scored s
    JOIN dyads d ON d.lo = s.lo AND d.hi = s.hi
    LEFT JOIN old_dyads od ON od.lo = s.lo AND od.hi = s.hi
    LEFT JOIN old_types ot ON ot.lo = s.lo AND ot.hi = s.hi AND ot.event = s.event
    WHERE TRUE {lower.replace("day", "s.day")}
    """
    params = (cte_params + mods + filt_params + upper_params + [cutoff] + [coop_min, conf_max] + lower_params
              + mods + filt_params + [cutoff] + [coop_min] + lower_params)
    frame = db.execute(sql, params).df()
    if frame.empty:
        return []
    scored = _score(frame, _type_prior(db, mods), cfg, hist)
    top = scored.sort_values(["score", "day", "event_id"], ascending=[False, True, True]).head(limit)
    return [_surprise(r, hist) for r in top.itertuples(index=False)]


def _score(frame: pd.DataFrame, prior: dict[str, float], cfg: dict[str, Any], hist: int) -> pd.DataFrame:
    """Add the component bits and the weighted score (vectorised over all candidate events)."""
    import numpy as np

    s = float(cfg["type_prior_strength"])
    tau = float(cfg["tone_prior"])
    lam = float(cfg["level_prior"])
    w = cfg["weights"]
    n = frame["n_history"].to_numpy(dtype=float)
    q = frame["event"].map(lambda t: prior.get(t, min(prior.values()))).to_numpy(dtype=float)
    p_type = (frame["n_type_dir"].to_numpy(dtype=float) + s * q / 2) / (n + s)
    n_tone = np.select([frame["tone"] == "cooperative", frame["tone"] == "conflictual"],
                       [frame["n_coop"], frame["n_conflict"]],
                       n - frame["n_coop"] - frame["n_conflict"]).astype(float)
    p_tone = (n_tone + tau) / (n + 3 * tau)
    k = frame["n_levels"].to_numpy(dtype=float) + 1
    p_level = (frame["n_level"].to_numpy(dtype=float) + lam) / (n + lam * k)
    day = pd.to_datetime(frame["day"])
    since_type = (day - pd.to_datetime(frame["last_type"])).dt.days
    since_first = (day - pd.to_datetime(frame["first_day"])).dt.days
    silence = since_type.fillna(since_first).to_numpy(dtype=float)
    typical = hist / (n + 1)
    frame = frame.copy()
    frame["type_bits"] = -np.log2(p_type)
    frame["tone_bits"] = -np.log2(p_tone)
    frame["level_bits"] = -np.log2(p_level)
    frame["gap_bits"] = np.log2(1 + silence / typical)
    frame["days_since_type"] = since_type
    frame["days_since_coop"] = (day - pd.to_datetime(frame["last_coop"])).dt.days
    frame["score"] = sum(float(w[c]) * frame[f"{c}_bits"] for c in COMPONENTS)
    return frame


def _opt_int(v: Any) -> int | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v) else int(v)


def _surprise(r: Any, hist: int) -> Surprise:
    src = r.src + (f" {r.src_sector}" if r.src_sector else "")
    tgt = r.tgt + (f" {r.tgt_sector}" if r.tgt_sector else "")
    day = pd.Timestamp(r.day).date()
    s = Surprise(
        event_id=int(r.event_id), day=day, event=r.event, mode=r.mode if isinstance(r.mode, str) else None,
        source=src, target=tgt, dyad=f"{r.lo}-{r.hi}", score=float(r.score),
        components={c: float(getattr(r, f"{c}_bits")) for c in COMPONENTS},
        n_history=int(r.n_history), n_coop=int(r.n_coop), n_conflict=int(r.n_conflict),
        n_type_dir=int(r.n_type_dir), n_level=int(r.n_level),
        days_since_type=_opt_int(r.days_since_type), days_since_coop=_opt_int(r.days_since_coop),
        history_days=hist, tone=r.tone, level=f"{r.src_sector or '?'}->{r.tgt_sector or '?'}",
        text=r.text if isinstance(r.text, str) else None, source_url=r.url if isinstance(r.url, str) else None,
    )
    return _with_explanation(s, r)


def _window(days: int) -> str:
    return "previous 12 months" if days == 365 else f"previous {days} days"


def _with_explanation(s: Surprise, r: Any) -> Surprise:
    """Words and numbers behind the score, the largest contributions first."""
    win = _window(s.history_days)
    direction = f"{r.src}->{r.tgt}"
    parts: list[tuple[float, str]] = []
    if s.n_history == 0:
        parts.append((99.0, f"no earlier {s.dyad} events in the {win}"))
    same_tone = {"cooperative": s.n_coop, "conflictual": s.n_conflict}.get(
        s.tone, s.n_history - s.n_coop - s.n_conflict)
    verb = "was" if same_tone == 1 else "were"
    parts.append((s.components["tone"], f"{same_tone} of {s.n_history} {s.dyad} events in the {win} {verb} {s.tone}"))
    parts.append((s.components["type"],
                  f"{s.n_type_dir} {direction} {s.event} in the {win} "
                  f"(P={2 ** -s.components['type']:.1%})"))
    if s.days_since_type is None:
        parts.append((s.components["gap"], f"first {s.dyad} {s.event} on record"))
    elif s.days_since_type >= 30:
        parts.append((s.components["gap"], f"first {s.dyad} {s.event} in {s.days_since_type} days"))
    else:
        parts.append((s.components["gap"], f"previous {s.dyad} {s.event} {s.days_since_type} days earlier"))
    if s.tone == "cooperative" and s.days_since_coop is not None and s.days_since_coop > 30:
        parts.append((s.components["tone"] - 0.01,
                      f"last cooperative {s.dyad} event {s.days_since_coop} days earlier"))
    parts.append((s.components["level"] * 0.5,
                  f"level {s.level or 'unspecified'} seen {s.n_level} times in the {win}"))
    parts.sort(key=lambda p: -p[0])
    head = f"{s.source}->{s.target} {s.event}"
    text = f"{head}: " + "; ".join(p[1] for p in parts)
    return replace(s, explanation=text)
