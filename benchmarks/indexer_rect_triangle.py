"""fp8_mqa_logits (GPU): the S = N = 16384 causal triangle against the full rectangle of the same
size, with the default config, alternated REPS times (the issue asks the triangle to be >= 1.8x
faster, by skipping tiles outside [ks, ke)).

    python benchmarks/indexer_rect_triangle.py [REPS] [CONFIG]
"""

import sys

import torch
import triton

from opdispatch.backends.triton import indexer as ix
from opdispatch.benchmarks.indexer import _mqa_inputs
from opdispatch.dispatch.bench import alternated_graph_us, median_run


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    name = sys.argv[2] if len(sys.argv) > 2 else ix.MQA_LOGITS_DEFAULT
    cfg = ix.MQA_LOGITS_CONFIGS[name]
    T = 16384
    print(f"{torch.cuda.get_device_name()} torch {torch.__version__} triton {triton.__version__} {name}")
    out = torch.empty(T, T, device="cuda")
    cases = {label: _mqa_inputs("cuda", T, T, label)[:6] for label in ("full", "triangle")}
    times = alternated_graph_us(
        {label: lambda a=args: ix.fp8_mqa_logits(*a, out, True, config=cfg)
         for label, args in cases.items()}, reps, calls=3)
    med = {label: median_run(t) for label, t in times.items()}
    for label, t in times.items():
        print(f"{label:>9} {T}x{T}: {med[label]:9.1f} us  ({', '.join(f'{x:.1f}' for x in t)})")
    print(f"rectangle / triangle: {med['full'] / med['triangle']:.2f}x")


if __name__ == "__main__":
    main()
