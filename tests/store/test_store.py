"""The results store: round trips, run life cycle, concurrent writers, killed runs, the CLI.

Every test uses a store under ``tmp_path``; none touches the user's data directory.
"""

from __future__ import annotations

import fcntl
import json
import multiprocessing as mp
import os
import shutil
import signal
import time

import numpy as np
import pandas as pd
import pytest
import typer
import xarray as xr
from typer.testing import CliRunner

from mtorsim import InputError
from mtorsim.cli._runs_cmd import register
from mtorsim.store import RunHandle, Store, StoreError, default_store_path, record_simulation

# ---------------------------------------------------------------------------------------------
# helpers (module level: the multiprocessing workers are started with 'spawn' and import them)


def _frame(n: int = 4, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "drug": pd.Series([f"d{i % 3}" for i in range(n)]),
        "dose_nM": rng.random(n) * 100,
        "replicate": np.arange(n, dtype="int64"),
        "ok": rng.random(n) > 0.5,
    })


def _writer(path: str, worker: int, n_runs: int) -> None:
    store = Store(path)
    for i in range(n_runs):
        with store.start("screen", {"worker": worker, "i": i}, seed=worker * 1000 + i) as run:
            run.save_table("viability", _frame(8, seed=worker * 1000 + i))
            if i % 5 == 0:  # every fifth run also writes a Parquet table
                run.save_table("big", _frame(50, seed=i), storage="parquet")


def _killed_writer(path: str, ready) -> None:
    store = Store(path)
    run = store.start("trial", {"arms": 2}, seed=11)
    run.save_table("arm_a", _frame(30, seed=1))
    ready.set()
    i = 0
    while True:  # keep writing tables until killed: the kill lands somewhere inside a save
        run.save_table(f"t{i}", _frame(200, seed=i), storage="parquet" if i % 2 else "db")
        i += 1


def _simulation_like() -> xr.Dataset:
    t = np.linspace(0, 24, 7)
    return xr.Dataset(
        {"pAKT_S473": ("time", np.exp(-t / 10), {"units": "1", "description": "phospho-AKT S473"}),
         "pS6K1_T389": ("time", 1 - np.exp(-t / 5), {"units": "1", "description": "phospho-S6K1 T389"})},
        coords={"time": ("time", t, {"units": "h", "long_name": "time since treatment"})},
        attrs={"cell": "MCF7", "treatment": "everolimus 10nM", "parameter_set_id": "abc123",
               "version_mtorsim": "0.1", "version_numpy": np.__version__},
    )


# ---------------------------------------------------------------------------------------------
# locations


def test_location_explicit_then_env_then_user_data_dir(tmp_path, monkeypatch):
    import platformdirs

    monkeypatch.delenv("MTORSIM_STORE", raising=False)
    assert default_store_path() == default_store_path(None)
    assert str(default_store_path()).startswith(platformdirs.user_data_dir("mtorsim", appauthor=False))
    monkeypatch.setenv("MTORSIM_STORE", str(tmp_path / "env"))
    assert Store().path == tmp_path / "env"
    assert Store(tmp_path / "explicit").path == tmp_path / "explicit"


def test_reading_an_absent_store_creates_nothing(tmp_path):
    store = Store(tmp_path / "nowhere")
    assert store.list().empty
    with pytest.raises(InputError, match="run_id"):
        store.show("abcd")
    assert not (tmp_path / "nowhere").exists()


# ---------------------------------------------------------------------------------------------
# round trips


@pytest.mark.parametrize("storage", ["db", "parquet"])
def test_frame_round_trip_keeps_values_dtypes_and_index(tmp_path, storage):
    df = pd.DataFrame({
        "i": np.array([1, -2, 2**62], dtype="int64"),
        "f": [1.5, np.nan, np.inf],
        "b": [True, False, True],
        "s": ["a", None, "c"],
        "o": pd.Series(["a", None, "b"], dtype=object),
        "c": pd.Categorical(["x", "y", "x"], categories=["y", "x"], ordered=True),
        "t": pd.to_datetime(["2020-01-01 10:00", "2021-06-01 00:00", None]).tz_localize("UTC"),
        "td": pd.to_timedelta([1, 2, None], unit="h"),
        "ni": pd.array([1, None, 3], dtype="Int64"),
    })
    store = Store(tmp_path)
    with store.start("screen", {"plate": 1}) as run:
        run.save_table("plain", df, storage=storage)
        run.save_table("indexed", df.set_index(["s", "i"]), storage=storage)
    pd.testing.assert_frame_equal(store.load(run.run_id, "plain"), df)
    pd.testing.assert_frame_equal(store.load(run.run_id, "indexed"), df.set_index(["s", "i"]))
    assert {t["storage"] for t in store.show(run.run_id)["tables"]} == {storage}


