"""cuda tier: the Triton kernels on the GPU at model sizes, past 2**31 elements, under
torch.compile(fullgraph=True, dynamic=True) and in CUDA graphs.

Run: ``python -m pytest tests/quant -m cuda -q -x``. Peak memory ~30 GB (the >2**31 cases).

Tolerances (see test_triton.py): scales of the plain quantizers are bit-identical to torch_ref
(one correctly rounded float32 division of the same amax); codes move one fp8 step on at most
1% of elements with the default reciprocal multiply and not at all with ``exact_div``.
SiLU-mul: the GPU's exp/division may move y by one bf16 ulp, so scales within 2**-7 relative
and codes one step on at most 2%.
"""

from __future__ import annotations

import pytest
import torch

import opdispatch
from opdispatch.backends.torch_ref import quant as ref
from opdispatch.backends.triton import quant as tq
from opdispatch.ops.quant import (
    PerTokenGroupQuantFP8,
    PerTokenGroupQuantFP8Packed,
    ScaledFP8Quant,
    SiluMulPerTokenGroupQuantFP8,
)

from .helpers import assert_codes_close, assert_equal, assert_no_nan_codes

pytestmark = pytest.mark.cuda
DEV = "cuda"
E4M3 = torch.float8_e4m3fn
GiB = 1 << 30


def _acts(rows, cols, seed=0, dtype=torch.bfloat16):
    gen = torch.Generator(device=DEV).manual_seed(seed)
    return (torch.randn(rows, cols, generator=gen, device=DEV) * 3).to(dtype)


def _check_silu(out, expected, what):
    (q, s), (q_ref, s_ref) = out, expected
    assert not torch.isnan(s).any(), f"{what}: NaN scales"
    rel = ((s - s_ref).abs() / s_ref).max().item() if s.numel() else 0.0
    assert rel <= 2.0**-7, f"{what}: scales differ by {rel:.3g} relative"
    assert_codes_close(q, q_ref, f"{what} codes", max_frac=0.02)


def _free_gib() -> float:
    free, _ = torch.cuda.mem_get_info()
    return free / GiB


# ------------------------------------------------------------------------- the reference itself

def test_torch_ref_scales_are_correctly_rounded_on_gpu():
    """torch_ref on CUDA divides amax by fp8_max correctly rounded (a Python-float divisor
    would make PyTorch multiply by its reciprocal instead: the last bit differs on ~half)."""
    from .helpers import group_oracle

    x = _acts(64, 7168, seed=7)
    _, s_ref = PerTokenGroupQuantFP8(provider="torch_ref")(x, 128)
    _, s_oracle = group_oracle(x.float(), 128, 1e-10, 448.0, False)
    assert_equal(s_ref, s_oracle, "torch_ref scales vs the float64 oracle")
    _, s_tok = ScaledFP8Quant(provider="torch_ref")(x, use_per_token_if_dynamic=True)
    s_tok_oracle = (x.double().abs().amax(-1, keepdim=True) / 448.0).float()
    assert_equal(s_tok, s_tok_oracle, "torch_ref per-token scales vs the float64 oracle")


# ------------------------------------------------------------------------- model sizes

@pytest.mark.parametrize("rows", [1, 16, 128, 1000, 16384])
@pytest.mark.parametrize("layout,ue8m0", [("row", False), ("tma", True), ("col", False)])
def test_group_quant_model_sizes(rows, layout, ue8m0):
    x = _acts(rows, 7168, seed=rows)
    kw = {"tma_aligned_scales": layout == "tma", "column_major_scales": layout == "col",
          "use_ue8m0": ue8m0}
    q, s = PerTokenGroupQuantFP8(provider="triton")(x, 128, **kw)
    q_ref, s_ref = PerTokenGroupQuantFP8(provider="torch_ref")(x, 128, **kw)
    assert s.stride() == s_ref.stride()
    assert_equal(s, s_ref, "scales")
    assert_codes_close(q, q_ref, "codes", max_frac=0.0 if ue8m0 else 0.01)


@pytest.mark.parametrize("block_g,num_warps,exact_div", [(16, 4, True), (32, 8, True), (64, 8, True),
                                                         (128, 8, False), (64, 16, False)])
