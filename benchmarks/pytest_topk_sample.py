"""pytest plugin: run the top-k tests with the v3 ``sample`` config as the default, to validate it
before making it ``DEFAULT_CONFIG``:

    python -m pytest -p benchmarks.pytest_topk_sample tests/topk -m cuda
"""


def pytest_configure(config):
    from opdispatch.backends.triton import topk

    topk.DEFAULT_CONFIG = "sample"
