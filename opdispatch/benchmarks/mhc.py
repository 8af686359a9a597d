"""Benchmark cases of the mHC ops (DeepSeek-V4 sizes: n = 4 streams, H = 7168).

Floors count the minimum traffic: every input read once, every output written once (fn, 2.75 MB
at n=4, H=7168, included). mhc_pre / hc_head / mhc_fused_post_pre cannot reach that floor with a
second read of the streams from HBM (the weighted sum needs the full-row GEMM first); the note
gives the floor with that read as well. Cases tagged ``mhc-tune`` time the launcher under each
config of docs/ops/mhc.md: ``opdispatch bench mhc_pre mhc_post hc_head mhc_fused_post_pre --tag mhc-tune``.
"""

from __future__ import annotations

from dataclasses import replace

import torch

from opdispatch.dispatch.bench import BenchCase, BenchSetup, register_bench

N, H = 4, 7168
BIG_T = 8192
DECODE_T = (1, 16, 64)
MID_T = (1024,)


def _pre_inputs(device, t, head=False):
    g = torch.Generator(device=device).manual_seed(0)
    residual = torch.randn(t, N, H, device=device, dtype=torch.bfloat16, generator=g)
    n_mix = N if head else (2 + N) * N
    fn = torch.randn(n_mix, N * H, device=device, generator=g) / (N * H) ** 0.5
    scale = torch.tensor([0.8] if head else [0.8, 1.1, 2.0], device=device)
    base = torch.randn(n_mix, device=device, generator=g) * 0.5
    return residual, fn, scale, base


def _post_inputs(device, t):
    g = torch.Generator(device=device).manual_seed(1)
    x = torch.randn(t, H, device=device, dtype=torch.bfloat16, generator=g)
    residual = torch.randn(t, N, H, device=device, dtype=torch.bfloat16, generator=g)
    post = torch.rand(t, N, 1, device=device, generator=g) * 2
    comb = torch.rand(t, N, N, device=device, generator=g)
    return x, residual, post, comb


def _stream_bytes(t):
    return t * N * H * 2


def _pre_bytes(t, head=False):
    n_mix = N if head else (2 + N) * N
    coef = 0 if head else t * (N + N * N) * 4
    return _stream_bytes(t) + t * H * 2 + n_mix * N * H * 4 + coef


def _pre_note(t, head=False):
    reread = _pre_bytes(t, head) + _stream_bytes(t)
    return f"with the streams read twice: {reread / 3.0e12 * 1e6:.0f} us at 3.0 TB/s"


# ---------------------------------------------------------------- plain PyTorch baselines

def torch_mhc_pre(residual, fn, scale, base):
    from opdispatch.backends.torch_ref import mhc as ref
    return ref.mhc_pre(residual, fn, scale, base)


def torch_mhc_post(x, residual, post, comb):
    from opdispatch.backends.torch_ref import mhc as ref
    return ref.mhc_post(x, residual, post, comb)


def torch_hc_head(x, fn, scale, base):
    from opdispatch.backends.torch_ref import mhc as ref
    return ref.hc_head(x, fn, scale, base)


def torch_fused_post_pre(x, residual, post, comb, fn, scale, base):
    new = torch_mhc_post(x, residual, post, comb)
    return (new, *torch_mhc_pre(new, fn, scale, base))


# ---------------------------------------------------------------- cases through the public ops

def _pre_case(t, with_norm=False):
    def setup(device):
        import opdispatch

        r, fn, s, b = _pre_inputs(device, t)
        nw = torch.rand(H, device=device) + 0.5 if with_norm else None
        outs = (torch.empty(t, H, dtype=r.dtype, device=device), torch.empty(t, N, 1, device=device),
                torch.empty(t, N, N, device=device))
        kw = dict(out_layer_input=outs[0], out_post_mix=outs[1], out_comb_mix=outs[2], norm_weight=nw)
        return BenchSetup(ours=lambda: opdispatch.mhc_pre(r, fn, s, b, **kw),
                          torch_fn=None if with_norm else torch_mhc_pre, torch_args=(r, fn, s, b),
                          bytes=_pre_bytes(t) + (H * 4 if with_norm else 0),
                          flops=2 * t * (2 + N) * N * N * H, note=_pre_note(t))

    return BenchCase(op="mhc_pre", label=f"T={t} n={N} H={H}{' norm' if with_norm else ''}", setup=setup)