def test_group_quant_tuning_configs_are_correct(block_g, num_warps, exact_div):
    """Every config the benchmark tries computes the same result (exact_div: bit-exact, since
    the GPU's div.rn matches PyTorch's IEEE division)."""
    x = _acts(4099, 7168, seed=1)
    shape, stride = ref.group_scales_layout(x.shape, 128, ref.TMA_ALIGNED)
    q = torch.empty(x.shape, dtype=E4M3, device=DEV)
    s = torch.empty_strided(shape, stride, device=DEV).fill_(float("nan"))
    tq.per_token_group_quant_fp8(x, q, s, 128, 1e-10, 448.0, False,
                                 config=tq.GroupQuantConfig(block_g, num_warps, exact_div))
    q_ref, s_ref = torch.empty_like(q), torch.empty_strided(shape, stride, device=DEV)
    ref.per_token_group_quant_fp8_into(x, q_ref, s_ref, 128, 1e-10, 448.0, False)
    assert_equal(s, s_ref, "scales")
    assert_codes_close(q, q_ref, "codes", max_frac=0.0 if exact_div else 0.01)


def test_group_quant_3d_strided_and_out_q():
    x = _acts(4 * 333, 2 * 7168, seed=2).view(4, 333, 2 * 7168)[..., 7168:]  # strided rows
    out = torch.empty(4, 333, 7168, dtype=E4M3, device=DEV)
    q, s = PerTokenGroupQuantFP8(provider="triton")(x, 128, tma_aligned_scales=True, out_q=out)
    q_ref, s_ref = PerTokenGroupQuantFP8(provider="torch_ref")(x, 128, tma_aligned_scales=True)
    assert q is out
    assert_equal(s, s_ref, "scales")
    assert_codes_close(q, q_ref, "codes", max_frac=0.01)


@pytest.mark.parametrize("rows", [1, 128, 4097])
def test_packed_model_sizes(rows):
    x = _acts(rows, 7168, seed=3)
    q, s = PerTokenGroupQuantFP8Packed(provider="triton")(x)
    q_ref, s_ref = PerTokenGroupQuantFP8Packed(provider="torch_ref")(x)
    assert s.stride() == (1, ref.align(rows, 4))
    assert_equal(s, s_ref, "packed scales")
    assert_codes_close(q, q_ref, "codes", max_frac=0.0)


@pytest.mark.parametrize("rows", [1, 16, 128, 16384])
@pytest.mark.parametrize("ue8m0", [False, True])
def test_silu_mul_model_sizes(rows, ue8m0):
    x = _acts(rows, 2 * 4096, seed=4)
    out = SiluMulPerTokenGroupQuantFP8(provider="triton")(x, 128, use_ue8m0=ue8m0, tma_aligned_scales=True)
    expected = SiluMulPerTokenGroupQuantFP8(provider="torch_ref")(x, 128, use_ue8m0=ue8m0, tma_aligned_scales=True)
    if ue8m0:
        # a one-ulp move of amax across a power of two doubles a scale: compare dequantized
        (q, s), (q_ref, s_ref) = out, expected
        deq = q.float().view(rows, 32, 128) * s[..., None]
        deq_ref = q_ref.float().view(rows, 32, 128) * s_ref[..., None]
        bound = 0.125 * deq_ref.abs() + 2.0 * s_ref[..., None] * 2.0**-9
        assert ((deq - deq_ref).abs() <= bound).all()
    else:
        _check_silu(out, expected, f"silu {rows}")


@pytest.mark.parametrize("mode", ["static", "per_tensor", "per_token"])
@pytest.mark.parametrize("rows,padding", [(1, None), (16, 32), (16384, None), (1000, 1024)])
def test_scaled_model_sizes(mode, rows, padding):
    x = _acts(rows, 7168, seed=5)
    scale = torch.tensor([0.03], device=DEV) if mode == "static" else None
    kw = {"use_per_token_if_dynamic": mode == "per_token", "num_token_padding": padding}
    q, s = ScaledFP8Quant(provider="triton")(x, scale, **kw)
    q_ref, s_ref = ScaledFP8Quant(provider="torch_ref")(x, scale, **kw)
    assert_equal(s, s_ref, "scale")
    # The default x * (1 / s) path: measured 0.75% one-step codes with the static scale 0.03
    # (a decimal scale puts many x / s next to an fp8 tie), ~0.05% per token, 0 per tensor.
    assert_codes_close(q, q_ref, "codes", max_frac=0.01)


