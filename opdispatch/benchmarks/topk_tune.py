"""Time every Triton top-k config of ``opdispatch.backends.triton.topk.CONFIGS`` on the
issue's cases, in one GPU run:

    python -m opdispatch.benchmarks.topk_tune            # the performance table
    python -m opdispatch.benchmarks.topk_tune --sweep    # plus the rows x cols x k sweep
    python -m opdispatch.benchmarks.topk_tune --sweep --configs default --out DIR
                                                         # sweep.csv + sweep.png (vs torch.topk)

Two timings per (case, config), median us: ``graph`` replays a CUDA graph of 20 calls (GPU time
only, as the indexer runs it), ``eager`` is triton.testing.do_bench (includes launch overhead
when the GPU work is shorter than it). Every result is checked against torch.topk's values
first; a config that selects wrong values prints FAIL instead of a time.
Not loaded by ``opdispatch bench`` (which imports ``opdispatch.benchmarks.topk`` only).
"""

from __future__ import annotations

import argparse
import csv
import os

import torch

from opdispatch.dispatch.bench import graph_replay_us as _graph_us

# The table, each through the op it names (decode rows start at column 0, so Triton
# knows their alignment and compiles the decode kernels differently from prefill ones: before
# session 8 every case here ran the prefill op). The sweep runs the prefill op.
CASES = [(64, 131072, 2048, "decode"), (64, 131072, 512, "decode"), (4096, 32768, 2048, "prefill"),
         (1, 131072, 2048, "decode"), (8, 131072, 2048, "decode"), (512, 131072, 2048, "decode"),
         (4096, 4096, 2048, "prefill")]
SWEEP = [(r, c, k, "prefill") for r in (1, 8, 64, 512, 4096) for c in (4096, 32768, 131072, 262144)
         for k in (512, 1024, 2048)]