@pytest.mark.parametrize("storage", ["db", "parquet"])
def test_dataset_round_trip_is_identical(tmp_path, storage):
    rng = np.random.default_rng(0)
    ds = xr.Dataset(
        {"viability": (("dose", "time", "cell"), rng.random((3, 4, 2)), {"units": "1"}),
         "ic50": (("cell",), np.array([1.5, 20.0]), {"units": "nM"}),
         "count": (("cell",), np.array([3, 4], dtype="int64"))},
        coords={"dose": ("dose", [10.0, 1.0, 0.1], {"units": "nM"}),  # not sorted: order must survive
                "time": ("time", [0.0, 6.0, 24.0, 48.0], {"units": "h"}),
                "cell": ["MCF7", "BT474"], "subtype": ("cell", ["luminal A", "HER2+"])},
        attrs={"seed": 7, "parameter_set_id": "p1", "created": "2024-01-01T00:00:00+00:00"},
    )
    store = Store(tmp_path)
    with store.start("screen") as run:
        run.save_table("surface", ds, storage=storage)
    xr.testing.assert_identical(store.load(run.run_id, "surface"), ds)


def test_large_tables_go_to_parquet_small_ones_stay_in_the_database(tmp_path):
    store = Store(tmp_path, inline_limit=100)
    with store.start("screen") as run:
        run.save_table("small", _frame(10))  # 40 cells
        run.save_table("large", _frame(200))  # 800 cells
    tables = {t["name"]: t for t in store.show(run.run_id)["tables"]}
    assert tables["small"]["storage"] == "db" and tables["small"]["path"] is None
    assert tables["large"]["storage"] == "parquet"
    assert os.path.exists(tables["large"]["path"]) and len(tables["large"]["sha256"]) == 64
    pd.testing.assert_frame_equal(store.load(run.run_id, "large"), _frame(200))


def test_record_simulation_keeps_provenance(tmp_path):
    ds = _simulation_like()
    store = Store(tmp_path)
    rid = record_simulation(ds, store=store, seed=5)
    info = store.show(rid)
    assert info["kind"] == "simulate" and info["status"] == "finished" and info["seed"] == 5
    assert info["parameter_set_id"] == "abc123"
    assert info["spec"]["cell"] == "MCF7" and info["spec"]["treatment"] == "everolimus 10nM"
    assert info["versions"]["mtorsim"] == "0.1" and "duckdb" in info["versions"]
    xr.testing.assert_identical(store.load(rid, "timecourse"), ds)


def test_record_a_real_simulation(tmp_path):
    from mtorsim import simulate

    ds = simulate("MCF7", drugs=["everolimus=10nM"], hours=6, n_points=13)
    store = Store(tmp_path)
    rid = record_simulation(ds, store=store)
    xr.testing.assert_identical(store.load(rid, "timecourse"), ds)
    assert store.show(rid)["parameter_set_id"] == ds.attrs["parameter_set_id"]


# ---------------------------------------------------------------------------------------------
# life cycle


def test_context_manager_finishes_with_timing(tmp_path):
    store = Store(tmp_path)
    with store.start("calibrate", {"method": "L-BFGS-B", "starts": np.int64(3)}, seed=np.int64(42)) as run:
        assert isinstance(run, RunHandle)
        time.sleep(0.02)
    info = store.show(run.run_id)
    assert info["status"] == "finished" and info["error"] is None
    assert info["wall_s"] >= 0.02 and info["started"] <= info["ended"]
    assert info["spec"] == {"method": "L-BFGS-B", "starts": 3} and info["seed"] == 42
    assert info["versions"]["python"] and info["pid"] == os.getpid()