def test_scaled_per_token_scale_ub_and_k_loop():
    x = _acts(300, 20000, seed=6)  # K > 8192: the two-pass per-token loop
    ub = torch.tensor([2.0], device=DEV)
    q, s = ScaledFP8Quant(provider="triton")(x, use_per_token_if_dynamic=True, scale_ub=ub)
    q_ref, s_ref = ScaledFP8Quant(provider="torch_ref")(x, use_per_token_if_dynamic=True, scale_ub=ub)
    assert_equal(s, s_ref, "scales")
    assert_codes_close(q, q_ref, "codes", max_frac=0.01)


# ------------------------------------------------------------------------- past int32 offsets

def test_silu_mul_int32_overflow_seed_case():
    """The crash that motivated int64 offsets: SiLU-mul fp8 at M = 524416, N = 4096
    (x: 4.3e9 elements, 8.6 GB; pid * BLOCK_M * row_stride passed 2**31)."""
    if _free_gib() < 16:
        pytest.skip(f"needs ~16 GiB free GPU memory, {_free_gib():.1f} GiB free")
    m, n = 524416, 4096
    x = torch.empty(m, 2 * n, dtype=torch.bfloat16, device=DEV)
    for lo in range(0, m, 65536):  # fill in slices: randn of the whole would need 17 GB float32
        hi = min(m, lo + 65536)
        x[lo:hi] = _acts(hi - lo, 2 * n, seed=lo)
    q, s = SiluMulPerTokenGroupQuantFP8(provider="triton")(x, 128)
    torch.cuda.synchronize()
    assert_no_nan_codes(q[-4096:], "last rows")
    assert bool(torch.isfinite(s).all()) and bool((s > 0).all()), "scales not all finite and > 0"
    cross = 2**31 // (2 * n)  # the first row whose input offset passes 2**31
    op_ref = SiluMulPerTokenGroupQuantFP8(provider="torch_ref")
    for lo, hi in [(0, 64), (cross - 64, cross + 64), (2 * cross - 8, 2 * cross + 8), (m - 128, m)]:
        q_ref, s_ref = op_ref(x[lo:hi], 128)
        _check_silu((q[lo:hi], s[lo:hi]), (q_ref, s_ref), f"rows {lo}:{hi}")
    # every row was written: no NaN poison anywhere in q (checked on the byte view, in slices)
    bad = 0
    for lo in range(0, m, 65536):
        b = q[lo:lo + 65536].view(torch.uint8)
        bad += int(((b & 0x7F) == 0x7F).sum())
    assert bad == 0, f"{bad} NaN codes"


@pytest.mark.parametrize("layout", ["row", "tma"])
def test_group_quant_past_2pow31_elements(layout):
    """x [299594, 7168] bf16: 2**31 + 5120 elements (4.3 GB)."""
    if _free_gib() < 12:
        pytest.skip(f"needs ~12 GiB free GPU memory, {_free_gib():.1f} GiB free")
    m, k = 2**31 // 7168 + 2, 7168
    assert m * k > 2**31
    x = torch.empty(m, k, dtype=torch.bfloat16, device=DEV)
    for lo in range(0, m, 65536):
        hi = min(m, lo + 65536)
        x[lo:hi] = _acts(hi - lo, k, seed=lo)
    kw = {"tma_aligned_scales": layout == "tma"}
    q, s = PerTokenGroupQuantFP8(provider="triton")(x, 128, **kw)
    op_ref = PerTokenGroupQuantFP8(provider="torch_ref")
    cross = 2**31 // k
    for lo, hi in [(0, 32), (cross - 32, cross + 32), (m - 64, m)]:
        q_ref, s_ref = op_ref(x[lo:hi], 128)
        assert_equal(s[lo:hi].contiguous(), s_ref, f"scales rows {lo}:{hi}")
        assert_codes_close(q[lo:hi], q_ref, f"codes rows {lo}:{hi}", max_frac=0.01)
    assert bool(torch.isfinite(s).all())
    # the packed variant on the same input
    qp, sp = PerTokenGroupQuantFP8Packed(provider="triton")(x)
    qp_ref, sp_ref = PerTokenGroupQuantFP8Packed(provider="torch_ref")(x[m - 64:])
    assert_equal(sp[m - 64:].contiguous(), sp_ref, "packed scales, last rows")
    assert_codes_close(qp[m - 64:], qp_ref, "packed codes, last rows", max_frac=0.0)


