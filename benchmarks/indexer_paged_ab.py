"""fp8_paged_mqa_logits configs alternated on the issue's decode case (GPU).

    python benchmarks/indexer_paged_ab.py [REPS] CONFIG...   # first config: the reference

B=64, next_n=1, H=64, D=128, context 65536, block size 64 (the issue's case), then B=32,
next_n=2 and B=16, next_n=4 (same tokens), then small batches: B=1 and B=4 (next_n=2) at 65536,
B=64 at a 4096 context. Each config is timed REPS times in turn (CUDA graph
replay, us; median and every run), with its share of the cache-read floor (the cache's bytes
read once plus the logits written once, at the 3.003 TB/s copy bandwidth measured in
docs/benchmarks.md), and checked bit for bit against the first config.
"""

import sys

import torch
import triton

from opdispatch.backends.triton import indexer as ix
from opdispatch.benchmarks.indexer import _paged_inputs
from opdispatch.dispatch.bench import alternated_graph_us, median_run

COPY_TBS = 3.003


def main() -> None:
    args = sys.argv[1:]
    reps = int(args.pop(0)) if args and args[0].isdigit() else 5
    names = args or [ix.PAGED_LOGITS_DEFAULT]
    print(f"{torch.cuda.get_device_name()} torch {torch.__version__} triton {triton.__version__}")
    for B, next_n, ctx in ((64, 1, 65536), (32, 2, 65536), (16, 4, 65536), (1, 1, 65536),
                           (4, 2, 65536), (64, 1, 4096)):
        q, cache, _, _, w, lens, tables = _paged_inputs("cuda", B, next_n, ctx)
        floor_us = (cache.numel() + B * next_n * ctx * 4) / (COPY_TBS * 1e6)
        outs = {}
        for name in names:
            cfg = ix.PAGED_LOGITS_CONFIGS[name]
            outs[name] = torch.full((B * next_n, ctx), float("nan"), device="cuda")
            ix.fp8_paged_mqa_logits(q, cache, w, lens, tables, outs[name], True, config=cfg)
        torch.cuda.synchronize()
        times = alternated_graph_us(
            {n: lambda cfg=ix.PAGED_LOGITS_CONFIGS[n], out=outs[n]: ix.fp8_paged_mqa_logits(
                q, cache, w, lens, tables, out, True, config=cfg) for n in names}, reps)
        for name in names:
            med = median_run(times[name])
            same = torch.equal(outs[name], outs[names[0]])
            print(f"B={B} next_n={next_n} ctx={ctx} {name:>18}: {med:7.1f} us  {100 * floor_us / med:5.1f}% "
                  f"of floor {floor_us:.1f}  equal={same}  ({', '.join(f'{x:.1f}' for x in times[name])})",
                  flush=True)


if __name__ == "__main__":
    main()
