"""A/B of session 8's compaction tile fix on the decode op (diagnostics): the v3 compaction
kernel as committed (scalar loads of the [threads, 8] tile) against the same source without
its ``tl.max_contiguous`` hint (decode rows' known alignment then vectorises the loads and
converts the tile through shared memory), CUDA-graph us per call:

    PYTHONPATH=$PWD python3 benchmarks/topk_tile_ab.py
"""
import importlib.util
import pathlib
import sys
import tempfile

import torch

from opdispatch.backends.triton import topk as tk
from opdispatch.backends.triton import topk_kernels
from opdispatch.dispatch.bench import graph_replay_us


def _without_hint():
    src = pathlib.Path(topk_kernels.__file__).read_text()
    line = "            o = tl.max_contiguous(o, [1, 1])\n"
    assert line in src
    src = src.replace(line, "            o = o + 0\n")
    path = pathlib.Path(tempfile.mkdtemp()) / "topk_kernels_nohint.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("topk_kernels_nohint", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def main():
    fixed = tk.topk_sample_compact_kernel
    old = _without_hint().topk_sample_compact_kernel
    for rows, cols, k in ((64, 131072, 2048), (64, 131072, 512), (512, 131072, 2048)):
        gen = torch.Generator(device="cuda").manual_seed(rows + cols)
        x = torch.randn(rows, cols, device="cuda", generator=gen)
        lens = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
        out = torch.empty(rows, k, dtype=torch.int32, device="cuda")
        cells = []
        for name, kern in (("hint (committed)", fixed), ("no hint", old)):
            tk.topk_sample_compact_kernel = kern
            f = lambda: tk.top_k_per_row_decode(x, lens, out, 1, k)
            f()
            ok = torch.equal(x.gather(1, out.long()).sort(1).values, torch.topk(x, k, 1).values.sort(1).values)
            cells.append(f"{name} {graph_replay_us(f):6.1f}{'' if ok else ' FAIL'}")
        tk.topk_sample_compact_kernel = fixed
        print(f"decode {rows}x{cols} k={k}: " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
