"""Run fp8_mqa_logits once per named config (S=1024, H=64, D=128, N=16384, full) after a warm-up:
a target for Nsight Compute (benchmarks/gpu_s16_7.sh profiles the ws kernels' launches).

    python benchmarks/indexer_ws_ncu.py CONFIG [CONFIG...]
"""

import sys

import torch

from opdispatch.backends.triton import indexer as ix
from opdispatch.benchmarks.indexer import _mqa_inputs


def main() -> None:
    S, N = 1024, 16384
    q, k, sc, w, ks, ke, _ = _mqa_inputs("cuda", S, N, "full")
    out = torch.empty(S, N, device="cuda")
    for name in sys.argv[1:]:
        cfg = ix.MQA_LOGITS_CONFIGS[name]
        ix.fp8_mqa_logits(q, k, sc, w, ks, ke, out, True, config=cfg)
        torch.cuda.synchronize()
        print(name, "ran", flush=True)


if __name__ == "__main__":
    main()