@pytest.mark.parametrize("mode", ["per_tensor", "per_token"])
def test_scaled_past_2pow31_elements(mode):
    if _free_gib() < 12:
        pytest.skip(f"needs ~12 GiB free GPU memory, {_free_gib():.1f} GiB free")
    m, k = 2**31 // 7168 + 2, 7168
    x = torch.empty(m, k, dtype=torch.bfloat16, device=DEV)
    for lo in range(0, m, 65536):
        hi = min(m, lo + 65536)
        x[lo:hi] = _acts(hi - lo, k, seed=lo)
    x[m - 1, 5] = 1000.0  # the global max sits past 2**31: per-tensor must see it
    q, s = ScaledFP8Quant(provider="triton")(x, use_per_token_if_dynamic=mode == "per_token")
    if mode == "per_tensor":
        expected = max(1000.0 / 448.0, ref.min_dynamic_scale(448.0))
        assert s.item() == float(torch.tensor(1000.0 / 448.0, dtype=torch.float32)) == pytest.approx(expected)
        q_ref, _ = ScaledFP8Quant(provider="torch_ref")(x[m - 64:], s)
    else:
        q_ref, s_ref = ScaledFP8Quant(provider="torch_ref")(x[m - 64:], use_per_token_if_dynamic=True)
        assert_equal(s[m - 64:], s_ref, "per-token scales, last rows")
    assert_codes_close(q[m - 64:], q_ref, "codes, last rows", max_frac=0.01)


# ------------------------------------------------------------------------- compile and graphs

def _callers():
    ub = torch.tensor([3.0], device=DEV)
    return {
        "group": lambda x: opdispatch.per_token_group_quant_fp8(x, 128, tma_aligned_scales=True),
        "group_ue8m0": lambda x: opdispatch.per_token_group_quant_fp8(x, 128, use_ue8m0=True),
        "packed": lambda x: opdispatch.per_token_group_quant_fp8_packed(x),
        "silu": lambda x: opdispatch.silu_mul_per_token_group_quant_fp8(x, 128),
        "per_token": lambda x: opdispatch.scaled_fp8_quant(x, use_per_token_if_dynamic=True, scale_ub=ub),
        "per_tensor": lambda x: opdispatch.scaled_fp8_quant(x),
        "padded": lambda x: opdispatch.scaled_fp8_quant(x, num_token_padding=64),
    }


CALLERS = ("group", "group_ue8m0", "packed", "silu", "per_token", "per_tensor", "padded")


def _same(out, expected, what):
    for a, b in zip(out, expected, strict=True):
        assert a.shape == b.shape and a.stride() == b.stride() and a.dtype == b.dtype, what
        assert torch.equal(a.view(torch.uint8) if a.element_size() == 1 else a,
                           b.view(torch.uint8) if b.element_size() == 1 else b), what


@pytest.mark.parametrize("name", CALLERS)
def test_compile_fullgraph_dynamic_matches_eager(name):
    import torch._dynamo
    from torch._dynamo.utils import counters

    assert PerTokenGroupQuantFP8.default().provider == "triton"
    fn = _callers()[name]
    torch._dynamo.reset()
    counters.clear()
    compiled = torch.compile(fn, fullgraph=True, dynamic=True)
    for i, rows in enumerate((5, 17, 33)):
        x = _acts(rows, 7168, seed=rows)
        # Eager first, as an engine that warms up before compiling: the op's default instance
        # then exists before tracing (one first built inside the compiled region leaves a guard
        # on the core's instance cache that the next eager call invalidates: a recompile).
        expected = fn(x)
        if i == 0:
            res = compiled(x)
        else:
            with torch._dynamo.config.patch(error_on_recompile=True):
                res = compiled(x)
        _same(res, expected, f"{name} rows={rows}")
    assert counters["stats"]["unique_graphs"] == 1


@pytest.mark.parametrize("name", CALLERS)
def test_cuda_graph_capture_and_replay_no_host_sync(name):
    fn = _callers()[name]
    static = _acts(37, 7168, seed=1)
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        fn(static)  # compile and load outside the capture
        torch.cuda.set_sync_debug_mode("error")  # a host sync in the op path raises
        try:
            fn(static)
        finally:
            torch.cuda.set_sync_debug_mode("default")
    torch.cuda.current_stream().wait_stream(side)
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        out = fn(static)
    static.copy_(_acts(37, 7168, seed=2))
    for _ in range(2):
        graph.replay()
        torch.cuda.synchronize()
        _same(out, fn(static.clone()), f"{name} replay")