def _post_case(t):
    def setup(device):
        import opdispatch

        x, r, p, c = _post_inputs(device, t)
        out = torch.empty_like(r)
        return BenchSetup(ours=lambda: opdispatch.mhc_post(x, r, p, c, out=out), torch_fn=torch_mhc_post,
                          torch_args=(x, r, p, c),
                          bytes=t * H * 2 + 2 * _stream_bytes(t) + t * (N + N * N) * 4)

    return BenchCase(op="mhc_post", label=f"T={t} n={N} H={H}", setup=setup)


def _head_case(t):
    def setup(device):
        import opdispatch

        x, fn, s, b = _pre_inputs(device, t, head=True)
        out = torch.empty(t, H, dtype=x.dtype, device=device)
        return BenchSetup(ours=lambda: opdispatch.hc_head(x, fn, s, b, out=out), torch_fn=torch_hc_head,
                          torch_args=(x, fn, s, b), bytes=_pre_bytes(t, head=True),
                          flops=2 * t * N * N * H, note=_pre_note(t, head=True))

    return BenchCase(op="hc_head", label=f"T={t} n={N} H={H}", setup=setup)


def _fused_case(t):
    def setup(device):
        import opdispatch

        x, r, p, c = _post_inputs(device, t)
        _, fn, s, b = _pre_inputs(device, t)
        new = torch.empty_like(r)
        outs = (torch.empty(t, H, dtype=r.dtype, device=device), torch.empty(t, N, 1, device=device),
                torch.empty(t, N, N, device=device))
        kw = dict(out_residual=new, out_layer_input=outs[0], out_post_mix=outs[1], out_comb_mix=outs[2])
        # x and the streams read once, the new streams written once, the layer input written
        nbytes = t * H * 2 + 2 * _stream_bytes(t) + _pre_bytes(t) - _stream_bytes(t) + t * (N + N * N) * 4
        return BenchSetup(ours=lambda: opdispatch.mhc_fused_post_pre(x, r, p, c, fn, s, b, **kw),
                          torch_fn=torch_fused_post_pre, torch_args=(x, r, p, c, fn, s, b), bytes=nbytes,
                          flops=2 * t * (2 + N) * N * N * H,
                          note=f"new streams re-read once for the weighted sum: +{_stream_bytes(t) / 3.0e12 * 1e6:.0f} us from HBM")

    return BenchCase(op="mhc_fused_post_pre", label=f"T={t} n={N} H={H}", setup=setup)


for _t in (BIG_T, *MID_T, *DECODE_T):
    register_bench(_pre_case(_t))
    register_bench(_post_case(_t))
    register_bench(_head_case(_t))
    register_bench(_fused_case(_t))
register_bench(_pre_case(BIG_T, with_norm=True))


# ---------------------------------------------------------------- tuning sweep (--tag mhc-tune)

def _pre_configs(t):
    from opdispatch.backends.triton import mhc as tmhc

    base = tmhc.default_pre_config(t, N, H)
    return {
        "default": base,
        "bt16-s512": replace(base, block_t=16, block_h=64, split_h=512),
        "bt16-s1024": replace(base, block_t=16, block_h=64, split_h=1024),
        "bt32-s512": replace(base, block_t=32, block_h=64, split_h=512),
        "bt32-s1024": replace(base, block_t=32, block_h=64, split_h=1024),
        "bt32-s512-w8": replace(base, block_t=32, block_h=64, split_h=512, num_warps=8),
        "bt64-s256-w8": replace(base, block_t=64, block_h=32, split_h=256, num_warps=8),
        "bt64-s512-w8": replace(base, block_t=64, block_h=32, split_h=512, num_warps=8),
        "bt32-s512-lag4": replace(base, block_t=32, block_h=64, split_h=512, lag=4),
        "bt32-s512-lag32": replace(base, block_t=32, block_h=64, split_h=512, lag=32),
        "bt32-s512-st3": replace(base, block_t=32, block_h=64, split_h=512, num_stages=3),
        "bt32-s512-o512": replace(base, block_t=32, block_h=64, split_h=512, out_block_h=512),
        "bt16-s128": replace(base, block_t=16, block_h=64, split_h=128),
    }


