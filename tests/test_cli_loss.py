"""CLI: `rate --loss-at/--loss-curve/--hd-at-t0` and `pc --circuit` (issue 11, items 5 and 6)."""

from __future__ import annotations

import json

import pytest

from magnets.cli import main
from magnets.errors import ExitCode


def _json(capsys, argv):
    code = main([*argv, "--format", "json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_rate_loss_at_keys_and_values(capsys):
    d = _json(capsys, ["rate", "KYL-N42SH", "--pc", "2", "--loss-at", "180"])
    for key in ("loss_pct", "B_T0_before_T", "B_T0_after_T", "loss_at_rating_pct", "hd_at_t0_kA_m"):
        assert key in d
    # KYL-N42SH: Br 1.30 T (min), HcJ 1592 kA/m, fitted beta -0.538, Pc 2, Hd 0: before the trip
    # B = 1.3*2/(2 + 1.05) = 0.852459 T (far below the knee the curve is the straight line);
    # after 180 degC (10 K past the 169.6 degC knee rating) 24.3 % is lost; the rating carries 3.57 %.
    assert d["B_T0_before_T"] == pytest.approx(0.852459, abs=1e-5)
    assert d["loss_pct"] == pytest.approx(24.35, abs=0.05)
    assert d["B_T0_after_T"] == pytest.approx(0.852459 * (1 - d["loss_pct"] / 100), abs=1e-6)
    assert d["loss_at_rating_pct"] == pytest.approx(3.57, abs=0.01)


def test_rate_field_at_t0_on_or_off(capsys):
    on = _json(capsys, ["rate", "N38EH", "--pc", "1", "--hd", "200", "--loss-at", "200"])
    off = _json(
        capsys,
        ["rate", "N38EH", "--pc", "1", "--hd", "200", "--loss-at", "200", "--hd-at-t0", "0"],
    )
    assert on["hd_at_t0_kA_m"] == 200.0 and off["hd_at_t0_kA_m"] == 0.0
    # with the current off at T0 the reference B is higher: B = Br*Pc/(Pc + mu_rec) vs a lower one
    assert off["B_T0_before_T"] > on["B_T0_before_T"]
    assert on["loss_pct"] != pytest.approx(off["loss_pct"])


def test_rate_loss_curve_rises_and_matches_loss_at(capsys):
    d = _json(capsys, ["rate", "KYL-N42SH", "--pc", "2", "--loss-curve", "140:180:10"])
    temps = [p["temp_C"] for p in d["loss_curve"]]
    assert temps == [140.0, 150.0, 160.0, 170.0, 180.0]
    pct = [p["loss_pct"] for p in d["loss_curve"]]
    assert pct == sorted(pct) and pct[-1] == pytest.approx(24.35, abs=0.05)
    assert pct[0] < 0.001  # 30 K below the rating


def test_rate_ferrite_cold_end(capsys):
    # JX-C8A at Pc 1: the knee binds in the cold (beta > 0); loss grows as the trip goes colder
    d = _json(capsys, ["rate", "JX-C8A", "--pc", "1", "--loss-curve", "20:-100:40"])
    assert d["cold_knee_C"] < 0
    pct = [p["loss_pct"] for p in d["loss_curve"]]
    assert pct[0] == pytest.approx(0.0, abs=1e-9) and pct == sorted(pct) and pct[-1] > 10


def test_rate_loss_table_prints_the_curve(capsys):
    assert main(["rate", "KYL-N42SH", "--pc", "2", "--loss-curve", "150:170:10"]) == 0
    out = capsys.readouterr().out
    assert "loss_at_rating_pct" in out and "temp_C" in out and "B_T0_after_T" in out


def test_rate_help_explains_the_loss_model(capsys):
    with pytest.raises(SystemExit):
        main(["rate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--hd-at-t0" in text and "mu0*mu_rec" in text and "loss_at_rating_pct" in text


def test_pc_circuit_reproduces_the_hand_example(capsys):
    # values derived by hand (no published worked example was found): Lm 5, g 1, Ag = Am,
    # sigma 1.2, f 1.1 -> Pc = 5*1.2/1.1 = 5.4545; with a 3 mm slot opening on a 15 mm pitch
    # k_C = 1.081209 and Pc = 5.4545/1.081209 = 5.0449; N*I = 600 A over 5 mm: Hd = 120 kA/m
    base = ["pc", "--circuit", "--magnet-length", "5", "--gap", "1", "--magnet-area", "200"]
    base += ["--gap-area", "200", "--leakage-factor", "1.2", "--reluctance-factor", "1.1"]
    d = _json(capsys, base)
    assert d["pc"] == pytest.approx(5.4545, rel=0.02) and "MMPA" in d["method"]
    d = _json(capsys, [*base, "--slot-opening", "3", "--slot-pitch", "15", "--ampere-turns", "600"])
    assert d["carter_coefficient"] == pytest.approx(1.081209, rel=1e-6)
    assert d["pc"] == pytest.approx(5.0449, rel=0.02)
    assert d["hd_kA_m"] == pytest.approx(120.0)


def test_pc_help_says_rings_and_arcs_have_no_sourced_formula(capsys):
    with pytest.raises(SystemExit):
        main(["pc", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "no sourced closed form" in text and "(Lm/Lg) * (Ag/Am) * (sigma/f)" in text


def test_pc_needle_cylinder_keeps_a_finite_pc(capsys):
    # L/D = 100: Pc = L*(R + L)/D^2 = 100*(100.005 + 100) = 20000.5 (was at the mercy of 1 - L/R)
    d = _json(capsys, ["pc", "--shape", "cylinder", "--length", "100", "--diameter", "1"])
    assert d["pc"] == pytest.approx(20000.5, rel=1e-6)


_CIRC = ["pc", "--circuit", "--magnet-length", "5", "--magnet-area", "200", "--gap-area", "200"]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["rate", "KYL-N42SH", "--hd-at-t0", "0"], "--loss-at or --loss-curve"),
        (["rate", "KYL-N42SH", "--loss-curve", "20:200"], "FROM:TO:STEP"),
        (["rate", "KYL-N42SH", "--loss-curve", "20:200:0"], "STEP > 0"),
        (["rate", "KYL-N42SH", "--loss-curve", "0:9000:1"], "at most 2001 points"),
        # every number option: one finiteness check with one wording (magnets.cli.entry)
        (["rate", "KYL-N42SH", "--loss-at", "nan"], "--loss-at to be a finite number"),
        (["rate", "KYL-N42SH", "--loss-at", "-300"], "absolute zero (-273.15 degC)"),
        ([*_CIRC, "--gap", "0"], "gap as a positive length"),
        ([*_CIRC, "--gap", "-1"], "gap as a positive length"),
        ([*_CIRC, "--gap", "inf"], "--gap to be a finite number"),
        ([*_CIRC, "--gap", "1e-300"], "magnet length/gap between"),
        ([*_CIRC, "--gap", "1", "--leakage-factor", "0.9"], "leakage factor between 1 and 100"),
        ([*_CIRC, "--gap", "1", "--slot-opening", "3"], "together"),
        ([*_CIRC, "--gap", "1", "--slot-opening", "20", "--slot-pitch", "15"], "below the slot"),
        (["pc", "--circuit", "--gap", "1"], "--magnet-length"),
        (["pc", "--length", "5"], "--shape and --length"),
        (["pc", "--shape", "cylinder", "--length", "1e6", "--diameter", "1e-3"], "1000"),
        (
            ["pc", "--shape", "block", "--length", "1e-6", "--width", "1e3", "--height", "1e3"],
            "1000",
        ),
    ],
)
def test_bad_loss_and_circuit_input_is_one_line_and_exit_2(capsys, argv, needle):
    assert main(argv) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.startswith("magnets: error: ") and needle in err and "Traceback" not in err
    assert err.count("\n") == 1
