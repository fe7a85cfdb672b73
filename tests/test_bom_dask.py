"""`magnets bom --engine dask` against the in-process path: equal row for row, same totals.

One small cluster of two thread workers in this process serves every test (no process spawn),
with tiny partitions so that every file is cut into several.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from magnets.bom.dask_engine import dask_format, evaluate_bom_dask
from magnets.bom.evaluate import evaluate_bom
from magnets.bom.partitions import parquet_parts
from magnets.bom.write import write_result
from magnets.errors import InputError, UnreadableFileError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
# MOFCOM announcement No. 18 (4 April 2025) controls Sm, Gd, Tb, Dy, ...: a date after it
AS_OF = dt.date(2025, 6, 1)
#: the BOM example and the hostile files: bad rows, quoted newlines, formulas, Latin-1
FILES = [
    ROOT / "materials" / "examples" / "bom.csv",
    DATA / "bom_bad_rows.csv",
    DATA / "bom_multiline.csv",
    DATA / "bom_formula_injection.csv",
    DATA / "bom_latin1.csv",
    DATA / "bom_decimal_comma.csv",
    DATA / "bom_aliases_units.csv",
]


@pytest.fixture(scope="module")
def client():
    from magnets.scale import get_client

    with get_client(n_workers=2, processes=False) as c:
        yield c


def _inprocess_csv(src, lib, **kw) -> tuple[bytes, object]:
    r = evaluate_bom(src, lib, date=AS_OF, **kw)
    buf = io.BytesIO()
    write_result(r, None, "csv", stream=buf)
    return buf.getvalue(), r


def _assert_same_summary(a, b):
    """Counts, savings and ids exactly; kg totals up to the order of float additions."""

    def walk(x, y, where):
        if isinstance(x, dict):
            assert x.keys() == y.keys(), where
            for k in x:
                walk(x[k], y[k], f"{where}.{k}")
        elif isinstance(x, float) and not isinstance(y, bool):
            assert math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15), where
        else:
            assert x == y, where

    walk(a.to_dict(), b.to_dict(), "summary")


@pytest.mark.parametrize("src", FILES, ids=lambda p: p.name)
def test_dask_csv_is_the_inprocess_csv_byte_for_byte(src, lib, client):
    expected, r = _inprocess_csv(src, lib)
    out = io.BytesIO()
    d = evaluate_bom_dask(src, lib, client, None, "csv", date=AS_OF, partition_rows=4, stream=out)
    assert d.partitions == max(1, math.ceil(r.arrow.num_rows / 4))
    assert out.getvalue() == expected
    _assert_same_summary(r.summary, d.summary)
    assert d.warnings == list(dict.fromkeys(r.warnings))


def test_parquet_in_parquet_folder_out_equal_row_for_row_with_lines(lib, client, tmp_path):
    src = tmp_path / "bom.parquet"
    r0 = evaluate_bom(DATA / "bom_bad_rows.csv", lib, date=AS_OF)
    # the input: the bad-rows file's cells as text, in row groups of 3 records
    pq.write_table(pa.Table.from_pandas(r0.table.iloc[:, 1:13].astype(str)), src, row_group_size=3)
    expected = evaluate_bom(src, lib, date=AS_OF, bands=True)
    out = tmp_path / "out.parquet"
    d = evaluate_bom_dask(
        src, lib, client, out, "parquet", date=AS_OF, bands=True, partition_rows=5
    )
    names = sorted(p.name for p in out.iterdir())
    # 17 records in row groups of 3, 3, 3, 3, 3, 2, joined up to 5 records: 3, 3, 3, 3, 3+2
    assert names == [f"part-{i:06d}.parquet" for i in range(5)] and d.partitions == 5
    got = pq.read_table(out)
    assert got.column_names == expected.arrow.column_names
    assert got.to_pylist() == expected.arrow.to_pylist()
    # Parquet lines are record number + 1 (header = line 1), across partitions
    assert got.column("line").to_pylist() == list(range(2, 19))
    _assert_same_summary(expected.summary, d.summary)


def test_parquet_parts_join_small_row_groups_and_cut_big_ones(tmp_path):
    src = tmp_path / "p.parquet"
    t = pa.table({"grade": ["N38EH"] * 23})
    with pq.ParquetWriter(src, t.schema) as w:
        for a, b in ((0, 2), (2, 4), (4, 16), (16, 23)):  # row groups of 2, 2, 12, 7
            w.write_table(t.slice(a, b - a))
    parts = parquet_parts(str(src), "p.parquet", rows=5)
    got = [(p.row_groups, p.start, p.length, p.first_record) for p in parts]
    # 2+2 joined; 12 cut into 5, 5, 2; 7 cut into 5, 2 (first records 0, 4, 9, 14, 16, 21)
    assert got == [
        ((0, 1), 0, 4, 0),
        ((2,), 0, 5, 4),
        ((2,), 5, 5, 9),
        ((2,), 10, 2, 14),
        ((3,), 0, 5, 16),
        ((3,), 5, 2, 21),
    ]
    assert np.concatenate([p.load().line for p in parts]).tolist() == list(range(2, 25))


def test_a_big_integer_in_one_partition_is_text_in_every_partition(lib, client, tmp_path):
    src = tmp_path / "ids.parquet"
    ids = pa.array([1, 2, 3, 2**60], pa.int64())  # 2**60 > 2**53: read as exact text
    t = pa.table({"part_id": ids, "grade": ["N38EH"] * 4, "magnet_mass_g": [10.0] * 4})
    pq.write_table(t, src, row_group_size=2)
    expected = evaluate_bom(src, lib, date=AS_OF)
    out = tmp_path / "out"
    evaluate_bom_dask(src, lib, client, out, "parquet", date=AS_OF, partition_rows=2)
    got = pq.read_table(out)
    assert got.schema.field("part_id").type == pa.string()
    assert got.to_pylist() == expected.arrow.to_pylist()


def test_a_folder_holding_other_files_is_refused_and_left_alone(lib, client, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(InputError, match="holding other files"):
        evaluate_bom_dask(FILES[0], lib, client, out, "parquet", date=AS_OF)
    assert (out / "notes.txt").read_text() == "keep me"


def test_an_unreadable_input_leaves_the_earlier_output_folder_untouched(lib, client, tmp_path):
    out = tmp_path / "out.parquet"
    evaluate_bom_dask(FILES[0], lib, client, out, "parquet", date=AS_OF, partition_rows=10)
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(UnreadableFileError, match="not a readable Parquet file"):
        evaluate_bom_dask(DATA / "bom_corrupt.parquet", lib, client, out, "parquet", date=AS_OF)
    assert sorted(p.name for p in out.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]  # no temporary folder left


@pytest.mark.parametrize(
    ("path", "fmt", "expected"),
    [
        (None, None, "csv"),
        ("o.csv", None, "csv"),
        ("o.parquet", None, "parquet"),
        ("o", None, "parquet"),
    ],
)
def test_dask_output_format_from_the_path(path, fmt, expected):
    assert dask_format(path, fmt) == expected


def test_json_and_xlsx_are_refused_with_the_engine_to_use():
    with pytest.raises(InputError, match="use --engine inprocess for json or xlsx"):
        dask_format("o.xlsx", None)


def test_cli_engine_dask_writes_the_inprocess_csv(tmp_path, monkeypatch, capsys):
    import magnets.scale
    from magnets.cli import main

    real = magnets.scale.get_client
    monkeypatch.setattr(  # thread workers: no process spawn in the test run
        magnets.scale, "get_client", lambda scheduler=None: real(n_workers=1, processes=False)
    )
    src = DATA / "bom_bad_rows.csv"
    a, b = tmp_path / "in.csv", tmp_path / "dask.csv"
    assert main(["bom", str(src), "-o", str(a), "--date", "2025-06-01"]) == 0
    inproc_err = capsys.readouterr().err
    code = main(
        [
            "bom",
            str(src),
            "-o",
            str(b),
            "--date",
            "2025-06-01",
            "--engine",
            "dask",
            "--partition-rows",
            "3",
        ]
    )
    assert code == 0
    assert b.read_bytes() == a.read_bytes()
    # the same stderr summary (counts: 17 rows, 1 ok, 1 below_rating, 15 error)
    assert capsys.readouterr().err.splitlines()[-1] == inproc_err.splitlines()[-1]
    assert "17 rows: 1 ok, 1 below_rating, 15 error" in inproc_err
