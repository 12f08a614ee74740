"""Where Splink runs: DuckDB (default, in-process) or Spark (national scale).

Both run the same trained model: settings are written for the backend's SQL dialect and
the stored m/u parameters applied (see model.settings_for).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Sequence
from typing import Any

import pandas as pd
from splink import Linker

from . import duck, replay
from . import model as mdl
from .prepare import ARRAY_FEATURES, BOOL_FEATURES, FLOAT_FEATURES, INT_FEATURES

logger = logging.getLogger(__name__)

BACKENDS = ("duckdb", "spark")
ENV_VAR = "SIGHTLINE_LINKAGE_BACKEND"


def resolve_backend(backend: str | None) -> str:
    name = (backend or os.environ.get(ENV_VAR) or "duckdb").strip().lower()
    if name not in BACKENDS:
        raise ValueError(f"unknown linkage backend {name!r}; expected one of {BACKENDS}")
    return name


def _column_types(features: pd.DataFrame) -> list[tuple[str, str]]:
    """(column, kind) for every column; kind is array, double, bigint, boolean or text."""
    out = []
    for col in features.columns:
        if col in ARRAY_FEATURES:
            out.append((col, "array"))
        elif col in FLOAT_FEATURES:
            out.append((col, "double"))
        elif col in INT_FEATURES:
            out.append((col, "bigint"))
        elif col in BOOL_FEATURES:
            out.append((col, "boolean"))
        else:
            out.append((col, "text"))
    return out


_DUCK_TYPES = {
    "array": "VARCHAR[]",
    "double": "DOUBLE",
    "bigint": "BIGINT",
    "boolean": "BOOLEAN",
    "text": "VARCHAR",
}


def _wanted() -> list[str]:
    """The columns of the predictions that come back to Python: the scores only. The retained l/r
    input columns (kept for the gamma columns) would cost more to convert than the scoring itself."""
    wanted = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
    for name in mdl.COMPARISON_NAMES:
        wanted += [f"gamma_{name}", f"bf_{name}"]
        if name in mdl.TF_COMPARISONS:
            wanted.append(f"bf_tf_adj_{name}")
    return wanted  # plain identifiers: valid in DuckDB and Spark SQL


def _rule_text(rule: Any, dialect: str) -> Any:
    """A blocking rule as Splink describes it (a rule object), or as given (SQL text, a dict)."""
    if hasattr(rule, "create_blocking_rule_dict"):
        return rule.create_blocking_rule_dict(dialect)
    return rule


class Backend:
    name = "duckdb"
    dialect = "duckdb"

    def linker_input(self, features: pd.DataFrame) -> tuple[Any, Any]:
        """(table, db_api) for a Linker. Columns are cast explicitly: pandas gives an
        all-blank column no type, and Splink needs arrays to be arrays."""
        from splink import DuckDBAPI

        return "sightline_records", DuckDBAPI(connection=self._load(features))

    def _load(self, features: pd.DataFrame) -> Any:
        """A new DuckDB connection holding ``features`` as the table ``sightline_records``."""
        con = duck.connect()
        con.register("sightline_raw", features)
        select = ", ".join(f'CAST("{c}" AS {_DUCK_TYPES[k]}) AS "{c}"' for c, k in _column_types(features))
        con.execute(f"CREATE TABLE sightline_records AS SELECT {select} FROM sightline_raw")
        con.unregister("sightline_raw")
        return con

    def train(self, features: pd.DataFrame) -> dict[str, Any]:
        sample = mdl.training_sample(features)
        table, db_api = self.linker_input(sample)
        return mdl.train(table, db_api, mdl.tf_tables(features), records=len(sample), sample=sample)

    def score(
        self,
        features: pd.DataFrame,
        model: dict[str, Any],
        rules: Sequence[Any],
        tf: dict[str, pd.DataFrame],
        *,
        min_weight: float | None = None,
        reuse_sql: bool = False,
    ) -> pd.DataFrame:
        """Scores every pair of `features` that one of `rules` selects. ``reuse_sql``: for callers that
        score a few records many times (search), run again the SQL an earlier call generated."""
        if len(features) < 2:
            return pd.DataFrame()
        settings = mdl.settings_for(self.dialect, model=model, rules=rules)
        wanted = _wanted()
        script = None
        if reuse_sql and self.name == "duckdb" and len(features) <= replay.MAX_RECORDS:
            # A few records (a search): run the SQL kept from an earlier predict, or keep this one's.
            # It is made from the settings: code, the model's parameters and the rules.
            shown = [_rule_text(r, self.dialect) for r in rules]
            described = {"model": model, "rules": shown, "min_weight": min_weight}
            name = replay.key(described, _column_types(features), tf)
            done = replay.run(name, lambda: self._load(features), tf, wanted)
            if done is not None:
                return done
            db_api, script = replay.recorder(self._load(features), tf)
            table = "sightline_records"
        else:
            table, db_api = self.linker_input(features)
        linker = Linker(
            table,
            settings,
            db_api=db_api,
            set_up_basic_logging=False,
            # The settings are built by code and covered by tests; validating them
            # costs seconds of SQL parsing per run.
            validate_settings=False,
        )
        mdl.register_tf(linker, tf)
        predictions = linker.inference.predict(threshold_match_weight=min_weight)  # type: ignore[arg-type]
        if script is not None:
            script.output = predictions.physical_name
            replay.keep(name, script)
        sql = f"SELECT {', '.join(wanted)} FROM {predictions.physical_name}"
        return linker.misc.query_sql(sql)  # type: ignore[no-untyped-call]  # unannotated in Splink


class SparkBackend(Backend):
    name = "spark"
    dialect = "spark"

    def __init__(self, spark_session: Any | None = None) -> None:
        self._spark = spark_session or _local_spark_session()

    def linker_input(self, features: pd.DataFrame) -> tuple[Any, Any]:
        from splink import SparkAPI  # imports pyspark, an optional dependency

        db_api = SparkAPI(  # type: ignore[no-untyped-call]  # unannotated in Splink
            spark_session=self._spark,
            break_lineage_method="persist",
            num_partitions_on_repartition=4,
        )
        return _to_spark(self._spark, features), db_api


def make_backend(name: str, spark_session: Any | None = None) -> Backend:
    if name == "spark":
        return SparkBackend(spark_session)
    return Backend()


def _local_spark_session() -> Any:
    """A local Spark with Splink's similarity UDF jar (jaro_winkler) on the classpath."""
    try:
        from pyspark.sql import SparkSession  # optional dependency
        from splink.backends.spark import similarity_jar_location  # imports pyspark
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "backend 'spark' needs pyspark: pip install 'sightline[spark]' (and Java 17)"
        ) from exc
    spark = (
        SparkSession.builder.master(os.environ.get("SIGHTLINE_SPARK_MASTER", "local[2]"))
        .appName("sightline-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", os.environ.get("SIGHTLINE_SPARK_PARTITIONS", "4"))
        .config("spark.default.parallelism", os.environ.get("SIGHTLINE_SPARK_PARTITIONS", "4"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", os.environ.get("SIGHTLINE_SPARK_DRIVER_MEMORY", "2g"))
        .config("spark.local.dir", tempfile.gettempdir())
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def python_value(value: Any, kind: str) -> Any:
    """A prepared record's value as a plain Python value of its column's ``kind`` (NULL as None), as
    a database engine receives it."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if kind == "array":
        return [None if v is None else str(v) for v in value]
    if kind == "double":
        return float(value)
    if kind == "bigint":
        return int(value)
    if kind == "boolean":
        return bool(value)
    return value if isinstance(value, str) else str(value)


def _to_spark(spark: Any, features: pd.DataFrame) -> Any:
    from pyspark.sql import types as T  # optional dependency

    spark_types = {
        "array": T.ArrayType(T.StringType()),
        "double": T.DoubleType(),
        "bigint": T.LongType(),
        "boolean": T.BooleanType(),
        "text": T.StringType(),
    }
    kinds = _column_types(features)
    schema = T.StructType([T.StructField(c, spark_types[k], True) for c, k in kinds])

    rows = [
        tuple(python_value(v, k) for v, (_, k) in zip(rec, kinds, strict=True))
        for rec in features.itertuples(index=False, name=None)
    ]
    return spark.createDataFrame(rows, schema=schema)
