"""simulate_many(): the table schema, agreement with simulate(), determinism across backends,
failures, streaming to disk and resuming after an interruption. Timings are never asserted."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import mtorsim
from mtorsim import InputError
from mtorsim.simulate import SolverOptions, failures, simulate_many
from mtorsim.simulate import _many

# drugs whose catalogue entries have a potency for every target (the catalogue is curated separately)
_PREFERRED = ["capivasertib", "AZD8055", "MK-2206", "torin2", "alpelisib", "everolimus"]


@pytest.fixture(scope="module")
def drugs():
    ok = [d for d in _PREFERRED if not mtorsim.get_drug(d).missing_potency]
    if len(ok) < 2:
        pytest.skip("fewer than two simulable drugs in the catalogue")
    return ok[:2]


@pytest.fixture(scope="module")
def table(drugs):
    a, b = drugs
    return pd.DataFrame({
        "condition_id": ["mcf7-ctrl", "mcf7-a", "t47d-ab", "t47d-a-late", "mda468-b", "mcf7-a-k"],
        "cell": ["MCF7", "MCF7", "T47D", "T47D", "MDA-MB-468", "MCF7"],
        "drugs": ["", f"{a}=300nM", f"{a}=100nM; {b}=10nM", f"{a}=1uM@6h-18h", f"{b}=50nM", f"{a}=300nM"],
        "medium": ["full", "full", "full", "charcoal_stripped", "full", "full"],
        "param:k_dephos": [np.nan, np.nan, np.nan, np.nan, np.nan, 1.5],
        "label:plate": ["p1", "p1", "p1", "p2", "p2", "p2"],
    })


TIMES = [0.0, 1.0, 6.0, 12.0, 24.0]


def _data(ds):
    return ds.drop_attrs()


def test_each_row_is_exactly_what_simulate_returns(table):
    ds = simulate_many(table, times=TIMES, backend="serial", progress=False)
    assert list(ds.condition.values) == list(table.condition_id)
    assert ds.sizes == {"condition": 6, "time": 5}
    for i, row in table.iterrows():
        drugs = [d for d in row["drugs"].split(";") if d.strip()]
        params = {} if np.isnan(row["param:k_dephos"]) else {"k_dephos": row["param:k_dephos"]}
        ref = mtorsim.simulate(row["cell"], drugs=drugs, medium=row["medium"], times=TIMES, parameters=params)
        for v in ref.data_vars:
            np.testing.assert_array_equal(ds[v].values[i], ref[v].values, err_msg=f"{row['condition_id']} {v}")
        assert ds["parameter_set_id"].values[i] == ref.attrs["parameter_set_id"]
        assert ds["treatment"].values[i] == ref.attrs["treatment"]
    assert list(ds["plate"].values) == list(table["label:plate"])
    assert ds["pAKT_S473"].attrs["units"].startswith("relative to untreated MCF7")
    assert set(ds.status.values) == {"ok"} and ds.attrs["n_failed"] == 0
    for key in ("version_mtorsim", "version_libroadrunner", "seed", "normalization", "solver", "created"):
        assert key in ds.attrs


def test_drug_spellings_and_inputs_are_equivalent(drugs, tmp_path):
    a, b = drugs
    as_str = [{"cell": "MCF7", "drugs": f"{a}=100nM;{b}=10nM"}]
    as_list = [{"cell": "MCF7", "drugs": [f"{a}=100nM", f"{b}=10nM"]}]
    as_dict = [{"cell": "MCF7", "drugs": {a: "100nM", b: "0.01uM"}}]
    path = tmp_path / "c.csv"
    pd.DataFrame(as_str).to_csv(path, index=False)
    results = [simulate_many(x, times=TIMES, backend="serial", progress=False) for x in (as_str, as_list, as_dict, path)]
    for r in results[1:]:
        xr.testing.assert_equal(_data(results[0])["pAKT_S473"], _data(r)["pAKT_S473"])


def test_parameter_sets_then_mapping_then_columns(drugs):
    rows = [{"cell": "MCF7", "parameter_set": "fast"},
            {"cell": "MCF7", "parameter_set": "fast", "parameters": {"k_dephos": 2.0}},
            {"cell": "MCF7", "parameter_set": "fast", "parameters": '{"k_dephos": 2.0}', "param:k_dephos": 3.0}]
    ds = simulate_many(rows, times=TIMES, normalize="none", parameter_sets={"fast": {"k_dephos": 1.0}},
                       backend="serial", progress=False)
    assert list(ds.parameter_set.values) == ["fast", "fast", "fast"]
    assert list(ds["param:k_dephos"].values) == [1.0, 2.0, 3.0]     # the value in force, whatever its source
    ids = ds.parameter_set_id.values
    assert len(set(ids)) == 3
    ref = mtorsim.simulate("MCF7", times=TIMES, normalize="none", parameters={"k_dephos": 3.0})
    assert ids[2] == ref.attrs["parameter_set_id"]


@pytest.mark.parametrize("rows,field", [
    ([{"cell": "MCF-8"}], "conditions[row 0].cell"),
    ([{"cell": "MCF7"}, {"cell": "MCF7", "drugs": "everolimsu=1nM"}], "conditions[row 1].drugs"),
    ([{"cell": "MCF7", "drugs": "capivasertib=-1nM"}], "conditions[row 0].drugs"),
    ([{"cell": "MCF7", "medium": "champagne"}], "conditions[row 0].medium"),
    ([{"cell": "MCF7", "estradiol": "lots"}], "conditions[row 0].estradiol"),
    ([{"cell": "MCF7", "param:no_such": 1.0}], "conditions.columns"),
    ([{"cell": "MCF7", "param:k_dephos": -1.0}], "conditions[row 0].param:k_dephos"),
    ([{"cell": "MCF7", "parameters": {"no_such": 1.0}}], "conditions[row 0].parameters"),
    ([{"cell": "MCF7", "parameters": "not json"}], "conditions[row 0].parameters"),
    ([{"cell": "MCF7", "parameter_set": "fit7"}], "conditions[row 0].parameter_set"),
    ([{"cell": "MCF7", "dose": "1nM"}], "conditions.columns"),
    ([{"drugs": "capivasertib=1nM"}], "conditions.columns"),
    ([{"cell": "MCF7", "condition_id": "a"}, {"cell": "T47D", "condition_id": "a"}], "conditions.condition_id"),
    ([], "conditions"),
])
def test_bad_rows_name_the_row_and_column(rows, field):
    with pytest.raises(InputError) as info:
        simulate_many(rows, times=TIMES, backend="serial", progress=False)
    assert info.value.field.startswith(field), str(info.value)


@pytest.mark.parametrize("kwargs,field", [
    ({"backend": "threads"}, "backend"), ({"n_workers": 0}, "n_workers"), ({"chunk_size": 0}, "chunk_size"),
    ({"normalize": "maybe"}, "normalize"), ({"times": [0, 5, 2]}, "times"), ({"store": "csv"}, "store"),
    ({"scheduler": "tcp://x:1", "backend": "serial"}, "scheduler"),
])
def test_bad_options_name_the_option(kwargs, field):
    with pytest.raises(InputError) as info:
        simulate_many([{"cell": "MCF7"}], **{"times": TIMES, **kwargs})
    assert info.value.field == field


def test_conditions_sharing_a_steady_state_share_a_chunk():
    cells = ["MCF7", "T47D", "MCF7", "BT-474", "T47D", "MCF7", "BT-474"]
    plans = [_many._Condition(mtorsim.get_cell(c), mtorsim.Treatment.make(), mtorsim.Medium(), ()) for c in cells]
    chunks = _many._chunks(plans, 3)
    assert sorted(np.concatenate(chunks).tolist()) == list(range(len(cells)))
    for ch in chunks:
        assert len({cells[i] for i in ch}) == 1       # groups of <= 3 are never split
    big = _many._chunks(plans * 3, 4)                 # a group larger than a chunk is split
    assert max(len(c) for c in big) <= 4


def test_same_results_whatever_the_backend_and_workers(table):
    serial = simulate_many(table, times=TIMES, backend="serial", progress=False)
    procs = simulate_many(table, times=TIMES, backend="processes", n_workers=2, chunk_size=2, progress=False)
    assert procs.attrs["n_chunks"] >= 3
    xr.testing.assert_identical(_data(serial), _data(procs))
    one = simulate_many(table, times=TIMES, backend="processes", n_workers=1, chunk_size=4, progress=False)
    xr.testing.assert_identical(_data(serial), _data(one))


def test_same_results_on_a_dask_local_cluster(table):
    pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install 'dask[distributed]')")
    serial = simulate_many(table.iloc[:4], times=TIMES, backend="serial", progress=False)
    dask = simulate_many(table.iloc[:4], times=TIMES, backend="dask", n_workers=2, chunk_size=2, progress=False)
    assert dask.attrs["backend"] == "dask"
    xr.testing.assert_identical(_data(serial), _data(dask))


def test_a_failed_condition_is_recorded_and_the_rest_run(drugs):
    rows = [{"cell": "MCF7", "drugs": f"{drugs[0]}=100nM"},
            {"cell": "MCF7", "parameters": {"kd_rtk": 0.0}},      # no RTK turnover: no steady state
            {"cell": "T47D"}]
    ds = simulate_many(rows, times=TIMES, backend="serial", progress=False)
    assert list(ds.status.values) == ["ok", "failed", "ok"]
    assert np.isnan(ds["pAKT_S473"].values[1]).all() and np.isfinite(ds["pAKT_S473"].values[[0, 2]]).all()
    assert "pre-equilibration" in ds.error.values[1] and ds.error.values[0] == ""
    assert ds.attrs["n_failed"] == 1 and "no steady state" in ds.attrs["failures"]
    f = failures(ds)
    assert list(f["cell"]) == ["MCF7"] and "no steady state" in f["error"].iloc[0]


def test_a_failure_is_retried_with_tighter_settings():
    ds = simulate_many([{"cell": "MCF7"}], times=TIMES, backend="serial", progress=False,
                       solver=SolverOptions(max_steps=100))
    assert ds.status.values[0] == "retried" and "first attempt" in ds.error.values[0]
    assert np.isfinite(ds["pAKT_S473"].values).all() and ds.attrs["n_retried"] == 1


def test_streams_to_disk_and_resumes_after_an_interruption(table, tmp_path, monkeypatch):
    full = simulate_many(table, times=TIMES, backend="serial", progress=False)
    out = tmp_path / "run"
    real_write = _many._Store.write
    writes = []

    def interrupted_write(self, res, times):
        if len(writes) == 2:
            raise KeyboardInterrupt
        writes.append(res["index"])
        real_write(self, res, times)

    monkeypatch.setattr(_many._Store, "write", interrupted_write)
    with pytest.raises(KeyboardInterrupt):
        simulate_many(table, times=TIMES, backend="serial", out=out, chunk_size=2, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(int(k) for k in manifest["chunks"]) == sorted(writes)
    monkeypatch.setattr(_many._Store, "write", real_write)

    computed = []
    real_chunk = _many._simulate_chunk

    def counting(eng, chunk):
        computed.append(chunk.index)
        return real_chunk(eng, chunk)

    monkeypatch.setattr(_many, "_simulate_chunk", counting)
    resumed = simulate_many(table, times=TIMES, backend="serial", out=out, progress=False)
    assert resumed.attrs["n_chunks_resumed"] == 2 and set(computed).isdisjoint(writes)
    assert len(computed) == resumed.attrs["n_chunks"] - 2
    xr.testing.assert_identical(_data(full), _data(resumed))

    computed.clear()
    again = simulate_many(table, times=TIMES, backend="serial", out=out, progress=False)   # all from disk
    assert computed == [] and again.attrs["n_chunks_resumed"] == again.attrs["n_chunks"]
    xr.testing.assert_identical(_data(full), _data(again))

    with pytest.raises(InputError) as info:                  # other inputs, same directory
        simulate_many(table.iloc[:3], times=TIMES, backend="serial", out=out, progress=False)
    assert info.value.field == "out"
    fresh = simulate_many(table.iloc[:3], times=TIMES, backend="serial", out=out, resume=False, progress=False)
    assert fresh.attrs["n_chunks_resumed"] == 0


@pytest.mark.parametrize("store", ["zarr", "netcdf"])
def test_both_chunk_stores_give_the_same_dataset(table, tmp_path, store):
    if store == "zarr":
        pytest.importorskip("zarr", reason="zarr is not installed")
    full = simulate_many(table, times=TIMES, backend="serial", progress=False)
    simulate_many(table, times=TIMES, backend="serial", out=tmp_path, store=store, chunk_size=3, progress=False)
    back = simulate_many(table, times=TIMES, backend="serial", out=tmp_path, progress=False)
    assert back.attrs["n_chunks_resumed"] == back.attrs["n_chunks"]
    xr.testing.assert_identical(_data(full), _data(back))


def test_result_round_trips_through_netcdf(table, tmp_path):
    ds = simulate_many(table, times=TIMES, backend="serial", progress=False)
    ds.to_netcdf(tmp_path / "many.nc")
    xr.testing.assert_identical(ds, xr.load_dataset(tmp_path / "many.nc"))


def test_cli_simulate_many_writes_the_result_and_lists_failures(tmp_path, drugs):
    import typer
    from typer.testing import CliRunner

    from mtorsim.cli._many_cmd import register

    app = typer.Typer()
    register(app)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps typer in sub-command mode
        pass

    path = tmp_path / "conditions.csv"
    pd.DataFrame({"cell": ["MCF7", "MCF7"], "drugs": [f"{drugs[0]}=10nM", ""],
                  "parameters": ["", '{"kd_rtk": 0}']}).to_csv(path, index=False)
    res = CliRunner().invoke(app, ["simulate-many", str(path), "--out", str(tmp_path / "o"), "--hours", "12",
                                   "--points", "3"])
    assert res.exit_code == 0, res.output
    assert "2 conditions" in res.output and "1 failed" in res.output
    ds = xr.load_dataset(tmp_path / "o" / "result.nc")
    assert list(ds.status.values) == ["ok", "failed"]


def test_bench_summary_is_one_line():
    from mtorsim._benchmarks import BenchResult, summary_line
    line = summary_line([BenchResult("overhead", 1.07, ""), BenchResult("cache", 5.0, ""),
                         BenchResult("scaling", 0.9, "", {"n": 100, "processes_2_efficiency": 0.9, "dask_2_efficiency": 0.8}),
                         BenchResult("BIOMD0000000640", 1.3, "")])
    assert "\n" not in line and "overhead 1.07x" in line and "90%" in line