def test_context_manager_marks_failed_and_reraises(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(ZeroDivisionError):
        with store.start("trial", {"n": 10}) as run:
            run.save_table("partial", _frame())
            1 / 0  # noqa: B018
    info = store.show(run.run_id)
    assert info["status"] == "failed" and "ZeroDivisionError" in info["error"]
    pd.testing.assert_frame_equal(store.load(run.run_id, "partial"), _frame())
    with pytest.raises(StoreError, match="closed"):
        run.save_table("late", _frame())


def test_list_filters_and_prefix_ids(tmp_path):
    store = Store(tmp_path)
    for kind in ("simulate", "screen", "screen"):
        with store.start(kind):
            pass
    with pytest.raises(RuntimeError):
        with store.start("screen"):
            raise RuntimeError("solver blew up")
    df = store.list()
    assert list(df.columns[:3]) == ["run_id", "kind", "status"] and len(df) == 4
    assert len(store.list(kind="screen")) == 3
    assert len(store.list(kind="screen", status="finished")) == 2
    failed = store.list(status="failed")
    assert failed["error"].iloc[0] == "RuntimeError: solver blew up"
    rid = failed["run_id"].iloc[0]
    assert store.show(rid[:6])["run_id"] == rid
    with pytest.raises(InputError, match="status"):
        store.list(status="done")


def test_bad_inputs_name_the_field(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(InputError, match="kind"):
        store.start("Not A Kind")
    with pytest.raises(InputError, match="seed"):
        store.start("screen", seed=1.5)
    with store.start("screen") as run:
        with pytest.raises(InputError, match="name"):
            run.save_table("../escape", _frame())
        with pytest.raises(InputError, match="table"):
            run.save_table("x", [1, 2, 3])
        run.save_table("x", _frame())
        with pytest.raises(InputError, match="overwrite"):
            run.save_table("x", _frame(5))
        run.save_table("x", _frame(6), overwrite=True)
    assert len(store.load(run.run_id, "x")) == 6
    with pytest.raises(InputError, match="one of the tables"):
        store.load(run.run_id, "y")


def test_overwriting_a_parquet_table_removes_the_old_file(tmp_path):
    store = Store(tmp_path)
    with store.start("screen") as run:
        run.save_table("x", _frame(), storage="parquet")
        run.save_table("x", _frame(9), storage="parquet", overwrite=True)
    assert len(list((tmp_path / "tables" / run.run_id).iterdir())) == 1
    assert len(store.load(run.run_id, "x")) == 9


def test_corrupt_parquet_is_reported_not_returned(tmp_path):
    store = Store(tmp_path)
    with store.start("screen") as run:
        run.save_table("x", _frame(100), storage="parquet")
    path = store.show(run.run_id)["tables"][0]["path"]
    with open(path, "r+b") as fh:
        fh.seek(10)
        fh.write(b"\x00garbage\x00")
    with pytest.raises(StoreError, match="corrupt"):
        store.load(run.run_id, "x")


def test_export_writes_record_and_tables(tmp_path):
    store = Store(tmp_path / "store")
    with store.start("simulate", {"cell": "MCF7"}, seed=3) as run:
        run.save_table("timecourse", _simulation_like())
        run.save_table("summary", _frame())
    paths = store.export(run.run_id, tmp_path / "out")
    names = sorted(p.name for p in paths)
    assert names == ["run.json", "summary.csv", "timecourse.nc"]
    record = json.loads((tmp_path / "out" / "run.json").read_text())
    assert record["seed"] == 3 and record["spec"] == {"cell": "MCF7"}
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "out" / "summary.csv"), _frame(), check_dtype=False)
    with xr.open_dataset(tmp_path / "out" / "timecourse.nc") as nc:
        assert nc["pAKT_S473"].attrs["units"] == "1" and nc.attrs["cell"] == "MCF7"
    pq = store.export(run.run_id, tmp_path / "pq", format="parquet")
    assert sorted(p.name for p in pq) == ["run.json", "summary.parquet", "timecourse.parquet"]


