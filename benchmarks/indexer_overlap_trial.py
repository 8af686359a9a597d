"""Trial (GPU): fp8_mqa_logits with the next row's dot in flight during a row's epilogue.

    python benchmarks/indexer_overlap_trial.py [configs...]      # default: every MQA config
    python benchmarks/indexer_overlap_trial.py --ab A B [REPS]     # A, B alternated REPS times,
                                                                  # also the 16384 triangle
    ncu ... python benchmarks/indexer_overlap_trial.py --ncu CONFIG  # one warm call per config

The production loop issues a row's wgmma and waits for it at once (Triton puts a full wait after
a dot whose result the loop body reads), so a program's tensor-core work and its relu / weights /
heads-sum epilogue alternate. The ``*_ov`` configs (``_mqa_rows_overlap``) carry the next row's
dot across the iteration and fence it with a tiny dot, so it runs during the epilogue. Prints
CUDA-graph replay us and TFLOP/s for S=1024, H=64, D=128, N=16384 (full and offset causal),
and whether each output equals the default config's bit for bit.
Inputs come from the harness's ``_mqa_inputs`` (opdispatch.benchmarks.indexer); session 10's
calls ran an earlier copy of this script whose q and k were randn * 0.5.
"""

import sys

import torch
import triton

from opdispatch.backends.triton import indexer as ix
from opdispatch.benchmarks.indexer import D, H, _mqa_inputs
from opdispatch.dispatch.bench import alternated_graph_us, graph_replay_us, median_run


def main() -> None:
    args = sys.argv[1:]
    S, N = 1024, 16384
    dev = "cuda"
    q, k, sc, w, ks, full, _ = _mqa_inputs(dev, S, N, "full")
    causal = _mqa_inputs(dev, S, N, "offset_causal")[5]
    if args and args[0] == "--ncu":
        out = torch.empty(S, N, device=dev)
        for name in args[1:]:
            cfg = ix.MQA_LOGITS_CONFIGS[name]
            for _ in range(2):
                ix.fp8_mqa_logits(q, k, sc, w, ks, full, out, True, config=cfg)
        torch.cuda.synchronize()
        return
    if args and args[0] == "--ab":
        _ab(args[1], args[2], int(args[3]) if len(args) > 3 else 3, q, k, sc, w, ks, full, causal)
        return
    names = args or list(ix.MQA_LOGITS_CONFIGS)
    print(f"{torch.cuda.get_device_name()} torch {torch.__version__} triton {triton.__version__}"
          f"  S={S} H={H} D={D} N={N}")
    for label, ke in (("full", full), ("offset causal", causal)):
        flop = 2.0 * H * D * float((ke - ks).clamp(min=0).sum())
        ref = torch.empty(S, N, device=dev)
        dflt = ix.MQA_LOGITS_CONFIGS[ix.MQA_LOGITS_DEFAULT]
        ix.fp8_mqa_logits(q, k, sc, w, ks, ke, ref, True, config=dflt)
        for name in names:
            cfg = ix.MQA_LOGITS_CONFIGS[name]
            out = torch.full((S, N), float("nan"), device=dev)
            call = lambda cfg=cfg, out=out: ix.fp8_mqa_logits(q, k, sc, w, ks, ke, out, True, config=cfg)  # noqa: E731
            try:
                call()
                same = torch.equal(out, ref)
                us = graph_replay_us(call)
                print(f"{label:>14} {name:>16}: {us:8.1f} us {flop / us / 1e6:7.1f} TFLOP/s "
                      f"equal={same}", flush=True)
            except Exception as exc:   # report and go on
                print(f"{label:>14} {name:>16}: ERR {type(exc).__name__} {str(exc)[:200]}", flush=True)


def _ab(a, b, reps, q, k, sc, w, ks, full, causal) -> None:
    """Configs a and b alternated ``reps`` times on full, offset causal and the S = N = 16384
    causal triangle: median graph us of each, and b / a."""
    S, N = q.shape[0], k.shape[0]
    T = 16384
    cases = [("full", (q, k, sc, w, ks, full), (S, N)),
             ("offset causal", (q, k, sc, w, ks, causal), (S, N)),
             ("triangle 16384", _mqa_inputs("cuda", T, T, "triangle")[:6], (T, T))]
    print(f"{torch.cuda.get_device_name()} torch {torch.__version__} triton {triton.__version__}")
    for label, (qq, kk, ss, ww, lo, hi), shape in cases:
        out = torch.empty(shape, device="cuda")
        times = alternated_graph_us(
            {n: lambda cfg=ix.MQA_LOGITS_CONFIGS[n]: ix.fp8_mqa_logits(qq, kk, ss, ww, lo, hi, out,
                                                                      True, config=cfg)
             for n in (a, b)}, reps, calls=5 if shape[0] > S else 20)
        ma, mb = (median_run(times[n]) for n in (a, b))
        print(f"{label:>15}: {a} {ma:8.1f} us  {b} {mb:8.1f} us  ratio {mb / ma:.3f}  "
              f"({', '.join(f'{x:.1f}' for x in times[a])} | {', '.join(f'{x:.1f}' for x in times[b])})",
              flush=True)


if __name__ == "__main__":
    main()
