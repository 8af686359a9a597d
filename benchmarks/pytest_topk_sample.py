"""pytest plugin: run the top-k tests with another named config as the default, to validate it
before making it ``DEFAULT_CONFIG`` (the name from $TOPK_TEST_CONFIG, else ``sample``):

    TOPK_TEST_CONFIG=reg32k python -m pytest -p benchmarks.pytest_topk_sample tests/topk -m cuda
"""

import os


def pytest_configure(config):
    from opdispatch.backends.triton import topk

    name = os.environ.get("TOPK_TEST_CONFIG", "sample")
    if name not in topk.CONFIGS:
        raise ValueError(f"TOPK_TEST_CONFIG={name!r} is not in topk.CONFIGS ({', '.join(topk.CONFIGS)})")
    topk.DEFAULT_CONFIG = name