def test_remove_deletes_rows_and_parquet_files(tmp_path):
    store = Store(tmp_path)
    with store.start("screen") as keep:
        keep.save_table("x", _frame(), storage="parquet")
    with store.start("screen") as run:
        run.save_table("x", _frame(), storage="parquet")
        run.save_table("y", _frame(), storage="db")
    assert (tmp_path / "tables" / run.run_id).exists()
    store.remove(run.run_id)
    assert not (tmp_path / "tables" / run.run_id).exists()
    assert list(store.list()["run_id"]) == [keep.run_id]
    with pytest.raises(InputError):
        store.show(run.run_id)
    import duckdb

    with duckdb.connect(str(store.db_path)) as con:
        assert con.execute("SELECT count(*) FROM results WHERE run_id = ?", [run.run_id]).fetchall()[0][0] == 0
        assert con.execute("SELECT count(*) FROM tables WHERE run_id = ?", [run.run_id]).fetchall()[0][0] == 0


def test_a_live_running_run_is_not_removed_without_force(tmp_path):
    store = Store(tmp_path)
    run = store.start("report")
    assert store.list()["status"].tolist() == ["running"]
    with pytest.raises(StoreError, match="still running"):
        store.remove(run.run_id)
    store.remove(run.run_id, force=True)
    assert store.list().empty


def test_busy_store_times_out_with_a_clear_error(tmp_path):
    store = Store(tmp_path, lock_timeout=0.2)
    store.list()
    with store.start("screen"):
        pass
    with open(tmp_path / "runs.duckdb.lock", "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        t0 = time.monotonic()
        with pytest.raises(StoreError, match="busy"):
            store.list()
        assert time.monotonic() - t0 < 2
    assert len(store.list()) == 1


# ---------------------------------------------------------------------------------------------
# several processes, killed processes


def test_concurrent_writers_lose_nothing(tmp_path):
    import duckdb

    n_workers, n_runs = 2, 20
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), w, n_runs)) for w in range(n_workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * n_workers
    store = Store(tmp_path)
    df = store.list()
    assert len(df) == n_workers * n_runs and df["run_id"].is_unique
    assert (df["status"] == "finished").all() and (df["wall_s"] > 0).all()
    assert sorted(df["seed"]) == sorted(w * 1000 + i for w in range(n_workers) for i in range(n_runs))
    # every run's record, table rows and long-format cells agree (one query over the whole store)
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        rows = con.execute("""
            SELECT r.run_id, r.seed, CAST(json_extract(r.spec, '$.worker') AS INT) AS worker,
                   CAST(json_extract(r.spec, '$.i') AS INT) AS i,
                   (SELECT count(*) FROM tables t WHERE t.run_id = r.run_id) AS n_tables,
                   (SELECT count(*) FROM results x WHERE x.run_id = r.run_id) AS n_cells,
                   (SELECT count(*) FROM tables t WHERE t.run_id = r.run_id AND t.storage = 'parquet') AS n_parquet
            FROM runs r""").fetchall()
    for run_id, seed, worker, i, n_tables, n_cells, n_parquet in rows:
        assert seed == worker * 1000 + i
        assert n_cells == 8 * 4  # 'viability': 8 rows x 4 columns, in the database
        assert (n_tables, n_parquet) == ((2, 1) if i % 5 == 0 else (1, 0))
    for run_id, seed, worker, i, *_ in rows[::4]:  # and a sample loads back exactly
        pd.testing.assert_frame_equal(store.load(run_id, "viability"), _frame(8, seed=seed))
        if i % 5 == 0:
            pd.testing.assert_frame_equal(store.load(run_id, "big"), _frame(50, seed=i))


@pytest.fixture(scope="module")
def killed_store(tmp_path_factory):
    """A store whose only run belongs to a process killed (SIGKILL) while it was saving tables."""
    path = tmp_path_factory.mktemp("killed")
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_killed_writer, args=(str(path), ready))
    proc.start()
    assert ready.wait(60), "the child never started its run"
    time.sleep(0.5)  # let it save a few tables and be in the middle of another
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)
    assert proc.exitcode == -signal.SIGKILL
    return path, proc.pid


@pytest.fixture
def killed(killed_store, tmp_path):
    """A fresh copy of the killed store for one test."""
    path, pid = killed_store
    shutil.copytree(path, tmp_path / "store")
    return Store(tmp_path / "store"), pid


