"""Device decisions, testable without a GPU by injecting the device counts and TF_CONFIG."""

import json

import pytest

from dl import device


@pytest.mark.parametrize(
    ("num_gpus", "expected"),
    [(0, device.STRATEGY_DEFAULT), (1, device.STRATEGY_DEFAULT), (2, device.STRATEGY_MIRRORED), (8, device.STRATEGY_MIRRORED)],
)
def test_strategy_for_local_gpus(num_gpus, expected):
    assert device.choose_strategy_kind(num_gpus, None) == expected


def test_tf_config_with_two_workers_means_multi_worker():
    tf_config = json.dumps({"cluster": {"worker": ["host-a:12345", "host-b:12345"]}, "task": {"type": "worker", "index": 0}})
    assert device.choose_strategy_kind(0, tf_config) == device.STRATEGY_MULTI_WORKER
    assert device.choose_strategy_kind(2, tf_config) == device.STRATEGY_MULTI_WORKER


def test_tf_config_with_one_worker_or_garbage_falls_back_to_local_choice():
    one_worker = json.dumps({"cluster": {"worker": ["host-a:12345"]}, "task": {"type": "worker", "index": 0}})
    assert device.choose_strategy_kind(2, one_worker) == device.STRATEGY_MIRRORED
    assert device.choose_strategy_kind(1, "{not json") == device.STRATEGY_DEFAULT
    assert device.choose_strategy_kind(0, json.dumps(["a list"])) == device.STRATEGY_DEFAULT


def test_mixed_precision_and_torch_device_only_with_gpus():
    assert device.should_use_mixed_precision(0) is False
    assert device.should_use_mixed_precision(1) is True
    assert device.choose_torch_device(0) == "cpu"
    assert device.choose_torch_device(2) == "cuda"


def test_parse_nvidia_smi_lists_every_gpu_by_name():
    output = "0, NVIDIA A100-SXM4-40GB, 40960\n1, NVIDIA A100-SXM4-40GB, 40960\n"
    gpus = device.parse_nvidia_smi(output)
    assert [gpu.name for gpu in gpus] == ["NVIDIA A100-SXM4-40GB"] * 2
    assert gpus[1].index == 1 and gpus[1].memory_mib == 40960
    assert device.parse_nvidia_smi("") == []


def test_this_machine_is_described_without_frameworks():
    summary = device.hardware_summary()
    assert summary["cpu_cores"] >= 1
    assert summary["runs_on"] in ("cpu", "gpu")
    assert summary["versions"]["tensorflow"] and summary["versions"]["torch"]


def test_real_strategy_and_precision_on_this_machine():
    """On a CPU machine the real calls give the default strategy and float32."""
    import tensorflow as tf

    strategy = device.tensorflow_strategy(environ={})
    expected = tf.distribute.MirroredStrategy if len(tf.config.list_physical_devices("GPU")) >= 2 else type(tf.distribute.get_strategy())
    assert isinstance(strategy, expected)
    if not tf.config.list_physical_devices("GPU"):
        assert device.configure_keras_precision() == "float32"
        assert device.torch_device() == "cpu"


def test_limited_torch_threads_nests_and_restores():
    import threading

    import torch

    before = torch.get_num_threads()
    entered = threading.Barrier(2)
    seen = []

    def inference():
        with device.limited_torch_threads(1):
            entered.wait(5)
            seen.append(torch.get_num_threads())
            entered.wait(5)

    threads = [threading.Thread(target=inference) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [1, 1]
    assert torch.get_num_threads() == before  # restored once the last user left


def test_cluster_role_and_chief_follow_tensorflow_rules():
    workers = {"worker": ["a:1", "b:2"]}
    second = json.dumps({"cluster": workers, "task": {"type": "worker", "index": 1}})
    first = json.dumps({"cluster": workers, "task": {"type": "worker", "index": 0}})
    with_chief = {"chief": ["c:3"], **workers}
    assert device.cluster_role(second) == device.ClusterRole("worker", 1, 2, False)
    assert device.is_chief_process({"TF_CONFIG": first})
    assert not device.is_chief_process({"TF_CONFIG": second})
    # with a chief task, worker 0 is an ordinary worker
    assert not device.is_chief_process({"TF_CONFIG": json.dumps({"cluster": with_chief, "task": {"type": "worker", "index": 0}})})
    chief = json.dumps({"cluster": with_chief, "task": {"type": "chief", "index": 0}})
    assert device.is_chief_process({"TF_CONFIG": chief})
    assert device.choose_strategy_kind(0, json.dumps({"cluster": {"chief": ["c:3"], "worker": ["a:1"]}})) == device.STRATEGY_MULTI_WORKER
    assert device.worker_report({"TF_CONFIG": second}) == {"task": "worker 1", "workers": 2, "chief": False}
    assert device.worker_report({}) == {}


def test_torchrun_rank_zero_is_the_only_chief():
    assert device.is_chief_process({})
    assert device.is_chief_process({"RANK": "0", "WORLD_SIZE": "2"})
    assert not device.is_chief_process({"RANK": "1", "WORLD_SIZE": "2"})