def _pre_tune_case(t, name, head=False, fused_post=False):
    op = "mhc_fused_post_pre" if fused_post else ("hc_head" if head else "mhc_pre")

    def setup(device):
        from opdispatch.backends.triton import mhc as tmhc

        cfg = _pre_configs(t)[name]
        r, fn, s, b = _pre_inputs(device, t, head=head)
        y = torch.empty(t, H, dtype=r.dtype, device=device)
        if head:
            return BenchSetup(ours=lambda: tmhc.hc_head(r, fn, s, b, y, 1e-6, 1e-6, config=cfg),
                              bytes=_pre_bytes(t, head=True), note=_pre_note(t, head=True))
        post = torch.empty(t, N, 1, device=device)
        comb = torch.empty(t, N, N, device=device)
        scalars = (1e-6, 1e-6, 1e-6, 2.0, 20, 1e-6)
        if fused_post:
            x, old, p, c = _post_inputs(device, t)
            new = torch.empty_like(old)
            return BenchSetup(
                ours=lambda: tmhc.mhc_fused_post_pre(x, old, p, c, fn, s, b, None, new, y, post, comb, *scalars, config=cfg),
                bytes=t * H * 2 + 2 * _stream_bytes(t) + _pre_bytes(t) - _stream_bytes(t) + t * (N + N * N) * 4)
        return BenchSetup(ours=lambda: tmhc.mhc_pre(r, fn, s, b, None, y, post, comb, *scalars, config=cfg),
                          bytes=_pre_bytes(t), note=_pre_note(t))

    return BenchCase(op=op, label=f"T={t} n={N} H={H} cfg={name}", setup=setup, tags=("mhc-tune",))


def _post_tune_case(t, block_t, block_h, num_warps):
    def setup(device):
        from opdispatch.backends.triton import mhc as tmhc

        x, r, p, c = _post_inputs(device, t)
        out = torch.empty_like(r)
        cfg = tmhc.PostConfig(block_t=block_t, block_h=block_h, num_warps=num_warps)
        return BenchSetup(ours=lambda: tmhc.mhc_post(x, r, p, c, out, config=cfg),
                          bytes=t * H * 2 + 2 * _stream_bytes(t) + t * (N + N * N) * 4)

    return BenchCase(op="mhc_post", label=f"T={t} n={N} H={H} cfg=bt{block_t}-bh{block_h}-w{num_warps}",
                     setup=setup, tags=("mhc-tune",))


_PRE_TUNE_NAMES = ("default", "bt16-s512", "bt16-s1024", "bt32-s512", "bt32-s1024", "bt32-s512-w8",
                   "bt64-s256-w8", "bt64-s512-w8", "bt32-s512-lag4", "bt32-s512-lag32",
                   "bt32-s512-st3", "bt32-s512-o512", "bt16-s128")
for _t in (BIG_T, 64, 1):
    for _name in _PRE_TUNE_NAMES:
        if _t < 1024 and _name.startswith(("bt32", "bt64")):
            continue  # decode: one or a few tiles of 16 tokens
        register_bench(_pre_tune_case(_t, _name))
    for _name in ("default", "bt16-s512", "bt64-s256-w8"):
        register_bench(_pre_tune_case(_t, _name, head=True))
        register_bench(_pre_tune_case(_t, _name, fused_post=True))
    for _cfg in ((1, 1024, 4), (2, 512, 4), (2, 1024, 8), (4, 256, 4), (4, 512, 8), (8, 256, 8), (1, 2048, 8)):
        register_bench(_post_tune_case(_t, *_cfg))
