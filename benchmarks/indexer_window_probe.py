"""Probe (GPU): where the offset-causal case of fp8_mqa_logits loses time against the full one.

    python benchmarks/indexer_window_probe.py [REPS] [CONFIG...]

S=1024, H=64, D=128, N=16384, CUDA-graph replay, the cases alternated REPS times per config:
- full: every row sees all N keys;
- offset causal: ke[i] = N - S + i + 1 (the issue's second case: the last S keys a triangle);
- rect N-S: every row sees the first N - S keys (the offset-causal case without its triangle);
- rect N-S+S/2: every row sees N - S / 2 keys (the same work as offset causal, no triangle);
- full, ks = 1: every row sees keys [1, N) (no tile is inside every window: the masked path
  everywhere, with the full case's work).
Each case's time is printed with its key count relative to full, so that a case slower than
its work shows.
"""

import sys

import torch
import triton

from opdispatch.backends.triton import indexer as ix
from opdispatch.benchmarks.indexer import _mqa_inputs
from opdispatch.dispatch.bench import alternated_graph_us, median_run


def main() -> None:
    args = sys.argv[1:]
    reps = int(args.pop(0)) if args and args[0].isdigit() else 5
    names = args or [ix.MQA_LOGITS_DEFAULT]
    S, N = 1024, 16384
    print(f"{torch.cuda.get_device_name()} torch {torch.__version__} triton {triton.__version__}")
    q, k, sc, w, ks0, ke_full, _ = _mqa_inputs("cuda", S, N, "full")
    i = torch.arange(S, device="cuda", dtype=torch.int32)
    cases = {
        "full": (ks0, ke_full),
        "offset causal": (ks0, (N - S + 1 + i).to(torch.int32)),
        "rect N-S": (ks0, torch.full_like(ke_full, N - S)),
        "rect N-S/2": (ks0, torch.full_like(ke_full, N - S // 2)),
        "full ks=1": (torch.ones_like(ks0), ke_full),
    }
    out = torch.empty(S, N, device="cuda")
    for name in names:
        cfg = ix.MQA_LOGITS_CONFIGS[name]
        fns = {label: (lambda ks=ks, ke=ke: ix.fp8_mqa_logits(q, k, sc, w, ks, ke, out, True,
                                                             config=cfg))
               for label, (ks, ke) in cases.items()}
        times = alternated_graph_us(fns, reps, calls=20)
        for label, (ks, ke) in cases.items():
            work = float((ke - ks).clamp(min=0).sum()) / (S * N)
            med = median_run(times[label])
            print(f"{name:>20} {label:>14}: {med:7.1f} us  work {work:.3f}  us/work "
                  f"{med / work:7.1f}  ({', '.join(f'{x:.1f}' for x in times[label])})",
                  flush=True)


if __name__ == "__main__":
    main()