def test_a_killed_run_is_reported_never_half_stored_and_removable(killed):
    store, pid = killed
    df = store.list()
    assert df["status"].tolist() == ["killed"]
    rid = df["run_id"].iloc[0]
    assert store.killed() == [rid] and len(store.list(status="killed")) == 1 and store.list(status="running").empty
    info = store.show(rid)
    assert info["status"] == "killed" and info["pid"] == pid and info["ended"] is None
    names = [t["name"] for t in info["tables"]]
    assert names[0] == "arm_a" and len(names) >= 2
    for t in info["tables"]:  # every table listed is whole
        got = store.load(rid, t["name"])
        assert len(got) == t["rows"]
        expected = _frame(30, seed=1) if t["name"] == "arm_a" else _frame(200, seed=int(t["name"][1:]))
        pd.testing.assert_frame_equal(got, expected)
    store.remove(rid)
    assert store.list().empty
    assert not (store.tables_dir / rid).exists()  # orphaned temporary files go with the run


def test_a_killed_run_can_be_resumed(killed):
    store, _ = killed
    rid = store.killed()[0]
    with store.resume_or_start("trial", {"arms": 2}, seed=11) as run:
        assert run.run_id == rid and run.resumed and "arm_a" in run.tables()
        run.save_table("arm_b", _frame(30, seed=2), overwrite=True)
    info = store.show(rid)
    assert info["status"] == "finished" and info["resumed"] == 1 and info["pid"] == os.getpid()
    assert "arm_b" in [t["name"] for t in info["tables"]]
    with store.resume_or_start("trial", {"arms": 3}, seed=11) as other:  # another specification: a new run
        assert other.run_id != rid and not other.resumed
    with pytest.raises(StoreError, match="finished"):
        store.resume(rid)


def test_remove_killed(killed):
    store, _ = killed
    with store.start("screen"):
        pass
    killed_ids = store.killed()
    assert len(killed_ids) == 1 and store.remove_killed() == killed_ids
    assert store.list()["status"].tolist() == ["finished"]


# ---------------------------------------------------------------------------------------------
# the command line


@pytest.fixture
def cli():
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:  # keep `runs` a sub-command
        pass

    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_cli_list_show_export_rm(tmp_path, cli):
    store = Store(tmp_path / "s")
    with store.start("screen", {"drugs": ["everolimus", "alpelisib"]}, seed=9) as run:
        run.save_table("viability", _frame())
    with pytest.raises(ValueError):
        with store.start("trial"):
            raise ValueError("bad arm")
    s = str(tmp_path / "s")

    r = cli("runs", "list", "--store", s)
    assert r.exit_code == 0, r.output
    assert run.run_id in r.output and "finished" in r.output and "failed" in r.output

    r = cli("runs", "list", "--store", s, "--status", "failed", "--format", "json")
    rows = json.loads(r.output)
    assert r.exit_code == 0 and [x["kind"] for x in rows] == ["trial"] and "bad arm" in rows[0]["error"]

    r = cli("runs", "show", run.run_id[:6], "--store", s)
    assert r.exit_code == 0, r.output
    assert "alpelisib" in r.output and "viability" in r.output

    r = cli("runs", "show", run.run_id, "--store", s, "--format", "json")
    assert json.loads(r.output)["seed"] == 9

    r = cli("runs", "export", run.run_id, str(tmp_path / "out"), "--store", s)
    assert r.exit_code == 0, r.output
    assert (tmp_path / "out" / "viability.csv").exists() and (tmp_path / "out" / "run.json").exists()

    r = cli("runs", "rm", run.run_id, "--store", s)
    assert r.exit_code == 0 and "removed" in r.output
    assert len(store.list()) == 1


def test_cli_errors_are_one_line(tmp_path, cli):
    r = cli("runs", "show", "deadbeef", "--store", str(tmp_path))
    assert r.exit_code == 2
    assert "run_id" in r.output and "deadbeef" in r.output and "Traceback" not in r.output
    assert r.output.startswith("error:") and r.output.count("error:") == 1  # one message (Rich wraps it at 80 columns)
    r = cli("runs", "list", "--status", "done", "--store", str(tmp_path))
    assert r.exit_code == 2 and "status" in r.output


def test_cli_uses_the_env_var(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("MTORSIM_STORE", str(tmp_path))
    with Store().start("report"):
        pass
    r = cli("runs", "list")
    assert r.exit_code == 0 and "report" in r.output
