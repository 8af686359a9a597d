"""Per-call overhead of the dispatch layers, on the host (no kernel work: a no-op body).

Compares, per call: a plain Python function; the same function registered through
opdispatch.dispatch.library.kernel_op (torch.ops.opdispatch.*, one trip through the C++
dispatcher); the same registered with torch.library.custom_op (for reference); and a whole public
op call (validation + allocation + dispatch) of the test-only toy op with the torch_ref provider.
Run: python benchmarks/dispatch_overhead.py
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from opdispatch.dispatch.library import kernel_op  # noqa: E402


def body(x: torch.Tensor, y: torch.Tensor, alpha: float) -> None:
    return None


def main() -> None:
    x = torch.zeros(16)
    y = torch.zeros(16)
    lib_op = kernel_op("overhead_probe", body, mutates_args=("y",))
    co = torch.library.custom_op("opdispatch_bench::overhead_probe_co", body, mutates_args=("y",))
    from tests.core.toy_op import ToyScale

    toy = ToyScale(provider="torch_ref")
    n = 20000
    rows = {
        "plain python call": lambda: body(x, y, 1.0),
        "kernel_op (torch.ops.opdispatch)": lambda: lib_op(x, y, 1.0),
        "torch.library.custom_op": lambda: co(x, y, 1.0),
        "public op call (toy_scale, torch_ref)": lambda: toy(x, 1.0),
    }
    print(f"torch {torch.__version__}")
    for name, fn in rows.items():
        best = min(timeit.repeat(fn, number=n, repeat=5)) / n * 1e6
        print(f"{name:40s} {best:7.2f} us/call")


if __name__ == "__main__":
    main()
