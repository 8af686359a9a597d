"""Diagnostic (GPU): where the warp-specialized fp8_mqa_logits kernel's time goes.

    python benchmarks/indexer_ws_diag.py [REPS] [CONFIG]

Times CONFIG (default ``ws_n256_s12_ar_pair``) at S=1024, H=64, D=128, N=16384 (full) as is,
without its epilogue (``ws_diag=1``: the wgmmas and the ring only) and without its wgmmas
(``ws_diag=2``: the ring and the epilogue on zeros), alternated REPS times, CUDA-graph replay.
The diagnostic variants compute wrong logits; they exist only to split the time.
"""

import dataclasses
import sys

import torch
import triton

from opdispatch.backends.triton import indexer as ix
from opdispatch.benchmarks.indexer import _mqa_inputs
from opdispatch.dispatch.bench import alternated_graph_us, median_run


def main() -> None:
    args = sys.argv[1:]
    reps = int(args.pop(0)) if args and args[0].isdigit() else 5
    name = args[0] if args else "ws_n256_s12_ar_pair"
    base = ix.MQA_LOGITS_CONFIGS[name]
    variants = {"as is": base, "no epilogue": dataclasses.replace(base, ws_diag=1),
                "no wgmma": dataclasses.replace(base, ws_diag=2)}
    print(f"{torch.cuda.get_device_name()} torch {torch.__version__} triton {triton.__version__} "
          f"config {name}")
    S, N = 1024, 16384
    q, k, sc, w, ks, ke, _ = _mqa_inputs("cuda", S, N, "full")
    flop = 2.0 * q.shape[1] * q.shape[2] * S * N
    out = torch.empty(S, N, device="cuda")
    times = alternated_graph_us(
        {v: lambda cfg=cfg: ix.fp8_mqa_logits(q, k, sc, w, ks, ke, out, True, config=cfg)
         for v, cfg in variants.items()}, reps)
    for v, ts in times.items():
        med = median_run(ts)
        print(f"{v:>12}: {med:8.1f} us {flop / med / 1e6:7.1f} TFLOP/s  "
              f"({', '.join(f'{x:.1f}' for x in ts)})", flush=True)


if __name__ == "__main__":
    main()