def _extra():
    from dataclasses import replace

    from opdispatch.backends.triton.topk import CONFIGS, TopKConfig
    pipe = CONFIGS["default"]   # the v2 pipeline
    v5 = CONFIGS["v5"]
    return {
        # Session 6 trials on v5: the register selects deciding 2 bits per step, more
        # warps per row in register mode (16 or 8 keys per thread) and in the finish.
        "v5_sel2": replace(v5, select_bits=2),
        "v5_r16": replace(v5, reg_per_thread=16),
        "v5_r8": replace(v5, reg_per_thread=8),
        "v5_f8": replace(v5, finish_num_warps=8),
        "v5_f16": replace(v5, finish_num_warps=16),
        "v5_sel2_r16_f8": replace(v5, select_bits=2, reg_per_thread=16, finish_num_warps=8),
        # v6 (wider finish) with the in-thread rank scan in the v3 compaction, and its tile.
        "v6_s2d": replace(CONFIGS["v6"], scan2d=True),
        "v6_s2d2k": replace(CONFIGS["v6"], scan2d=True, sample_block=2048),
        "v6_2k": replace(CONFIGS["v6"], sample_block=2048),
        "v6_sel2": replace(CONFIGS["v6"], select_bits=2),
        "v6_s2d4k": replace(CONFIGS["v6"], scan2d=True, sample_block=4096),
        "v6_s2d2k8": replace(CONFIGS["v6"], scan2d=True, sample_block=2048, sample_num_warps=8),
        # v7's compaction tile: 4096 columns at 8 or 16 warps, 1024 at 4.
        "v7_4k8": replace(CONFIGS["v7"], sample_block=4096),
        "v7_4k16": replace(CONFIGS["v7"], sample_block=4096, sample_num_warps=16),
        "v7_1k4": replace(CONFIGS["v7"], sample_block=1024, sample_num_warps=4),
        # Session 7: register mode with a register cap (more programs per SM), and with the
        # two-level select (select_small: pairwise counts inside the k-th key's bucket after
        # select_hi search steps; bucket slots from an atomic counter).
        "v7_n96": replace(CONFIGS["v7"], reg_maxnreg=96),
        "v7_n80": replace(CONFIGS["v7"], reg_maxnreg=80),
        "v7_n72": replace(CONFIGS["v7"], reg_maxnreg=72),
        "v7_sel2_n80": replace(CONFIGS["v7"], select_bits=2, reg_maxnreg=80),
        "v7_2l12_n80": replace(CONFIGS["v7"], select_small=64, select_hi=12, reg_maxnreg=80),
        "v7_2l14_n80": replace(CONFIGS["v7"], select_small=64, select_hi=14, reg_maxnreg=80),
        "v7_2l16_n80": replace(CONFIGS["v7"], select_small=64, select_hi=16, reg_maxnreg=80),
        "v7_2l12_n96": replace(CONFIGS["v7"], select_small=64, select_hi=12, reg_maxnreg=96),
        "v7_2l12_n72": replace(CONFIGS["v7"], select_small=64, select_hi=12, reg_maxnreg=72),
        "v7_2l12s32_n80": replace(CONFIGS["v7"], select_small=32, select_hi=12, reg_maxnreg=80),
        # ... and v8 with the v3 finish at 4 warps, 32 keys per thread (fewer registers per
        # program: more programs per SM when rows are many). (Session 7 also timed the
        # compaction loading its next tile first, and with tl.range stages: both removed.)
        "v8_f4": replace(CONFIGS["v8"], finish_num_warps=4, finish_per_thread=32),
        # ... and v8 without the v2 fallback launches on the sample path (unsettled rows done
        # by the finish alone), with the sample threshold 2 bits per step, and both.
        "v8_fb": replace(CONFIGS["v8"], row_fallback=True),
        "v8_tb2": replace(CONFIGS["v8"], threshold_bits=2),
        "v8_fb_tb2": replace(CONFIGS["v8"], row_fallback=True, threshold_bits=2),
        # ... and v9 with the two-level select in the v3 finish (18 / 20 bits first).
        "v9_f2l18": replace(CONFIGS["v9"], finish_small=64, finish_hi=18),
        "v9_f2l20": replace(CONFIGS["v9"], finish_small=64, finish_hi=20),
        "v9_f2l16": replace(CONFIGS["v9"], finish_small=64, finish_hi=16),
        # Session 8: the sample threshold from runs of 4 / 8 adjacent columns (fewer DRAM
        # sectors: ncu showed the single-column sample reading half of each row's sectors at
        # 4096x32768; v10_g4 became v11). (Keeping the sample's loads in L2 with evict_last
        # was timed too: within 1% of runs alone, removed.)
        "v10_g4": replace(CONFIGS["v10"], sample_group=4),
        "v10_g8": replace(CONFIGS["v10"], sample_group=8),
        # ... and v12 (rows of one slice in one launch, topk_sample_rows_kernel) with other
        # register caps (v12 has 64), 16 warps, 4096- / 1024-column tiles.
        "v12_n0": replace(CONFIGS["v12"], fused_maxnreg=0),
        "v12_n80": replace(CONFIGS["v12"], fused_maxnreg=80),
        "v12_n56": replace(CONFIGS["v12"], fused_maxnreg=56),
        "v12_n48": replace(CONFIGS["v12"], fused_maxnreg=48),
        "v12_b1k": replace(CONFIGS["v12"], sample_block=1024),
        "v12_w16": replace(CONFIGS["v12"], fused_maxnreg=0, sample_num_warps=16),
        "v12_b4k": replace(CONFIGS["v12"], fused_maxnreg=0, sample_block=4096),
        # (v13 with single columns is v14. Session 8 also timed runs of 4 with the margin of
        # a sample of SAMPLE / 4 independent values, 2048 and 4096 samples: as fragile on
        # smoothed rows as v13; the knob was removed.)
        # ... and v14 with the sample path (threshold once per row) for 1-8 long rows too:
        # up to 64 slices, or fewer slices (split_waves 1: 16 for 8 rows).
        "v14_rm": replace(CONFIGS["v14"], sample_row_max_split=64),
        "v14_rm_w1": replace(CONFIGS["v14"], sample_row_max_split=64, split_waves=1.0),
        "v14_rm_w05": replace(CONFIGS["v14"], sample_row_max_split=64, split_waves=0.5),
        # Session 9: v17 (adaptive two-level selects) with two levels for every row count in
        # register mode, with the 2-D select tiles (v16's), with 32- / 128-key buckets.
        "v17_r0": replace(CONFIGS["v17"], select_min_rows=0),
        "v17_2d": replace(CONFIGS["v17"], select_2d=True),
        "v17_s32": replace(CONFIGS["v17"], select_small=32, finish_small=32),
        "v17_s128": replace(CONFIGS["v17"], select_small=128, finish_small=128),
        # ... and v18 (register mode adaptive) with a smaller sample (1024 / 512 columns: fewer
        # of the row's sectors read before the compaction; 4096-lane segments kept), the
        # sample kept in L2 for the compaction (evict_last / evict_first), both, and the
        # one-launch kernel at 80 registers (3 programs per SM: fewer rows in flight in L2).
        "v18_smp1k": replace(CONFIGS["v18"], sample=1024, sample_cap=4096),
        "v18_smp512": replace(CONFIGS["v18"], sample=512, sample_cap=4096),
        "v18_l2": replace(CONFIGS["v18"], sample_l2=2),
        "v18_smp1k_l2": replace(CONFIGS["v18"], sample=1024, sample_cap=4096, sample_l2=2),
        "v18_n80": replace(CONFIGS["v18"], fused_maxnreg=80),
        "v18_n80_l2": replace(CONFIGS["v18"], fused_maxnreg=80, sample_l2=2),
        # Session 10: the adaptive select in the v3 finish (the finish-phase diagnostic cut the
        # k = 512 search from 14.3k to 10.5k cycles), 32- or 64-key buckets.
        "v19_fa32": replace(CONFIGS["v19"], finish_hi=0, finish_small=32),
        "v19_fa64": replace(CONFIGS["v19"], finish_hi=0, finish_small=64),
        # Session 17: register mode (rows <= 4096 columns) spills at 80 registers (ncu at
        # 4096x4096: 1.74 M local-memory requests, 37% of stalls on L1TEX): 16 or 8 keys a
        # thread (8 / 16 warps a row) under caps of 80 / 64 / none, and 32 keys under 96 / 128.
        "v22_r16": replace(CONFIGS["v22"], reg_per_thread=16),
        "v22_r16_n64": replace(CONFIGS["v22"], reg_per_thread=16, reg_maxnreg=64),
        "v22_r16_n0": replace(CONFIGS["v22"], reg_per_thread=16, reg_maxnreg=0),
        "v22_r8_n64": replace(CONFIGS["v22"], reg_per_thread=8, reg_maxnreg=64),
        "v22_n96": replace(CONFIGS["v22"], reg_maxnreg=96),
        "v22_n128": replace(CONFIGS["v22"], reg_maxnreg=128),
        # Trial configs (not in CONFIGS).
        "r4f8": replace(pipe, radix_bits=4, cand_block=2048, finish_num_warps=8),
        # v3 variants.
        "smp_skip": replace(pipe, radix_bits=4, sample=2048, skip_empty=True),
        "smp1k_b4k": replace(pipe, radix_bits=4, sample=1024, sample_block=4096,
                             sample_num_warps=8),
        "smp_r8": replace(pipe, sample=2048),
        "r4h8": TopKConfig(always_split=True, block=4096, num_warps=8, compact_block=2048,
                           compact_num_warps=4, split_waves=2.0, min_chunk=4096, radix_bits=4),
    }


