"""Trial (GPU): fp8_mqa_logits through the warp-specialized Gluon kernel (``ws_*`` configs).

    python benchmarks/indexer_ws_trial.py [REPS] [CONFIG...]

1. Checks: every ``ws_*`` config (and any given) against the default ``tl.dot`` config, bit for
   bit, on odd shapes (N not a multiple of 128, H 16 (the tl.dot kernel runs) / 32 / 64, D 64 / 128, ragged and empty
   windows, clean_logits False) and on the benchmark shapes.
2. Timing: S=1024, H=64, D=128, N=16384 (full, offset causal) and the S = N = 16384 causal
   triangle, CUDA-graph replay, the default and each config alternated REPS times (median us,
   TFLOP/s, and every run).
"""

import sys

import torch
import triton

from opdispatch.backends.triton import indexer as ix
from opdispatch.benchmarks.indexer import _mqa_inputs
from opdispatch.dispatch.bench import alternated_graph_us, median_run


def _odd_inputs(S, H, D, N, seed, bounds):
    g = torch.Generator(device="cuda").manual_seed(seed)
    q = (torch.randn(S, H, D, device="cuda", generator=g) * 0.5).to(torch.float8_e4m3fn)
    k = (torch.randn(N, D, device="cuda", generator=g) * 0.5).to(torch.float8_e4m3fn)
    sc = torch.rand(N, device="cuda", generator=g) + 0.5
    w = torch.randn(S, H, device="cuda", generator=g)
    if bounds == "ragged":
        ks = torch.randint(0, N, (S,), device="cuda", generator=g, dtype=torch.int32)
        ke = torch.minimum(ks + torch.randint(-50, N, (S,), device="cuda", generator=g,
                                              dtype=torch.int32), torch.tensor(N, device="cuda"))
        ke = ke.to(torch.int32)
    else:
        ks = torch.zeros(S, device="cuda", dtype=torch.int32)
        ke = torch.full((S,), N, device="cuda", dtype=torch.int32)
    return q, k, sc, w, ks, ke


def _reference(q, k, sc, w, ks, ke):
    s = torch.einsum("shd,nd->shn", q.double(), k.double()).clamp(min=0)
    out = (s * w.double()[:, :, None]).sum(1) * sc.double()[None, :]
    cols = torch.arange(k.shape[0], device="cuda")
    inside = (cols[None, :] >= ks[:, None]) & (cols[None, :] < ke[:, None])
    return torch.where(inside, out, float("-inf")).float()


def _check(name, cfg, dflt) -> bool:
    ok = True
    cases = [(37, 64, 128, 1000, "ragged", True), (300, 32, 64, 4100, "ragged", True),
             (129, 16, 128, 129, "full", True), (130, 32, 128, 129, "full", True), (64, 64, 128, 640, "ragged", False),
             (1, 64, 128, 5, "full", True)]
    for i, (S, H, D, N, bounds, clean) in enumerate(cases):
        q, k, sc, w, ks, ke = _odd_inputs(S, H, D, N, 100 + i, bounds)
        used = ix.mqa_logits_config(q, cfg, k=k, weights=w)
        a = torch.full((S, N), float("nan"), device="cuda")
        b = torch.full((S, N), float("nan"), device="cuda")
        ix.fp8_mqa_logits(q, k, sc, w, ks, ke, a, clean, config=dflt)
        ix.fp8_mqa_logits(q, k, sc, w, ks, ke, b, clean, config=cfg)
        if not clean:   # rows' outside-window values are unspecified: compare inside only
            cols = torch.arange(N, device="cuda")
            inside = (cols[None, :] >= ks[:, None]) & (cols[None, :] < ke[:, None])
            a, b = torch.where(inside, a, 0.0), torch.where(inside, b, 0.0)
        same = torch.equal(a, b)
        diff = (a - b).abs().nan_to_num(0.0).max().item() if not same else 0.0
        if N < 128:   # the tl.dot kernel then runs a narrower tile (another summation order)
            ref = _reference(q, k, sc, w, ks, ke)
            ea = (a - ref).abs().nan_to_num(0.0).max().item()
            eb = (b - ref).abs().nan_to_num(0.0).max().item()
            print(f"      N < 128: max |err| against the float64 reference: default {ea:.3g}, "
                  f"{name} {eb:.3g} (max |ref| {ref.abs().max().item():.3g})")
            # fp8 wgmma keeps ~14 mantissa bits (tests/indexer/test_cuda.py GPU_RTOL)
            same = same or eb <= 2.0 ** -8 * ref.abs().max().item()
        ok &= same
        print(f"check {name:>12} S={S} H={H} D={D} N={N} {bounds:>6} clean={clean} ws={used.ws}: "
              f"equal={same} maxdiff={diff:.3g}", flush=True)
    S, N = 1024, 16384
    for label in ("full", "offset_causal", "full", "full"):   # repeated: races show as flakes
        q, k, sc, w, ks, ke, _ = _mqa_inputs("cuda", S, N, label)
        a = torch.full((S, N), float("nan"), device="cuda")
        b = torch.full((S, N), float("nan"), device="cuda")
        ix.fp8_mqa_logits(q, k, sc, w, ks, ke, a, True, config=dflt)
        ix.fp8_mqa_logits(q, k, sc, w, ks, ke, b, True, config=cfg)
        same = torch.equal(a, b)
        ok &= same
        print(f"check {name:>12} S={S} N={N} {label}: equal={same}", flush=True)
    return ok


def main() -> None:
    args = sys.argv[1:]
    reps = int(args.pop(0)) if args and args[0].isdigit() else 3
    names = args or [n for n in ix.MQA_LOGITS_CONFIGS if n.startswith("ws_")]
    dname = ix.MQA_LOGITS_DEFAULT
    dflt = ix.MQA_LOGITS_CONFIGS[dname]
    print(f"{torch.cuda.get_device_name()} torch {torch.__version__} triton {triton.__version__}")
    good = []
    for name in names:
        try:
            if _check(name, ix.MQA_LOGITS_CONFIGS[name], dflt):
                good.append(name)
        except Exception as exc:   # report and go on
            print(f"check {name}: ERR {type(exc).__name__} {str(exc)[:300]}", flush=True)
    S, N, T = 1024, 16384, 16384
    cases = [("full", _mqa_inputs("cuda", S, N, "full")[:6], (S, N)),
             ("offset causal", _mqa_inputs("cuda", S, N, "offset_causal")[:6], (S, N)),
             ("triangle 16384", _mqa_inputs("cuda", T, T, "triangle")[:6], (T, T))]
    for label, (q, k, sc, w, ks, ke), shape in cases:
        flop = 2.0 * q.shape[1] * q.shape[2] * float((ke - ks).clamp(min=0).sum())
        out = torch.empty(shape, device="cuda")
        times = alternated_graph_us(
            {n: lambda cfg=ix.MQA_LOGITS_CONFIGS[n]: ix.fp8_mqa_logits(q, k, sc, w, ks, ke, out,
                                                                      True, config=cfg)
             for n in [dname] + good}, reps, calls=5 if shape[0] > S else 20)
        for name, ts in times.items():
            med = median_run(ts)
            print(f"{label:>15} {name:>22}: {med:8.1f} us {flop / med / 1e6:7.1f} TFLOP/s  "
                  f"({', '.join(f'{x:.1f}' for x in ts)})", flush=True)


if __name__ == "__main__":
    main()
