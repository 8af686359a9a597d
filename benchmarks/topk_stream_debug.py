"""Debug (GPU): v42's streamed emit at several warps a row against torch.topk, with the warp
ballots (CUDA) and with Triton's scans (the interpreter's path, forced), row by row.

v42 was removed (session 29): this script (and gpu_s29_14.sh to gpu_s29_17.sh) runs only on a
checkout of commit d662655 or the v42 commits after it."""

import dataclasses

import torch

from opdispatch.backends.triton import topk as tk


def check(tag, cfg, x, k):
    rows = x.shape[0]
    out = torch.full((rows, k), -7, dtype=torch.int32, device="cuda")
    st = torch.zeros(rows, dtype=torch.int32, device="cuda")
    en = torch.full((rows,), x.shape[1], dtype=torch.int32, device="cuda")
    tk._PLANS.clear()
    tk.top_k_per_row_prefill(x, st, en, out, k, config=cfg)
    torch.cuda.synchronize()
    want = torch.topk(x, k, dim=1).values.sort(dim=1).values
    got = x.gather(1, out.long().clamp(min=0)).sort(dim=1).values
    bad = ((out < 0).any(1) | (got != want).any(1)).nonzero().flatten().tolist()
    print(f"{tag}: {len(bad)} bad rows of {rows}", bad[:8], flush=True)
    if bad:
        r = bad[0]
        o = out[r].tolist()
        neg = [i for i, v in enumerate(o) if v < 0]
        ref = set(torch.topk(x[r], k).indices.tolist())
        seen, dup = set(), []
        for i, v in enumerate(o):
            if v in seen:
                dup.append(i)
            seen.add(v)
        miss = sorted(ref - seen)
        print(f"  row {r}: slots -1/-7 {len(neg)} first {neg[:8]}; duplicate slots {len(dup)} first "
              f"{dup[:8]}; missing cols {len(miss)} first {miss[:8]}", flush=True)


def main():
    g = torch.Generator(device="cuda").manual_seed(0)
    for rows, cols, k in [(8, 4096, 2048), (512, 4096, 2048), (4096, 4096, 1024)]:
        x = torch.randn(rows, cols, device="cuda", generator=g)
        for name in ("v42", "v42_r0"):
            cfg = dataclasses.replace(tk.CONFIGS[name], reg_fat_rows=1)
            check(f"{rows}x{cols}x{k} {name} ballots", cfg, x, k)
            orig = tk._select_layout

            def no_asm(*a, **kw):
                d = orig(*a, **kw)
                return dict(d, WASM=False)
            tk._select_layout = no_asm
            try:
                check(f"{rows}x{cols}x{k} {name} scans", cfg, x, k)
            finally:
                tk._select_layout = orig
        for ch in (128, 512, 1024):
            cfg = dataclasses.replace(tk.CONFIGS["v42"], reg_fat_rows=1, reg_stream=ch)
            check(f"{rows}x{cols}x{k} v42 tiles {ch}", cfg, x, k)


if __name__ == "__main__":
    main()