def _values_match(x, out, k) -> bool:
    want = torch.topk(x, k, dim=1).values.sort(dim=1).values
    got = x.gather(1, out.long().clamp(min=0)).sort(dim=1).values
    return bool((out >= 0).all()) and torch.equal(got, want)


def main() -> None:
    import triton.testing

    global EXTRA
    EXTRA = _extra()

    from opdispatch.backends.triton import topk as tk

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="also the rows x cols x k sweep")
    parser.add_argument("--configs", default=",".join(tk.CONFIGS), help="comma-separated names")
    parser.add_argument("--extra", action="store_true", help="also the EXTRA trial configs")
    parser.add_argument("--only-extra", default="", help="with --extra: these EXTRA names only")
    parser.add_argument("--cases", default="", help="indices into CASES, comma-separated")
    parser.add_argument("--out", default="", help="folder for sweep.csv and sweep.png")
    parser.add_argument("--max-cols", type=int, default=0, help="sweep: only cases up to this many columns")
    parser.add_argument("--shapes", default="", help="extra prefill cases, ROWSxCOLSxK,...")
    parser.add_argument("--data", default="randn", choices=("randn", "smooth", "relu"),
                        help="smooth: neighbouring columns correlated; relu: a weighted sum "
                             "of 16 ReLUs of normals (skewed, as the indexer's logits are)")
    args = parser.parse_args()
    names = args.configs.split(",")
    configs = dict(tk.CONFIGS)
    if args.extra:
        configs.update(EXTRA)
        names += [n for n in EXTRA if n not in names and (not args.only_extra
                                                            or n in args.only_extra.split(","))]
    cases = CASES if not args.cases else [CASES[int(i)] for i in args.cases.split(",")]
    for spec in filter(None, args.shapes.split(",")):   # ROWSxCOLSxK, prefill op
        r_, c_, k_ = (int(v) for v in spec.split("x"))
        cases = cases + [(r_, c_, k_, "prefill")]
    print(f"{torch.cuda.get_device_name()}  torch {torch.__version__}  triton {triton.__version__}")
    print(f"{'case':>22} {'torch.topk graph/eager':>22} " + " ".join(f"{n + ' graph/eager':>22}" for n in names))
    records = []
    sweep = [c for c in SWEEP if not args.max_cols or c[1] <= args.max_cols] if args.sweep else []
    for rows, cols, k, op in cases + sweep:
        gen = torch.Generator(device="cuda").manual_seed(rows + cols)
        x = torch.randn(rows, cols, device="cuda", generator=gen)
        if args.data == "smooth":
            # Neighbouring columns correlated (a moving average over 16 columns plus a little
            # noise): how sample estimates from runs of adjacent columns fare on such rows.
            x = torch.nn.functional.avg_pool1d(x[:, None, :], 16, 1, 8)[:, 0, :cols] * 4.0
            x = x + 0.05 * torch.randn(rows, cols, device="cuda", generator=gen)
        elif args.data == "relu":
            # The indexer's logits are sum_h w_h relu(q_h . k): skewed to the right, with a
            # heavier upper tail than a normal's (where the v3 candidates lie).
            w = torch.rand(16, device="cuda", generator=gen) + 0.5
            x = sum(w[h] * torch.relu(torch.randn(rows, cols, device="cuda", generator=gen))
                    for h in range(16))
        starts = torch.zeros(rows, dtype=torch.int32, device="cuda")
        ends = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
        out = torch.empty((rows, k), dtype=torch.int32, device="cuda")
        def ref(x=x, k=k):
            return torch.topk(x, k, dim=1, sorted=False)
        base = triton.testing.do_bench(ref, return_mode="median") * 1e3
        base_graph = _graph_us(ref)
        record = {"rows": rows, "cols": cols, "k": k, "op": op, "torch_topk_graph_us": round(base_graph, 2),
                  "torch_topk_eager_us": round(base, 2)}
        cells = []
        for name in names:
            def call(name=name, x=x, starts=starts, ends=ends, out=out, k=k, op=op):
                if op == "decode":     # ends: the decode lengths (next_n = 1)
                    tk.top_k_per_row_decode(x, ends, out, 1, k, config=configs[name])
                else:
                    tk.top_k_per_row_prefill(x, starts, ends, out, k, config=configs[name])
            try:
                call()
                if not _values_match(x, out, k):
                    cells.append(f"{'FAIL':>22}")
                    continue
                eager = triton.testing.do_bench(call, return_mode="median") * 1e3
                graph = _graph_us(call)
                plan = tk.plan(rows, cols, k, x.device, configs[name])
                tag = "s" if plan["mode"] == "split" else "r"
                cells.append(f"{graph:9.1f}/{eager:7.1f} {tag}{plan['split']:<3}")
                record[f"{name}_graph_us"] = round(graph, 2)
                record[f"{name}_eager_us"] = round(eager, 2)
            except Exception as exc:  # a config that does not compile: say so, go on
                cells.append(f"{'ERR ' + type(exc).__name__:>22}")
        print(f"{f'{op[0]} {rows}x{cols} k={k}':>22} {base_graph:12.1f}/{base:9.1f} " + " ".join(cells), flush=True)
        records.append(record)
        del x, out
    if args.out:
        _write(args.out, names, records)


