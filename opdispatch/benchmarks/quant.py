"""Benchmark cases of the quant family (DeepSeek-V3/V4 sizes; GUIDE.md section 5 and issue 3).

Floors count the minimum traffic: x read once, the fp8 codes and the float32 (or packed int32)
scales written once. Dynamic per-tensor quantization reads x twice (amax, then codes: a global
max must be known before the first code), but its floor still counts one read, so its roofline
figure shows what the second pass costs. ``torch_fn`` is the plain PyTorch version of the same
math (timed eager and under ``torch.compile`` by the harness). Peers time the Triton launcher
with other tile configs (the tuning knobs of docs/ops/quant.md) on the large cases.
"""

from __future__ import annotations

import torch

from opdispatch.dispatch.bench import BenchCase, BenchSetup, register_bench

HIDDEN = 7168
DECODE_TOKENS = (1, 16, 128)
# (block_g, num_warps, exact_div) tried on the large group-quant cases
GROUP_CONFIGS = [(16, 4, False), (32, 4, False), (32, 8, False), (64, 8, False), (128, 8, False),
                 (64, 16, False), (64, 8, True)]
# (block_m, block_k, num_warps) tried on the large scaled-quant cases
SCALED_CONFIGS = [(4, 1024, 8), (8, 1024, 8), (2, 2048, 8), (16, 512, 8)]


