"""The linkage model: train it with Splink (no labels), save it with a version, and score pairs.

Training and batch prediction run in Splink on DuckDB (or Spark, see `backends`). The
trained parameters are also read back into a small Python scorer, so that real-time
linking can score a handful of candidates without a database round trip. Both use the
comparisons in `comparisons.py`, and the same formula as Splink: the prior's log-odds
plus, for each comparison, log2(m/u) of the level the pair falls into, plus Splink's
term-frequency adjustment on exact name matches.
"""

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from splink import Linker, SettingsCreator, block_on

from lantern.core.hashing import content_hash

from .comparisons import COMPARISONS, Comparison, Features
from .exceptions import LinkageError
from .features import BLOCKING_KEYS

# Bumped when the comparisons or the blocking change, so that an old saved model is refused.
MODEL_FORMAT = 6
TF_COLUMNS = ("given_name", "family_name")

SCHEMA = pa.schema([
    ("unique_id", pa.int64()), ("given_name", pa.string()), ("given_keys", pa.list_(pa.string())),
    ("family_name", pa.string()), ("family_parts", pa.list_(pa.string())), ("dob", pa.string()),
    ("dob_year", pa.int32()), ("dob_month", pa.int32()), ("dob_day", pa.int32()), ("sex", pa.string()),
    ("postcode", pa.string()), ("postcode_sector", pa.string()), ("postcode_district", pa.string()),
    ("nhs_number", pa.string()), ("uprn", pa.string()),
    *[(key, pa.int64()) for key in BLOCKING_KEYS],
])


def features_table(rows: Sequence[Features]) -> pa.Table:
    """Return records' features as an Arrow table Splink can register."""
    return pa.Table.from_pylist(list(rows), schema=SCHEMA)


def splink_settings() -> SettingsCreator:
    """Return the untrained model: comparisons, blocking for prediction, and options."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[comparison.splink_comparison() for comparison in COMPARISONS],
        blocking_rules_to_generate_predictions=[block_on(column) for column in BLOCKING_KEYS],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def train(linker: Linker, *, seed: int, records: int, max_pairs: float = 5e6) -> None:
    """Estimate the model's parameters without labels (Fellegi-Sunter by EM).

    `records` is how many records the linker holds. A first prior comes from deterministic
    rules on identifiers and full identity; u from a seeded random sample of pairs; m from
    two EM sessions, each blocking on different fields so that between them every
    comparison is estimated. (Blocking EM more tightly, on family name and date of birth,
    was faster but learnt too little from data with many typing errors: FEBRL3's cluster F1
    fell from 0.83 to 0.75.) Then `refine_prior_and_u` re-estimates the prior and u from
    the scored pairs.
    """
    linker.training.estimate_probability_two_random_records_match(
        [block_on("nhs_number"), block_on("k_name_dob")], recall=0.8,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "postcode"))
    refine_prior_and_u(linker, records=records, max_pairs=max_pairs)


def _logit2(probability: float) -> float:
    return math.log2(probability / (1 - probability))


def _expected_matches(evidence: pa.ChunkedArray, prior: float) -> float:
    """Return the sum of the pairs' match probabilities, given each pair's log2 Bayes factor and the prior."""
    odds = pc.power(2.0, pc.negate(pc.add(evidence, _logit2(prior))))  # overflows to inf: probability 0
    return float(pc.sum(pc.divide(1.0, pc.add(1.0, odds))).as_py() or 0.0)


def refine_prior_and_u(linker: Linker, *, records: int, max_pairs: float) -> None:
    """Re-estimate the prior by EM over every blocked pair, and take the matches out of u.

    - The rules' prior assumes that they find 80% of the matches. Where records carry many
      errors they find far fewer (30% on FEBRL3) and the prior comes out too low, so the
      model asks too much evidence of every pair. Holding m and u, the prior that EM
      converges to is the expected number of matches (the sum of every pair's match
      probability) over the number of pairs. Pairs outside the blocks count as non-matches
      (their probabilities are negligible), so this errs low by the matches blocking misses.
    - Random pairs include matches, at the rate of the prior: what the sample measures at
      a level is prior * m + (1 - prior) * u, not u. Where a person's records are dense (a
      small set, or one with many records of each person) this inflates the u of the
      agreeing levels and so understates their weight (FEBRL3, the same date of birth:
      5.1e-4 measured, 5.4e-5 once the matches are taken out; 10.9 bits of evidence, not
      14.1); at a million London records the change is small. u is kept at one pair in
      the sample or more.

    It scores the training records' blocked pairs once (a few hundred thousand at most, a
    second or so) and updates both. Once is enough: scoring again with the new values moves
    the prior by under 1% (FEBRL3: 0.000472 to 0.000475) and changes no cluster.
    """
    settings = linker._settings_obj  # noqa: SLF001  # Splink has no public setter for trained values
    # (level, u as sampled) for every level; Splink gives each a default if the data never showed it.
    sampled = [(level, level.u_probability) for comparison in settings.comparisons
               for level in comparison.comparison_levels if not level.is_null_level]
    pairs = records * (records - 1) / 2
    if pairs < 1:
        return
    prior = settings._probability_two_random_records_match  # noqa: SLF001
    splink_log = logging.getLogger("splink")
    # Splink warns that comparisons the data never fill (no NHS numbers, say) keep their defaults.
    level_before = splink_log.level
    splink_log.setLevel(logging.ERROR)
    try:
        predictions = linker.inference.predict()
        evidence = pc.subtract(predictions.as_pyarrow_table()["match_weight"], _logit2(prior))
        predictions.drop_table_from_database_and_remove_from_cache()
    finally:
        splink_log.setLevel(level_before)
    for _ in range(200):
        updated = min(max(_expected_matches(evidence, prior) / pairs, 1 / pairs), 0.5)
        converged = abs(updated - prior) <= 1e-6 * prior
        prior = updated
        if converged:
            break
    for level, u in sampled:
        m = level.m_probability
        if u is not None and m is not None:
            level.u_probability = max((u - prior * m) / (1 - prior), 1 / max_pairs)
    settings._probability_two_random_records_match = prior  # noqa: SLF001


def term_frequencies(rows: Sequence[Features]) -> dict[str, dict[str, float]]:
    """Return how often each name occurs among the records that give one (for TF adjustment)."""
    tables: dict[str, dict[str, float]] = {}
    for column in TF_COLUMNS:
        counts: dict[str, int] = {}
        for row in rows:
            value = row[column]
            if value is not None:
                counts[value] = counts.get(value, 0) + 1
        total = sum(counts.values()) or 1
        tables[column] = {value: count / total for value, count in counts.items()}
    return tables


@dataclass(frozen=True)
class FieldScore:
    comparison: str
    level: int
    label: str
    match_weight: float


@dataclass(frozen=True)
class PairScore:
    match_weight: float
    match_probability: float
    fields: tuple[FieldScore, ...]


@dataclass
class TrainedModel:
    """A trained model: Splink's settings with m and u, and the name frequencies it saw."""

    settings: dict[str, Any]
    term_frequencies: dict[str, dict[str, float]]
    seed: int
    trained_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    format: int = MODEL_FORMAT

    @property
    def version(self) -> str:
        """Return a version that changes whenever the parameters do."""
        # Splink names each linker at random (linker_uid); that is not part of the model.
        parameters = {k: v for k, v in self.settings.items() if k != "linker_uid"}
        digest = content_hash({"settings": parameters, "format": self.format})[:10]
        return f"{self.format}.{digest}"

    def as_dict(self) -> dict[str, Any]:
        return {"format": self.format, "seed": self.seed, "trained_at": self.trained_at,
                "settings": self.settings, "term_frequencies": self.term_frequencies}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainedModel":
        if data.get("format") != MODEL_FORMAT:
            raise LinkageError(
                f"the saved linkage model has format {data.get('format')}, but this version of Lantern "
                f"needs format {MODEL_FORMAT}: run `lantern link --retrain`"
            )
        return cls(settings=data["settings"], term_frequencies=data["term_frequencies"], seed=data["seed"],
                   trained_at=data["trained_at"], format=data["format"])

    def scorer(self) -> "Scorer":
        return Scorer(self)