def _write(folder: str, names: list[str], records: list[dict]) -> None:
    """sweep.csv (every timing) and sweep.png (graph-time speedup of each config over torch.topk,
    one bar group per case): what docs/benchmarks.md quotes."""
    os.makedirs(folder, exist_ok=True)
    head = ["rows", "cols", "k", "torch_topk_graph_us", "torch_topk_eager_us"]
    fields = head + sorted({f for r in records for f in r} - set(head))
    with open(os.path.join(folder, "sweep.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(records)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no sweep.png")
        return
    fig, ax = plt.subplots(figsize=(12, 0.3 * len(records) + 1.5))
    labels = [f"{r['rows']}x{r['cols']} k={r['k']}" for r in records]
    height = 0.8 / max(1, len(names))
    for i, name in enumerate(names):
        speed = [r["torch_topk_graph_us"] / r[f"{name}_graph_us"] if f"{name}_graph_us" in r else 0.0
                 for r in records]
        ax.barh([y + i * height for y in range(len(records))], speed, height=height, label=name)
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks([y + 0.4 - height / 2 for y in range(len(records))], labels, fontsize=7)
    ax.set_xlabel("speedup over torch.topk (CUDA-graph time; 0 = failed)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(folder, "sweep.png"), dpi=120)


if __name__ == "__main__":
    main()
