"""The dyad index: how two actors get on, period by period, and whether that is changing.

A political scientist asks "is the ice between the Kremlin and the White House thawing?". The answer
has to survive three traps of news-based event data: volume (a busy week is not a warm week), sparsity
(one friendly phone call in a quiet month is not "+100% cooperation") and noise (a single odd week is
not a turning point). Hence the design:

* all counting happens in DuckDB (one scan, ``GROUP BY date_trunc``), so the index of a busy dyad over
  ten million events is answered interactively; an event's day is its ``anchor_date``, which the store
  keeps equal to ``date`` whenever a date is known (else the first report's publication date), so
  undated events are placed at the news that reported them, and a date filter can be pushed into the scan;
* each event weighs by how widely it was reported and how sure the coder was, and negated or
  hypothetical events do not count (see ``data/analysis.yaml``);
* the *temperature* of a period is the posterior mean of the cooperative share under a Beta prior,
  computed on the period's effective number of events, so few events give a value near 0 with a wide
  band rather than a confident extreme;
* the trend is a Theil-Sen slope with its confidence interval and the change points come from
  ``ruptures`` (PELT) with a penalty scaled to the series' own noise, so pure noise reports no break.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd

from detente.data import load_yaml
from detente.records import InputError

Period = Literal["day", "week", "month"]
PERIODS: dict[str, str] = {"day": "D", "week": "W-MON", "month": "MS"}
"""DuckDB ``date_trunc`` unit -> the pandas frequency of the same period starts (weeks start Monday)."""
PERIODS_PER_YEAR: dict[str, float] = {"day": 365.25, "week": 365.25 / 7, "month": 12.0}

_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")
_SECTOR = re.compile(r"^[A-Z]{3}$")
_SPARK = "▁▂▃▄▅▆▇█"


class AnalysisError(ValueError):
    """A bad request to the analysis (unknown period, malformed actor, since after until ...).

    Carries the ``InputError`` record so a caller can report it like any other bad input.
    """

    def __init__(self, input: str, reason: str, stage: str = "analysis") -> None:
        self.error = InputError(input=input, stage=stage, reason=reason)
        super().__init__(str(self.error))


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    """The tunable numbers of ``data/analysis.yaml``."""
    return load_yaml("analysis.yaml")


# --- actors -------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _known_codes() -> tuple[frozenset[str], frozenset[str]]:
    """Country codes and IGO codes of the knowledge base; a code in both (NAM) matches either."""
    countries = load_yaml("countries.yaml")
    iso = {c["iso3"] for c in countries["countries"]}
    iso |= {t["iso3"] for t in countries.get("territories") or [] if isinstance(t, dict) and "iso3" in t}
    orgs = {o["code"] for o in load_yaml("igos.yaml")["igos"]}
    return frozenset(iso), frozenset(orgs)


@dataclass(frozen=True, slots=True)
class ActorSpec:
    """One side of a dyad: a country (matched on ``*_country``) or an IGO (``*_org``), maybe a sector.

    Stored actor codes are built as country-or-org followed by the sector (``RUSMIL``, ``NATO``), so the
    country and org columns hold exactly the code prefix; matching them is matching the prefix.
    """

    code: str
    kind: Literal["country", "org", "any"]
    sector: str | None = None

    @property
    def label(self) -> str:
        return f"{self.code} {self.sector}" if self.sector else self.code

    def sql(self, side: Literal["actor", "recipient"]) -> tuple[str, list[Any]]:
        """A WHERE fragment (with parameters) selecting events whose ``side`` is this actor."""
        if self.kind == "country":
            cond, params = f"{side}_country = ?", [self.code]
        elif self.kind == "org":
            cond, params = f"{side}_org = ?", [self.code]
        else:
            cond, params = f"({side}_country = ? OR {side}_org = ?)", [self.code, self.code]
        if self.sector:
            cond += f" AND ({side}_sector = ? OR list_contains({side}_sectors, ?))"  # a defence minister: GOV, MIL
            params += [self.sector, self.sector]
        return f"({cond})", params

    def side_key(self) -> str:
        """The SQL expression naming an event side at the level of this spec (for dyad keys)."""
        return "country" if self.kind == "country" else "org"


def parse_actor(spec: str | ActorSpec, sector: str | None = None) -> ActorSpec:
    """"RUS", "rus mil", "RUS/MIL", "RUSMIL", "NATO" -> ActorSpec; ``sector`` overrides the written one."""
    if isinstance(spec, ActorSpec):
        base = spec
    else:
        text = (spec or "").strip().upper()
        parts = [p for p in re.split(r"[\s/:_-]+", text) if p]
        if not parts or len(parts) > 2:
            raise AnalysisError(repr(spec), "an actor is a country or IGO code, optionally with a sector "
                                            "('RUS', 'USA MIL', 'NATO')")
        code, sec = parts[0], parts[1] if len(parts) == 2 else None
        countries, orgs = _known_codes()
        if sec is None and len(code) == 6 and code not in orgs and code[:3] in countries:
            code, sec = code[:3], code[3:]  # a stored actor code such as RUSMIL
        if not _CODE.match(code):
            raise AnalysisError(repr(spec), f"{code!r} is not an actor code (letters and digits, 2-12)")
        kind: Literal["country", "org", "any"]
        if code in countries and code in orgs:
            kind = "any"
        elif code in countries:
            kind = "country"
        elif code in orgs:
            kind = "org"
        else:
            kind = "any"  # a code the knowledge base does not list may still be in the store
        base = ActorSpec(code, kind, sec)
    if sector is not None:
        base = ActorSpec(base.code, base.kind, sector.strip().upper() or None)
    if base.sector is not None and not _SECTOR.match(base.sector):
        raise AnalysisError(repr(spec), f"{base.sector!r} is not a sector code (three letters: GOV, MIL ...)")
    return base


def dyad_filter(a: ActorSpec, b: ActorSpec, directed: bool) -> tuple[str, list[Any], str, list[Any]]:
    """WHERE fragment for events between ``a`` and ``b`` (a->b only when directed) and the expression
    telling whether a row goes a->b, each with its parameters."""
    a_src, pa_src = a.sql("actor")
    b_tgt, pb_tgt = b.sql("recipient")
    forward = f"({a_src} AND {b_tgt})"
    fwd_params = pa_src + pb_tgt
    if directed:
        return forward, fwd_params, "TRUE", []
    b_src, pb_src = b.sql("actor")
    a_tgt, pa_tgt = a.sql("recipient")
    both = f"({forward} OR ({b_src} AND {a_tgt}))"
    both_params = fwd_params + pb_src + pa_tgt
    return both, both_params, forward, fwd_params


# --- shared SQL pieces --------------------------------------------------------------------------

def connection(con: Any) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection from a connection or from a store object holding one (``.con``)."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        return con
    for attr in ("con", "connection", "conn"):
        inner = getattr(con, attr, None)
        if isinstance(inner, duckdb.DuckDBPyConnection):
            return inner
    raise AnalysisError(type(con).__name__, "not a DuckDB connection or a store holding one")


@lru_cache(maxsize=1)
def plover_scores() -> tuple[tuple[str, str, float], ...]:
    """(type, mode or '', score) for every PLOVER type and mode, from ``ontology/plover.yaml``."""
    from detente.events.ontology import default_ontology

    onto = default_ontology()
    rows: list[tuple[str, str, float]] = []
    for t in onto.types():
        rows.append((t, "", onto.score(t)))
        rows.extend((t, m, onto.score(t, m)) for m in onto.modes(t))
    return tuple(rows)


def scores_cte() -> tuple[str, list[Any]]:
    """``scores(event, mode, score)`` as a VALUES CTE (parameters, not formatted values)."""
    rows = plover_scores()
    values = ", ".join(["(?, ?, ?)"] * len(rows))
    params: list[Any] = [v for row in rows for v in row]
    return f"scores(event, mode, score) AS (SELECT * FROM (VALUES {values}))", params


def weight_sql(alias: str = "e") -> str:
    """The per-event weight expression: f(num_mentions) * confidence^p, from ``analysis.yaml``."""
    cfg = settings()["weights"]
    kind = cfg.get("mentions", "log")
    n = f"greatest({alias}.num_mentions, 1)"
    mention = {"log": f"(1 + ln({n}))", "sqrt": f"sqrt({n})", "none": "1.0"}.get(kind)
    if mention is None:
        raise AnalysisError("analysis.yaml weights.mentions", f"unknown weighting {kind!r} (log, sqrt, none)")
    power = float(cfg.get("confidence_power", 1.0))
    # A confidence that is not a number (NULL, NaN, +-inf: a damaged or foreign import; the coder
    # always writes one) is missing, and a missing confidence weighs 0: the event still counts in the
    # period's event and QuadClass counts, so the reader sees it, but it adds no evidence of warmth or
    # chill, which the analysis cannot vouch for. That is how a NULL has always been read; guessing the
    # coder's default instead would make a damaged row as convincing as a well-coded one. (In SQL, NaN
    # is larger than every number, so ``greatest(NaN, 0)`` is NaN: it would make the period's weight
    # sums NaN, and a NaN temperature breaks the trend and the change points.)
    # A confidence is a share: one outside [0, 1] is clipped into it, so no weight can overflow.
    c = f"{alias}.confidence"
    conf = f"pow(CASE WHEN isfinite({c}) THEN least(greatest({c}, 0.0), 1.0) ELSE 0.0 END, {power!r})"
    return f"({mention} * {conf})"


def goldstein_sql(column: str = "goldstein") -> str:
    """An event's Goldstein value for the weighted mean: a missing or non-finite one (NULL, NaN) as 0,
    the neutral value, so that one damaged row does not turn its period's mean into NaN."""
    return f"(CASE WHEN isfinite({column}) THEN {column} ELSE 0.0 END)"


