"""The gradient doctor names the problem of each preset and its first fix cures it (real runs)."""

from dataclasses import replace

import pytest

from dl.gradient_lab import doctor
from dl.gradient_lab import trainer as lab
from dl.gradient_lab.trainer import GradientTrainer, prepare_data, preset_config


@pytest.fixture(scope="module")
def digits_table():
    return lab.load_lab_table(lab.GradientLabConfig())


def _run(config, table):
    return GradientTrainer(config, prepare_data(config, table)).train_epochs(config.epochs)


@pytest.mark.parametrize(
    ("preset", "verdict", "first_fix", "finding"),
    [
        ("sigmoid_vanishes", "vanishing", "batch_norm", "vanishing_layers"),
        ("bad_init_explodes", "exploding", "he_init", "nonfinite"),
        ("rnn_explodes", "exploding", "clip_global_norm", "nonfinite"),
    ],
)
def test_doctor_diagnoses_each_preset_and_its_first_fix_cures_it(digits_table, preset, verdict, first_fix, finding):
    config = replace(preset_config(preset), epochs=2)
    diagnosis = doctor.diagnose(_run(config, digits_table))
    assert diagnosis.verdict == verdict
    assert finding in [item.code for item in diagnosis.findings]
    assert diagnosis.fixes[0].code == first_fix
    assert len({fix.code for fix in diagnosis.fixes}) == len(diagnosis.fixes) >= 2

    fixed_config = doctor.apply_fix(config, diagnosis.fixes[0])
    assert fixed_config.seed == config.seed and fixed_config.dataset == config.dataset
    fixed = _run(replace(fixed_config, epochs=3), digits_table)
    assert fixed.nonfinite is None
    assert fixed.history[-1]["val_accuracy"] > 0.3  # ten digits: chance is 0.1
    after = doctor.diagnose(fixed)
    assert after.verdict != verdict
    assert first_fix not in [fix.code for fix in after.fixes]  # an applied fix is not offered again


def test_sigmoid_finding_names_the_slope_bound(digits_table):
    config = replace(preset_config("sigmoid_vanishes"), epochs=1)
    diagnosis = doctor.diagnose(_run(config, digits_table))
    slope = next(item for item in diagnosis.findings if item.code == "slope_bound")
    assert slope.values["bound"] == 0.25 and slope.values["layers"] == 19


def test_fixes_stack():
    config = preset_config("sigmoid_vanishes")
    first = doctor.apply_fix(config, doctor.Fix("batch_norm", {"batch_norm": True}))
    second = doctor.apply_fix(first, doctor.Fix("residual", {"residual": True}))
    assert second.batch_norm and second.residual and second.activation == "sigmoid"