def torch_group_quant(x, group_size, fp8_dtype, fp8_max, use_ue8m0=False):
    """Plain PyTorch per-token-group quant: the formula of torch_ref, written for Inductor."""
    g = x.float().unflatten(-1, (x.shape[-1] // group_size, group_size))
    s = g.abs().amax(-1, keepdim=True).clamp_min(1e-10) / fp8_max
    if use_ue8m0:
        s = torch.exp2(torch.ceil(torch.log2(s)))
    q = (g / s).clamp(-fp8_max, fp8_max).to(fp8_dtype)
    return q.flatten(-2), s.squeeze(-1)


def torch_silu_mul_group_quant(x, group_size, fp8_dtype, fp8_max):
    n = x.shape[-1] // 2
    y = torch.nn.functional.silu(x[..., :n].float()).to(x.dtype) * x[..., n:]
    return torch_group_quant(y, group_size, fp8_dtype, fp8_max)


def torch_scaled_quant(x, fp8_dtype, fp8_max, per_token):
    xf = x.float()
    amax = xf.abs().amax(-1, keepdim=True) if per_token else xf.abs().amax()
    s = (amax / fp8_max).clamp_min(1.0 / (fp8_max * 512))
    return (xf / s).clamp(-fp8_max, fp8_max).to(fp8_dtype), s


def _acts(device, rows, cols):
    gen = torch.Generator().manual_seed(0)
    return (torch.randn(rows, cols, generator=gen) * 3).to(torch.bfloat16).to(device)


def _group_setup(rows: int, cols: int, *, layout: str = "row", ue8m0: bool = False,
                 silu: bool = False, packed: bool = False, tune: bool = False):
    def setup(device: torch.device) -> BenchSetup:
        import opdispatch
        from opdispatch.backends.torch_ref import quant as ref
        from opdispatch.backends.triton import quant as tq
        from opdispatch.dispatch import current_platform

        platform = current_platform()
        x = _acts(device, rows, 2 * cols if silu else cols)
        groups = cols // 128
        q = torch.empty(rows, cols, dtype=platform.fp8_dtype, device=device)
        kw = {"tma_aligned_scales": layout == "tma", "column_major_scales": layout == "col",
              "use_ue8m0": ue8m0}
        if packed:
            shape, stride = ref.packed_scales_layout(rows, groups)
            s = torch.empty_strided(shape, stride, dtype=torch.int32, device=device)
            ours = lambda: opdispatch.per_token_group_quant_fp8_packed(x, 128)  # noqa: E731
            launch = lambda cfg: tq.per_token_group_quant_fp8_packed(  # noqa: E731
                x, q, s, 128, 1e-10, platform.fp8_max, config=cfg)
            scale_bytes = rows * ((groups + 3) // 4) * 4
        else:
            name = {"row": ref.ROW_MAJOR, "col": ref.COLUMN_MAJOR, "tma": ref.TMA_ALIGNED}[layout]
            shape, stride = ref.group_scales_layout((rows, cols), 128, name)
            s = torch.empty_strided(shape, stride, dtype=torch.float32, device=device)
            fn = tq.silu_mul_per_token_group_quant_fp8 if silu else tq.per_token_group_quant_fp8
            public = (opdispatch.silu_mul_per_token_group_quant_fp8 if silu
                      else opdispatch.per_token_group_quant_fp8)
            ours = lambda: public(x, 128, **kw)  # noqa: E731
            launch = lambda cfg: fn(x, q, s, 128, 1e-10, platform.fp8_max, ue8m0, config=cfg)  # noqa: E731
            scale_bytes = rows * groups * 4
        peers = {}
        if tune:
            configs = [tq.GroupQuantConfig(g, w, e) for g, w, e in GROUP_CONFIGS]
            peers = {f"triton g={c.block_g} w={c.num_warps}{' exact' if c.exact_div else ''}":
                     (lambda cfg=c: launch(cfg)) for c in configs}
        if silu:
            torch_fn, torch_args = torch_silu_mul_group_quant, (x, 128, platform.fp8_dtype, platform.fp8_max)
        elif packed:
            torch_fn, torch_args = None, ()
        else:
            torch_fn = torch_group_quant
            torch_args = (x, 128, platform.fp8_dtype, platform.fp8_max, ue8m0)
        return BenchSetup(
            ours=ours, torch_fn=torch_fn, torch_args=torch_args,
            bytes=x.numel() * x.element_size() + q.numel() + scale_bytes, flops=0, peers=peers,
            note=f"{rows}x{'2x' if silu else ''}{cols} bf16 g128 {layout}"
                 + (" ue8m0" if ue8m0 else "") + (" packed int32" if packed else ""),
        )

    return setup


def _scaled_setup(rows: int, cols: int, mode: str, *, tune: bool = False):
    def setup(device: torch.device) -> BenchSetup:
        import opdispatch
        from opdispatch.backends.triton import quant as tq
        from opdispatch.dispatch import current_platform

        platform = current_platform()
        x = _acts(device, rows, cols)
        q = torch.empty(rows, cols, dtype=platform.fp8_dtype, device=device)
        static = torch.tensor([0.02], device=device)
        s = static.clone() if mode == "static" else torch.empty(
            (rows, 1) if mode == "per_token" else (1,), device=device)
        kw = {"use_per_token_if_dynamic": mode == "per_token"}
        ours = lambda: opdispatch.scaled_fp8_quant(x, static if mode == "static" else None, **kw)  # noqa: E731
        peers = {}
        if tune:
            configs = [tq.ScaledQuantConfig(m, k, w) for m, k, w in SCALED_CONFIGS]
            peers = {f"triton m={c.block_m} k={c.block_k} w={c.num_warps}":
                     (lambda cfg=c: tq.scaled_fp8_quant(x, q, s, None, mode, platform.fp8_max,
                                                        config=cfg)) for c in configs}
        elif mode == "per_tensor":   # decode: one program (two tiles) against two launches
            configs = [tq.ScaledQuantConfig(1, 1024, 4, one_program=True),
                       tq.ScaledQuantConfig(1, 8192, 8, one_program=True),
                       tq.ScaledQuantConfig(4, 2048, 16, one_program=True),
                       tq.ScaledQuantConfig(8, 1024, 8)]
            peers = {f"triton m={c.block_m} k={c.block_k} w={c.num_warps}"
                     + (" one" if c.one_program else ""):
                     (lambda cfg=c: tq.scaled_fp8_quant(x, q, s, None, mode, platform.fp8_max,
                                                        config=cfg)) for c in configs}
        torch_fn, torch_args = None, ()
        if mode != "static":
            torch_fn = torch_scaled_quant
            torch_args = (x, platform.fp8_dtype, platform.fp8_max, mode == "per_token")
        scale_bytes = rows * 4 if mode == "per_token" else 4
        return BenchSetup(ours=ours, torch_fn=torch_fn, torch_args=torch_args,
                          bytes=x.numel() * 2 + q.numel() + scale_bytes, flops=0, peers=peers,
                          note=f"{rows}x{cols} bf16 {mode}")

    return setup


register_bench(BenchCase("per_token_group_quant_fp8", "16384x7168 g128",
                         _group_setup(16384, HIDDEN, tune=True)))
register_bench(BenchCase("per_token_group_quant_fp8", "16384x7168 g128 tma ue8m0",
                         _group_setup(16384, HIDDEN, layout="tma", ue8m0=True, tune=True)))
register_bench(BenchCase("per_token_group_quant_fp8", "16384x7168 g128 column-major",
                         _group_setup(16384, HIDDEN, layout="col")))
for _m in DECODE_TOKENS:
    register_bench(BenchCase("per_token_group_quant_fp8", f"{_m}x7168 g128",
                             _group_setup(_m, HIDDEN)))
    register_bench(BenchCase("per_token_group_quant_fp8", f"{_m}x7168 g128 tma ue8m0",
                             _group_setup(_m, HIDDEN, layout="tma", ue8m0=True)))

register_bench(BenchCase("per_token_group_quant_fp8_packed", "16384x7168 g128",
                         _group_setup(16384, HIDDEN, packed=True, tune=True)))
register_bench(BenchCase("per_token_group_quant_fp8_packed", "128x7168 g128",
                         _group_setup(128, HIDDEN, packed=True)))

register_bench(BenchCase("silu_mul_per_token_group_quant_fp8", "16384x(2x4096) g128",
                         _group_setup(16384, 4096, silu=True, tune=True)))
for _m in DECODE_TOKENS:
    register_bench(BenchCase("silu_mul_per_token_group_quant_fp8", f"{_m}x(2x4096) g128",
                             _group_setup(_m, 4096, silu=True)))

for _mode in ("per_token", "per_tensor", "static"):
    register_bench(BenchCase("scaled_fp8_quant", f"16384x7168 {_mode}",
                             _scaled_setup(16384, HIDDEN, _mode, tune=True)))
    for _m in DECODE_TOKENS:
        register_bench(BenchCase("scaled_fp8_quant", f"{_m}x7168 {_mode}",
                                 _scaled_setup(_m, HIDDEN, _mode)))