def modalities() -> list[str]:
    return [str(m) for m in settings()["modalities"]]


def date_bounds(since: date | None, until: date | None, col: str) -> tuple[str, list[Any]]:
    """Inclusive date bounds on ``col``; since after until is refused."""
    if since and until and since > until:
        raise AnalysisError(f"{since}..{until}", "since is after until")
    sql, params = "", []
    if since:
        sql += f" AND {col} >= ?"
        params.append(since)
    if until:
        sql += f" AND {col} <= ?"
        params.append(until)
    return sql, params


def event_types() -> list[str]:
    from detente.events.ontology import default_ontology

    return default_ontology().types()


# --- temperature ---------------------------------------------------------------------------------

def beta_temperature(coop: np.ndarray, conf: np.ndarray, prior: float, band: float
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Temperature 2E[p]-1 and its central ``band`` interval for p ~ Beta(coop + prior, conf + prior)."""
    from scipy.stats import beta as beta_dist

    a = np.asarray(coop, dtype=float) + prior
    b = np.asarray(conf, dtype=float) + prior
    mean = 2 * a / (a + b) - 1
    tail = (1 - band) / 2
    # ``ppf`` checks its arguments and then calls ``_ppf`` (Boost's beta quantile); the checks cost
    # more than the quantiles of a three-year weekly series, so valid arguments skip them
    valid = 0 < tail < 1 and a.size and bool(np.all(a > 0) and np.all(b > 0) and np.all(np.isfinite(a + b)))
    if not valid:
        return mean, 2 * beta_dist.ppf(tail, a, b) - 1, 2 * beta_dist.ppf(1 - tail, a, b) - 1
    if a.size < _DEDUP_MIN:  # (the summary's one period): sorting would cost more than it saves
        return mean, 2 * beta_dist._ppf(tail, a, b) - 1, 2 * beta_dist._ppf(1 - tail, a, b) - 1
    # each distinct (a, b) once: a quiet dyad's periods mostly repeat the prior's (no events) or one
    # event's. The quantiles are computed element by element, so the answer is the same as without.
    ua, ub, back = _distinct_pairs(a.reshape(-1), b.reshape(-1))
    low = 2 * beta_dist._ppf(tail, ua, ub) - 1
    high = 2 * beta_dist._ppf(1 - tail, ua, ub) - 1
    return mean, low[back].reshape(a.shape), high[back].reshape(a.shape)


_DEDUP_MIN = 8
"""Below this many periods ``beta_temperature`` does not look for repeated (a, b) pairs."""


def _distinct_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct pairs (a[i], b[i]) and, for each i, the position of its pair among them: what
    ``np.unique(np.stack((a, b), 1), axis=0, return_inverse=True)`` gives (same pairs, same order),
    from one ``lexsort``; numpy's row-wise unique views the rows as records first and costs 8 times
    as much, which mattered on every dyad request."""
    order = np.lexsort((b, a))
    sa, sb = a[order], b[order]
    new = np.empty(len(sa), dtype=bool)
    new[:1] = True
    np.not_equal(sa[1:], sa[:-1], out=new[1:])
    new[1:] |= sb[1:] != sb[:-1]
    back = np.empty(len(sa), dtype=np.intp)
    back[order] = np.cumsum(new) - 1
    return sa[new], sb[new], back


def ewma_sum(x: np.ndarray, halflife: float) -> np.ndarray:
    """S_t = lam * S_{t-1} + x_t with lam = 0.5^(1/halflife): exponentially discounted evidence."""
    lam = 0.5 ** (1.0 / halflife) if halflife > 0 else 0.0
    out = np.empty(len(x), dtype=float)
    acc = 0.0
    for i, v in enumerate(x):
        acc = lam * acc + float(v)
        out[i] = acc
    return out


@dataclass(frozen=True, slots=True)
class Trend:
    """Theil-Sen slope of the temperature, per period and per year, with its confidence interval."""

    slope: float
    low: float
    high: float
    per_year: float
    confidence: float
    n_periods: int

    @property
    def direction(self) -> str:
        if self.low > 0:
            return "warming"
        if self.high < 0:
            return "cooling"
        return "no clear trend"

    def describe(self, by: str) -> str:
        return (f"{self.direction}: {self.slope:+.4f} per {by} ({self.per_year:+.2f} per year), "
                f"{self.confidence:.0%} CI [{self.low:+.4f}, {self.high:+.4f}] over {self.n_periods} periods")


@dataclass(frozen=True, slots=True)
class ChangePoint:
    """The temperature's level changes at the start of ``period`` (from ``before`` to ``after``)."""

    period: date
    before: float
    after: float

    def describe(self) -> str:
        word = "warmer" if self.after > self.before else "cooler"
        return f"{self.period.isoformat()}: {word}, {self.before:+.2f} -> {self.after:+.2f}"


def theil_sen(x: np.ndarray, y: np.ndarray, by: str) -> Trend | None:
    """Theil-Sen slope of y on x with its CI. Theil-Sen looks at every pair of points (O(n^2)), so a
    long daily series is first averaged over consecutive bins down to ``trend.max_points`` points
    (bin centre -> mean temperature); the slope stays in units per period."""
    cfg = settings()["trend"]
    if len(y) < int(cfg["min_periods"]) or len(set(x.tolist())) < 2:
        return None
    n = len(y)
    cap = int(cfg.get("max_points", 1000))
    xs, ys = x, y
    if n > cap:
        starts = np.linspace(0, n, cap + 1).astype(int)[:-1]
        sizes = np.diff(np.append(starts, n))
        xs = np.add.reduceat(x, starts) / sizes
        ys = np.add.reduceat(y, starts) / sizes
    conf = float(cfg["confidence"])
    slope, low, high = _theil_sen_slopes(np.asarray(ys, dtype=float), np.asarray(xs, dtype=float), conf)
    return Trend(slope=float(slope), low=float(low), high=float(high),
                 per_year=float(slope) * PERIODS_PER_YEAR[by], confidence=conf, n_periods=n)


def _theil_sen_slopes(y: np.ndarray, x: np.ndarray, alpha: float) -> tuple[float, float, float]:
    """``scipy.stats.theilslopes(y, x, alpha)``'s slope and CI, step for step the same arithmetic
    (scipy 1.17), without its argument handling, which costs as much as the slopes of a series."""
    deltax = x[:, np.newaxis] - x
    deltay = y[:, np.newaxis] - y
    positive = deltax > 0
    slopes = deltay[positive] / deltax[positive]
    slopes.sort()
    medslope = np.median(slopes)
    if alpha > 0.5:
        alpha = 1. - alpha
    z = _norm_ppf(alpha / 2.)
    nt, ny = len(slopes), len(y)
    sigsq = 1/18. * (ny * (ny-1) * (2*ny+5) - sum(k * (k-1) * (2*k + 5) for k in _repeats(x))
                     - sum(k * (k-1) * (2*k + 5) for k in _repeats(y)))
    try:
        sigma = np.sqrt(sigsq)
        ru = min(int(np.round((nt - z*sigma)/2.)), len(slopes)-1)
        rl = max(int(np.round((nt + z*sigma)/2.)) - 1, 0)
        low, high = slopes[[rl, ru]]
    except (ValueError, IndexError):
        low, high = np.nan, np.nan
    return medslope, low, high


@lru_cache(maxsize=8)
def _norm_ppf(q: float) -> float:
    from scipy.stats import norm

    return norm.ppf(q)


def _repeats(values: np.ndarray) -> np.ndarray:
    """How often each value occurring more than once occurs (scipy's ``_find_repeats``)."""
    arr = np.sort(np.asarray(values, dtype=np.float64).ravel())
    if not arr.size:
        return np.array(0, np.intp)
    change = np.concatenate(([True], arr[1:] != arr[:-1]))
    freq = np.diff(np.concatenate(np.nonzero(change) + ([arr.size],)))
    return freq[freq > 1]


def noise_sigma(y: np.ndarray, variance: np.ndarray | None = None) -> float:
    """The noise level a break must stand out from: the larger of the data's own (the MAD of
    consecutive differences / sqrt 2, which a level shift barely moves) and the model's (the root mean
    posterior variance of the periods' temperatures: few events, much noise). The second keeps a
    series of identical small-count values (-0.6, -0.6, ...) from looking noiseless."""
    data = 0.0
    if len(y) >= 2:
        data = 1.4826 * float(np.median(np.abs(np.diff(y)))) / math.sqrt(2)
    model = float(np.sqrt(np.mean(variance))) if variance is not None and len(variance) else 0.0
    return max(data, model)


def change_points(y: np.ndarray, variance: np.ndarray | None = None) -> list[int]:
    """Indices into ``y`` where a new segment starts (PELT, L2 cost, BIC-like penalty on the noise)."""
    cfg = settings()["change_points"]
    n = len(y)
    min_size = int(cfg["min_size"])
    if n < max(int(cfg["min_periods"]), 2 * min_size):
        return []
    sigma = noise_sigma(y, variance)
    if not math.isfinite(sigma):  # ruptures would stop on an assertion about its penalty
        raise AnalysisError("change points", "the temperature series holds values that are not numbers")
    if sigma <= 0:
        return []
    import ruptures as rpt

    pen = float(cfg["penalty_factor"]) * sigma * sigma * math.log(n)
    model = str(cfg["model"])
    if model == "l2":  # PELT with the L2 cost, in ruptures' C implementation (a linear kernel is L2)
        algo = rpt.KernelCPD(kernel="linear", min_size=min_size, jump=1)
    else:
        algo = rpt.Pelt(model=model, min_size=min_size, jump=1)
    return [int(i) for i in algo.fit(y.reshape(-1, 1)).predict(pen=pen) if i < n]


# --- the index -----------------------------------------------------------------------------------

@dataclass
class DyadIndex:
    """The per-period index of a dyad with its trend and change points.

    ``frame`` has one row per period (periods without events included, all zeros):
    ``period`` (start date), ``events`` (count), ``a_to_b``/``b_to_a`` (counts by direction),
    ``q1``..``q4`` (counts by QuadClass), one ``n_<TYPE>`` column per PLOVER type, ``weight`` (sum of
    event weights), ``n_eff`` (effective number of events), ``coop``/``conflict`` (weighted
    cooperative and conflictual evidence, rescaled to ``n_eff``; neutral events count half to each),
    ``goldstein_sum``/``goldstein_mean`` and ``plover_sum``/``plover_mean`` (weighted),
    ``temperature`` with ``low``/``high`` (its band) and ``variance`` (posterior variance), and
    ``smoothed`` with ``smoothed_low``/``smoothed_high``. ``columns`` holds the same as numpy arrays;
    the DataFrame is made on first use (the web API's answers need only the arrays).
    """

    a: ActorSpec
    b: ActorSpec
    by: str
    directed: bool
    since: date | None
    until: date | None
    columns: dict[str, np.ndarray]
    trend: Trend | None = None
    change_points: list[ChangePoint] = field(default_factory=list)
    _frame: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    _smoothed_evidence: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._smoothed_band()
            self._frame = pd.DataFrame(self.columns)
        return self._frame

    def _smoothed_band(self, last_only: bool = False) -> tuple[float, float] | None:
        """Add ``smoothed_low``/``smoothed_high`` to ``columns`` (or, ``last_only``, give the last
        period's without storing them: the quantiles are computed element by element, so alike)."""
        if "smoothed_high" in self.columns:
            if not len(self.columns["smoothed_high"]):
                return None
            return float(self.columns["smoothed_low"][-1]), float(self.columns["smoothed_high"][-1])
        if self._smoothed_evidence is None:
            return None
        cfg = settings()["temperature"]
        sc, sk = self._smoothed_evidence
        if last_only:
            _, low, high = beta_temperature(sc[-1:], sk[-1:], float(cfg["prior"]), float(cfg["band"]))
            return float(low[0]), float(high[0])
        _, self.columns["smoothed_low"], self.columns["smoothed_high"] = beta_temperature(
            sc, sk, float(cfg["prior"]), float(cfg["band"]))
        return self._smoothed_band()

    @property
    def periods(self) -> int:
        return len(self.columns["period"])

    @property
    def label(self) -> str:
        return f"{self.a.label}{'->' if self.directed else '-'}{self.b.label}"

    @property
    def n_events(self) -> int:
        return int(self.columns["events"].sum()) if self.periods else 0

    def sparkline(self, width: int | None = 60) -> str:
        """The smoothed temperature as block characters (low = cool, high = warm); ' ' before any event."""
        if not self.periods:
            return ""
        vals = np.asarray(self.columns["smoothed"], dtype=float)
        seen = np.cumsum(self.columns["events"]) > 0
        if width and len(vals) > width:
            edges = np.linspace(0, len(vals), width + 1).astype(int)
            vals = np.array([vals[s:e].mean() for s, e in zip(edges[:-1], edges[1:])])
            seen = np.array([seen[s:e].any() for s, e in zip(edges[:-1], edges[1:])])
        chars = []
        for v, s in zip(vals, seen):
            if not s:
                chars.append(" ")
                continue
            i = int(round((float(v) + 1) / 2 * (len(_SPARK) - 1)))
            chars.append(_SPARK[min(max(i, 0), len(_SPARK) - 1)])
        return "".join(chars)

    def summary(self) -> str:
        lines = [f"{self.label} by {self.by}: {self.n_events} events in {self.periods} periods"]
        if self.periods:
            low, high = self._smoothed_band(last_only=True) or (math.nan, math.nan)
            last = {"smoothed": float(self.columns["smoothed"][-1]), "smoothed_low": low, "smoothed_high": high}
            lines.append(f"temperature now (smoothed): {last['smoothed']:+.2f} "
                         f"[{last['smoothed_low']:+.2f}, {last['smoothed_high']:+.2f}]")
        lines.append("trend: " + (self.trend.describe(self.by) if self.trend else "too few periods with events"))
        if self.change_points:
            lines.append("change points: " + "; ".join(c.describe() for c in self.change_points))
        else:
            lines.append("change points: none")
        return "\n".join(lines)

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per period for a terminal table or JSON: the figures a reader needs, rounded."""
        starts = {c.period for c in self.change_points}
        f = self.columns
        if not self.periods:
            return []
        ints = [np.asarray(f[c]).tolist() for c in ("events", "q1", "q2", "q3", "q4")]
        floats = [round_floats(f[c], 2) for c in ("coop", "conflict", "goldstein_mean", "plover_mean")]
        floats += [round_floats(f[c], 3) for c in ("temperature", "low", "high", "smoothed")]
        rows = []
        for period, events, q1, q2, q3, q4, coop, conflict, gm, pm, temp, low, high, smooth in zip(
                list(f["period"]), *ints, *floats):
            rows.append({
                "period": period.isoformat(),
                "events": int(events),
                "coop": coop,
                "conflict": conflict,
                "q1": int(q1), "q2": int(q2), "q3": int(q3), "q4": int(q4),
                "goldstein_mean": None if events == 0 else gm,
                "plover_mean": None if events == 0 else pm,
                "temperature": temp,
                "low": low,
                "high": high,
                "smoothed": smooth,
                "change_point": period in starts,
            })
        return rows

    def render(self, max_rows: int | None = 60) -> str:
        """A plain-text report: summary, sparkline and the per-period table (latest periods last)."""
        out = [self.summary(), f"[{self.sparkline()}]", ""]
        header = f"{'period':<10} {'events':>6} {'coop':>6} {'confl':>6} {'temp':>6} {'band':>15} {'smooth':>6}"
        out.append(header)
        rows = self.to_rows()
        if max_rows and len(rows) > max_rows:
            out.append(f"... {len(rows) - max_rows} earlier periods not shown")
            rows = rows[-max_rows:]
        for r in rows:
            band = f"[{r['low']:+.2f}, {r['high']:+.2f}]"
            mark = " <- change" if r["change_point"] else ""
            out.append(f"{r['period']:<10} {r['events']:>6} {r['coop']:>6.1f} {r['conflict']:>6.1f} "
                       f"{r['temperature']:>+6.2f} {band:>15} {r['smoothed']:>+6.2f}{mark}")
        return "\n".join(out)


def round_floats(values: np.ndarray, digits: int) -> list[float]:
    """``[round(float(v), digits) for v in values]``, vectorised: the rounding of every figure a dyad
    answer shows (``DyadIndex.to_rows`` and the web API's JSON writer use it, so both print the same).

    numpy's rounding (scale, round half to even, unscale) agrees with Python's correctly rounded one
    except near a tie, so the values within 1e-6 of one (and any non-finite value) are rounded by
    Python; a long series costs a tenth of the Python loop."""
    v = np.asarray(values, dtype=float)
    scaled = v * 10.0 ** digits
    out = (np.rint(scaled) / 10.0 ** digits).tolist()
    with np.errstate(invalid="ignore"):  # inf - inf: such values are rounded by Python below
        frac = scaled - np.floor(scaled)
        doubtful = ~np.isfinite(scaled) | (np.abs(frac - 0.5) < 1e-6) | (np.abs(v) >= 1e6)
    for i in np.flatnonzero(doubtful).tolist():
        out[i] = round(float(v[i]), digits)
    return out


def _query(con: duckdb.DuckDBPyConnection, a: ActorSpec, b: ActorSpec, by: str, directed: bool,
           since: date | None, until: date | None) -> pd.DataFrame:
    """Per-period figures of the dyad, in two stages inside DuckDB: one filtered scan of the events
    grouped by (period, type, mode, QuadClass, direction) with the weight sums, then the PLOVER scores
    joined to those few thousand groups and folded into one row per period. Keeping the join and the
    conditional aggregates out of the scan halves its cost on ten million events."""
    fwd, fwd_params, _, _ = dyad_filter(a, b, True)
    bounds, bound_params = date_bounds(since, until, "anchor_date")
    mods = modalities()
    common = f"modality IN ({', '.join('?' * len(mods))}) {bounds}"
    # One branch per direction rather than one OR: each branch is a plain conjunction that DuckDB
    # pushes into the scan, which halves the cost for a rare dyad. The reverse branch leaves out what
    # the forward one has (RUS MIL -> RUS MIL is both "RUS to RUS MIL" and "RUS MIL to RUS").
    cols = "anchor_date, event, mode, quad_class, goldstein, num_mentions, confidence"
    scan = f"SELECT {cols}, TRUE AS ab FROM events WHERE {fwd} AND {common}"
    scan_params = fwd_params + mods + bound_params
    if not directed:
        rev, rev_params, _, _ = dyad_filter(b, a, True)
        scan += (f" UNION ALL SELECT {cols}, FALSE AS ab FROM events"
                 f" WHERE {rev} AND NOT coalesce({fwd}, FALSE) AND {common}")
        scan_params += rev_params + fwd_params + mods + bound_params
    cte, cte_params = scores_cte()
    tone = settings()["tone"]
    types = event_types()
    for t in types:  # column names come from the ontology file, never from the user
        if not re.fullmatch(r"[A-Z]+", t):
            raise AnalysisError(t, "PLOVER type names must be capital letters")
    type_cols = ", ".join(f'sum(n) FILTER (WHERE event = ?) AS "n_{t}"' for t in types)
    sql = f"""
    WITH {cte},
    g AS (
        SELECT date_trunc(?, anchor_date)::DATE AS period, event, coalesce(mode, '') AS mode,
               quad_class, ab, count(*) AS n, sum(w) AS w, sum(w * w) AS w2,
               sum(w * {goldstein_sql()}) AS wg
        FROM (SELECT *, {weight_sql('d')} AS w FROM ({scan}) d)
        GROUP BY ALL
    ),
    s AS (
        SELECT g.*, coalesce(sm.score, st.score, 0.0) AS score
        FROM g LEFT JOIN scores st ON st.event = g.event AND st.mode = ''
               LEFT JOIN scores sm ON sm.event = g.event AND sm.mode = g.mode AND g.mode <> ''
    )
    SELECT period, sum(n) AS events,
           coalesce(sum(n) FILTER (WHERE ab), 0) AS a_to_b,
           coalesce(sum(n) FILTER (WHERE NOT ab), 0) AS b_to_a,
           coalesce(sum(n) FILTER (WHERE quad_class = 1), 0) AS q1,
           coalesce(sum(n) FILTER (WHERE quad_class = 2), 0) AS q2,
           coalesce(sum(n) FILTER (WHERE quad_class = 3), 0) AS q3,
           coalesce(sum(n) FILTER (WHERE quad_class = 4), 0) AS q4,
           {type_cols},
           sum(w) AS weight, sum(w2) AS weight2,
           coalesce(sum(w) FILTER (WHERE score >= ?), 0) AS w_coop,
           coalesce(sum(w) FILTER (WHERE score <= ?), 0) AS w_conflict,
           sum(wg) AS goldstein_sum, sum(w * score) AS plover_sum
    FROM s GROUP BY period ORDER BY period
    """
    all_params = (cte_params + [by] + scan_params + list(types)
                  + [float(tone["cooperative_min"]), float(tone["conflictual_max"])])
    return con.execute(sql, all_params).df()


def dyad_specs(a: str | ActorSpec, b: str | ActorSpec, by: str,
               sectors: tuple[str | None, str | None] = (None, None)) -> tuple[ActorSpec, ActorSpec]:
    """The two sides of a dyad request, checked (period, actor codes, two different actors)."""
    if by not in PERIODS:
        raise AnalysisError(repr(by), f"the period is one of {', '.join(PERIODS)}")
    sa, sb = (sectors if sectors else (None, None))
    spec_a, spec_b = parse_actor(a, sa), parse_actor(b, sb)
    if spec_a == spec_b:
        raise AnalysisError(f"{spec_a.label}-{spec_b.label}", "a dyad needs two different actors")
    return spec_a, spec_b


def dyad_index(con: Any, a: str | ActorSpec, b: str | ActorSpec, *, by: Period = "week",
               since: date | None = None, until: date | None = None, directed: bool = False,
               sectors: tuple[str | None, str | None] = (None, None)) -> DyadIndex:
    """The index of the dyad ``a``-``b`` (``a``->``b`` only when ``directed``) per ``by`` period.

    ``a``/``b`` are codes as ``parse_actor`` reads them ("RUS", "USA MIL", "NATO"); ``sectors`` sets
    or overrides each side's sector. ``since``/``until`` (inclusive) bound the events' anchor dates.
    """
    spec_a, spec_b = dyad_specs(a, b, by, sectors)
    db = connection(con)
    raw = _query(db, spec_a, spec_b, by, directed, since, until)
    cols = [c for c in raw.columns if c != "period"]
    periods = pd.to_datetime(raw["period"]).to_numpy().astype("datetime64[D]")
    values = raw[cols].to_numpy(dtype=float, na_value=0.0) if len(raw) else np.zeros((0, len(cols)))
    return index_from_periods(spec_a, spec_b, by, directed, since, until, periods, cols, values)


def series_columns() -> list[str]:
    """The per-period sums ``index_from_periods`` takes, in ``_query``'s order."""
    return ["events", "a_to_b", "b_to_a", "q1", "q2", "q3", "q4", *(f"n_{t}" for t in event_types()),
            "weight", "weight2", "w_coop", "w_conflict", "goldstein_sum", "plover_sum"]


def index_from_periods(spec_a: ActorSpec, spec_b: ActorSpec, by: str, directed: bool, since: date | None,
                       until: date | None, periods: np.ndarray, cols: list[str], values: np.ndarray) -> DyadIndex:
    """The index from per-period sums (``periods``: period starts as datetime64[D], one row of
    ``values`` each, columns ``cols`` as ``series_columns``). ``dyad_index`` gets them from one
    DuckDB query; the web server from its in-memory table of the read-only store: both then share
    every step below, so their answers are the same."""
    data = _fill_periods(periods, cols, values, by, since, until)
    evidence = data.pop(_SMOOTHED_EVIDENCE, None)
    index = DyadIndex(spec_a, spec_b, by, directed, since, until, data)
    index._smoothed_evidence = evidence
    if not index.periods:
        return index
    has = data["events"] > 0
    if has.any():
        x = np.flatnonzero(has).astype(float)
        y = np.asarray(data["temperature"], dtype=float)[has]
        index.trend = theil_sen(x, y, by)
        periods_list = list(data["period"])
        idx = np.flatnonzero(has)
        cps = change_points(y, np.asarray(data["variance"], dtype=float)[has])
        edges = [0, *cps, len(y)]
        for k, cp in enumerate(cps, start=1):
            index.change_points.append(ChangePoint(
                period=periods_list[idx[cp]],
                before=float(y[edges[k - 1]:cp].mean()),
                after=float(y[cp:edges[k + 1]].mean()),
            ))
    return index


_COUNT_COLUMNS = ("events", "a_to_b", "b_to_a", "q1", "q2", "q3", "q4")
_SMOOTHED_EVIDENCE = "_smoothed_evidence"
_TEMPERATURE_COLUMNS = ("n_eff", "coop", "conflict", "goldstein_mean", "plover_mean", "temperature", "low",
                        "high", "variance", "smoothed", "smoothed_low", "smoothed_high")


def period_number(days: np.ndarray, by: str) -> np.ndarray:
    """Consecutive numbers of the periods of ``days`` (datetime64[D], or days since 1970-01-01):
    days, Monday-weeks, months."""
    d = np.asarray(days).astype("datetime64[D]").astype(np.int64)
    if by == "week":
        return (d + 3) // 7  # 1970-01-01 was a Thursday: week 0 began on Monday 1969-12-29
    if by == "month":
        return d.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return d


def period_of_number(numbers: np.ndarray, by: str) -> np.ndarray:
    """The start dates (datetime64[D]) of the periods numbered as ``period_number`` numbers them."""
    numbers = np.asarray(numbers, dtype=np.int64)
    if by == "week":
        return (numbers * 7 - 3).astype("datetime64[D]")
    if by == "month":
        return numbers.astype("datetime64[M]").astype("datetime64[D]")
    return numbers.astype("datetime64[D]")


def period_start(days: np.ndarray, by: str) -> np.ndarray:
    """The start of each day's period (datetime64[D]): the day, its week's Monday, its month's first."""
    return period_of_number(period_number(days, by), by)


def _period_range(start: np.datetime64, end: np.datetime64, by: str) -> np.ndarray:
    """Every period start from ``start``'s period to ``end``'s, both included."""
    lo, hi = period_start(np.array([start, end]), by)
    if by == "month":
        return np.arange(lo.astype("datetime64[M]"), hi.astype("datetime64[M]") + 1).astype("datetime64[D]")
    return np.arange(lo, hi + 1, 7 if by == "week" else 1)


def _fill_periods(periods: np.ndarray, cols: list[str], values: np.ndarray, by: str, since: date | None,
                  until: date | None) -> dict[str, np.ndarray]:
    """Every period from since (or the first event) to until (or the last event), zeros where empty,
    with the temperature columns: the columns of ``DyadIndex`` (numpy throughout: a series is asked for
    on every click of the dashboard)."""
    periods = np.asarray(periods, dtype="datetime64[D]")
    known = ~np.isnat(periods)
    start = np.datetime64(since, "D") if since else (periods[known].min() if known.any() else None)
    end = np.datetime64(until, "D") if until else (periods[known].max() if known.any() else None)
    if start is None or end is None:
        empty: dict[str, np.ndarray] = {"period": np.array([], dtype=object)}
        for c in (*cols, *_TEMPERATURE_COLUMNS):  # (an empty series has always kept the three sums)
            empty[c] = np.array([], dtype=float)
        return empty
    full = _period_range(start, end, by)
    filled = np.zeros((len(full), len(cols)))
    if len(periods):
        pos = np.searchsorted(full, periods)
        keep = known & (pos < len(full))
        keep[keep] = full[pos[keep]] == periods[keep]
        filled[pos[keep]] = values[keep]
    data: dict[str, Any] = {"period": full.astype(object)}
    for j, c in enumerate(cols):
        is_count = c in _COUNT_COLUMNS or c.startswith("n_")
        data[c] = filled[:, j].astype(int) if is_count else filled[:, j]
    _add_temperature(data, by)
    for c in ("weight2", "w_coop", "w_conflict"):
        del data[c]
    return data


def _add_temperature(data: dict[str, Any], by: str) -> None:
    """Effective counts, raw and smoothed temperature with their Beta bands (see analysis.yaml)."""
    cfg = settings()["temperature"]
    prior, band = float(cfg["prior"]), float(cfg["band"])
    w = np.asarray(data["weight"], dtype=float)
    w2 = np.asarray(data["weight2"], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(w2 > 0, w * w / w2, 0.0)
        scale = np.where(w > 0, n_eff / w, 0.0)
        data["goldstein_mean"] = np.where(w > 0, data["goldstein_sum"] / w, 0.0)
        data["plover_mean"] = np.where(w > 0, data["plover_sum"] / w, 0.0)
    wc = np.asarray(data["w_coop"], dtype=float)
    wk = np.asarray(data["w_conflict"], dtype=float)
    neutral = np.clip(w - wc - wk, 0.0, None)
    coop = (wc + neutral / 2) * scale
    conflict = (wk + neutral / 2) * scale
    data["n_eff"] = n_eff
    data["coop"] = coop
    data["conflict"] = conflict
    data["temperature"], data["low"], data["high"] = beta_temperature(coop, conflict, prior, band)
    a, b = coop + prior, conflict + prior
    data["variance"] = 4 * a * b / ((a + b) ** 2 * (a + b + 1))  # of 2p - 1 under the Beta posterior
    halflife = float(cfg["halflife"][by])
    sc, sk = ewma_sum(coop, halflife), ewma_sum(conflict, halflife)
    # the smoothed band's quantiles are made when asked for (DyadIndex.frame, the summary's last
    # period): every period's Beta quantiles cost more than the rest of a series
    a, b = sc + prior, sk + prior
    data["smoothed"] = 2 * a / (a + b) - 1
    data[_SMOOTHED_EVIDENCE] = (sc, sk)