class Scorer:
    """Score pairs of feature dicts in Python with a trained model's weights."""

    def __init__(self, model: TrainedModel):
        settings = model.settings
        prior = settings["probability_two_random_records_match"]
        self.prior_weight = math.log2(prior / (1 - prior))
        self.term_frequencies = model.term_frequencies
        saved = {c["output_column_name"]: c for c in settings["comparisons"]}
        self.comparisons: list[tuple[Comparison, list[tuple[float, str | None, float]]]] = []
        for comparison in COMPARISONS:
            levels = [level for level in saved[comparison.name]["comparison_levels"]]
            if len(levels) != len(comparison.levels):
                raise LinkageError(f"the saved model's {comparison.name} comparison does not match this code: "
                                   "run `lantern link --retrain`")
            weights: list[tuple[float, str | None, float]] = []
            exact_u = next((lv["u_probability"] for lv in levels if lv.get("tf_adjustment_column")), None)
            for level in levels:
                if level.get("is_null_level"):
                    weights.append((0.0, None, 0.0))
                    continue
                weight = math.log2(level["m_probability"] / level["u_probability"])
                tf_column = level.get("tf_adjustment_column")
                weights.append((weight, tf_column, math.log2(exact_u) if tf_column and exact_u else 0.0))
            self.comparisons.append((comparison, weights))

    def score(self, left: Features, right: Features) -> PairScore:
        """Return the pair's match weight and probability, and each field's part in it."""
        total = self.prior_weight
        fields = []
        for comparison, weights in self.comparisons:
            index = comparison.level_of(left, right)
            weight, tf_column, log2_exact_u = weights[index]
            if tf_column is not None:
                frequency = max(self.term_frequencies[tf_column].get(left[tf_column], 0.0),
                                self.term_frequencies[tf_column].get(right[tf_column], 0.0))
                if frequency > 0:
                    weight += log2_exact_u - math.log2(frequency)
            total += weight
            fields.append(FieldScore(comparison.name, index, comparison.levels[index].label, weight))
        probability = 2 ** total / (1 + 2 ** total) if total < 60 else 1.0
        return PairScore(total, probability, tuple(fields))
