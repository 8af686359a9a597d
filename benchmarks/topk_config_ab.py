"""A/B (GPU): two or more top-k configs alternated on the same inputs, CUDA-graph us per call.

    python benchmarks/topk_config_ab.py REPS CONFIG_A CONFIG_B [...] -- ROWSxCOLSxK[d] ...

Random normal logits (seed 0); a trailing ``d`` runs the case through the decode op (rows
start at column 0), otherwise the prefill op. Every config's selected values are checked
against torch.topk first (a mismatch prints FAIL and that config is not timed on the case).
Medians of the alternated runs, every run in brackets.
"""

import sys

import torch
import triton

from opdispatch.backends.triton import topk as tk
from opdispatch.dispatch.bench import alternated_graph_us, median_run


def make_case(spec: str, gen: torch.Generator):
    """``ROWSxCOLSxK[d]`` -> (logits, out, k, call): random normal logits of full rows and
    ``call(config)``, one top-k call through the decode op (trailing ``d``: rows start at
    column 0) or the prefill op with that config."""
    decode = spec.endswith("d")
    rows, cols, k = (int(v) for v in spec.rstrip("d").split("x"))
    x = torch.randn(rows, cols, device="cuda", generator=gen)
    starts = torch.zeros(rows, dtype=torch.int32, device="cuda")
    ends = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
    out = torch.empty(rows, k, dtype=torch.int32, device="cuda")

    def call(cfg):
        if decode:
            tk.top_k_per_row_decode(x, ends, out, 1, k, config=cfg)
        else:
            tk.top_k_per_row_prefill(x, starts, ends, out, k, config=cfg)
    return x, out, k, call


def main() -> None:
    args = sys.argv[1:]
    cut = args.index("--")
    reps, names, shapes = int(args[0]), args[1:cut], args[cut + 1:]
    print(f"{torch.cuda.get_device_name()} torch {torch.__version__} triton {triton.__version__}")
    g = torch.Generator(device="cuda").manual_seed(0)
    for spec in shapes:
        x, out, k, call = make_case(spec, g)
        want = torch.topk(x, k, dim=1).values.sort(dim=1).values
        good = []
        for name in names:
            out.fill_(-1)
            call(name)
            got = x.gather(1, out.long().clamp(min=0)).sort(dim=1).values
            ok = bool((out >= 0).all()) and torch.equal(got, want)
            print(f"check {spec:>16} {name:>8}: {'ok' if ok else 'FAIL'}", flush=True)
            if ok:
                good.append(name)
        times = alternated_graph_us({n: (lambda n=n: call(n)) for n in good}, reps, calls=20)
        for name, ts in times.items():
            print(f"{spec:>16} {name:>8}: {median_run(ts):8.1f} us  "
                  f"({', '.join(f'{t:.1f}' for t in ts)})", flush=True)


def main_with_trials(trials: dict) -> None:
    """``main`` for the trial scripts: ``trials`` (name -> TopKConfig) are registered in
    ``topk.CONFIGS`` first, and with no config named on the command line the default and
    every trial run (``REPS [CONFIG ...] -- ROWSxCOLSxK ...``)."""
    tk.CONFIGS.update(trials)
    args = sys.argv[1:]
    cut = args.index("--")
    names = args[1:cut] or [tk.DEFAULT_CONFIG, *trials]
    sys.argv = [sys.argv[0], args[0], *names, "--", *args[cut + 1:]]
    main()


if __name__ == "__main__":
    main()
