"""torch_ref semantics of the indexer ops against float64 loops; input validation; debug checks."""

from __future__ import annotations

import re

import pytest
import torch

import opdispatch
from opdispatch.backends.torch_ref import indexer as ref
from opdispatch.dispatch import DispatchError, explain
from opdispatch.ops import indexer as ops

from .helpers import (
    assert_logits_close,
    assert_topk_valid,
    fp32_rtol,
    make_mqa_inputs,
    make_paged_inputs,
    mqa_reference64,
    paged_reference64,
)

FP8 = (torch.float8_e4m3fn, torch.float8_e4m3fnuz)
OPS = ("fp8_mqa_logits", "fp8_paged_mqa_logits", "indexer_k_quant_and_cache",
       "sparse_attn_indexer_prefill", "sparse_attn_indexer_decode")


@pytest.mark.native
@pytest.mark.parametrize("dtype", FP8)
@pytest.mark.parametrize("S,H,D,N,bounds", [(1, 1, 16, 1, "full"), (7, 4, 32, 33, "ragged"),
                                             (33, 8, 64, 130, "causal"), (5, 3, 48, 7, "ragged")])
def test_mqa_logits_reference(dtype, S, H, D, N, bounds):
    q, k, s, w, ks, ke = make_mqa_inputs(S, H, D, N, dtype, seed=S * N, bounds=bounds)
    out = opdispatch.fp8_mqa_logits(q, (k, s), w, ks, ke)
    want, mag = mqa_reference64(q, k, s, w, ks, ke)
    assert_logits_close(out, want, mag, fp32_rtol(D, H))


@pytest.mark.native
def test_mqa_reference_chunks_rows(monkeypatch):
    # A tiny work-set budget forces one row per chunk: the result must not change.
    q, k, s, w, ks, ke = make_mqa_inputs(9, 4, 32, 20, torch.float8_e4m3fn, seed=3)
    whole = opdispatch.fp8_mqa_logits(q, (k, s), w, ks, ke)
    monkeypatch.setattr(ref, "REF_CHUNK_BYTES", 1)
    chunked = opdispatch.fp8_mqa_logits(q, (k, s), w, ks, ke)
    assert torch.equal(whole, chunked)


@pytest.mark.native
def test_mqa_logits_out_and_unclean():
    q, k, s, w, ks, ke = make_mqa_inputs(6, 4, 32, 17, torch.float8_e4m3fn, seed=5)
    buf = torch.full((6, 17), float("nan"))
    res = opdispatch.fp8_mqa_logits(q, (k, s.view(17, 1)), w, ks, ke, out=buf, clean_logits=False)
    assert res is buf
    want, mag = mqa_reference64(q, k, s, w, ks, ke)
    assert_logits_close(buf, want, mag, fp32_rtol(32, 4), only_finite_ref=True)


@pytest.mark.native
def test_empty_inputs():
    q, k, s, w, ks, ke = make_mqa_inputs(0, 4, 32, 5, torch.float8_e4m3fn)
    assert opdispatch.fp8_mqa_logits(q, (k, s), w, ks, ke).shape == (0, 5)
    assert opdispatch.sparse_attn_indexer_prefill(q, (k, s), w, ks, ke, 3).shape == (0, 3)
    q, k, s, w, ks, ke = make_mqa_inputs(3, 4, 32, 0, torch.float8_e4m3fn)
    assert opdispatch.fp8_mqa_logits(q, (k, s), w, ks, ke).shape == (3, 0)
    idx = opdispatch.sparse_attn_indexer_prefill(q, (k, s), w, ks, ke, 2)
    assert torch.equal(idx, torch.full((3, 2), -1, dtype=torch.int32))
    q, cache, w, ctx, bt, L = make_paged_inputs(1, 1, 4, 32, 16, [5], torch.float8_e4m3fn)
    out = opdispatch.fp8_paged_mqa_logits(q[:0], cache, w[:0], ctx[:0], bt[:0], L)
    assert out.shape == (0, L)
    opdispatch.indexer_k_quant_and_cache(torch.zeros(0, 32, dtype=torch.bfloat16), cache,
                                         torch.zeros(0, dtype=torch.int64))


@pytest.mark.native
@pytest.mark.parametrize("dtype", FP8)
@pytest.mark.parametrize("next_n", [1, 2, 4])
def test_paged_logits_reference(dtype, next_n):
    # Context lengths: shorter than next_n (rows that see nothing), not a block multiple, exact.
    q, cache, w, ctx, bt, L = make_paged_inputs(4, next_n, 3, 32, 16, [1, 37, 64, 0], dtype,
                                                seed=next_n, block_stride_pad=8)
    out = opdispatch.fp8_paged_mqa_logits(q, cache, w, ctx, bt, L)
    want, mag = paged_reference64(q, cache, w, ctx, bt, L)
    assert_logits_close(out, want, mag, fp32_rtol(32, 3))


@pytest.mark.native
def test_paged_reference_chunks_and_short_max_model_len(monkeypatch):
    q, cache, w, ctx, bt, _ = make_paged_inputs(2, 2, 4, 32, 8, [30, 19], torch.float8_e4m3fn, seed=9)
    L = 25  # shorter than a context: logits are cut at max_model_len
    whole = opdispatch.fp8_paged_mqa_logits(q, cache, w, ctx, bt, L)
    monkeypatch.setattr(ref, "REF_CHUNK_BYTES", 1)
    chunked = opdispatch.fp8_paged_mqa_logits(q, cache, w, ctx, bt, L)
    assert torch.equal(whole, chunked)
    want, mag = paged_reference64(q, cache, w, ctx, bt, L)
    assert_logits_close(whole, want, mag, fp32_rtol(32, 4))


@pytest.mark.native
@pytest.mark.parametrize("fp8_dtype", FP8)
@pytest.mark.parametrize("use_ue8m0", [False, True])
def test_k_quant_and_cache_reference(fp8_dtype, use_ue8m0):
    D, bs = 32, 16
    gen = torch.Generator().manual_seed(11)
    k = (torch.randn(9, D, generator=gen) * torch.logspace(-3, 3, 9).unsqueeze(1)).to(torch.bfloat16)
    k[4] = 0  # all-zero token: scale floor 1e-4 / fp8_max
    cache = torch.full((5, bs, 1, D + 4), 0xAB, dtype=torch.uint8)
    before = cache.clone()
    slots = torch.tensor([0, 5, 17, -1, 40, 79, 3, -1, 50])
    opdispatch.indexer_k_quant_and_cache(k, cache, slots, use_ue8m0=use_ue8m0, fp8_dtype=fp8_dtype)
    values, scales = ref.split_kv_cache(cache, D, fp8_dtype)
    fp8_max = 448.0 if fp8_dtype == torch.float8_e4m3fn else 224.0
    written = torch.zeros(5, bs, dtype=torch.bool)
    for t, slot in enumerate(slots.tolist()):
        if slot < 0:
            continue
        b, o = divmod(slot, bs)
        written[b, o] = True
        x = k[t].double()
        scale = max(float(x.abs().max()), 1e-4) / fp8_max
        if use_ue8m0:
            e = 0
            while 2.0 ** e < scale:
                e += 1
            while 2.0 ** (e - 1) >= scale:
                e -= 1
            scale = 2.0 ** e
        assert float(scales[b, o]) == pytest.approx(scale, rel=2 ** -23)
        want = (k[t].float() / scales[b, o]).clamp(-fp8_max, fp8_max).to(fp8_dtype)
        assert torch.equal(values[b, o].view(torch.uint8), want.view(torch.uint8)), f"token {t}"
        # Dequantised values are within half an fp8 step (2^-4 relative) of the input.
        err = (values[b, o].double() * float(scales[b, o]) - x).abs()
        assert bool((err <= x.abs() * 2 ** -4 + float(scales[b, o]) * 2 ** -9 + 1e-12).all())
    # Untouched slots and every padding byte stay as they were.
    v0, s0 = ref.split_kv_cache(before, D, fp8_dtype)
    assert torch.equal(values.view(torch.uint8)[~written], v0.view(torch.uint8)[~written])
    assert torch.equal(scales.view(torch.int32)[~written], s0.view(torch.int32)[~written])


@pytest.mark.native
@pytest.mark.parametrize("fp8_dtype", FP8)
@pytest.mark.parametrize("use_ue8m0", [False, True])
def test_k_quant_and_cache_reference_nan_inf(fp8_dtype, use_ue8m0):
    fnuz = fp8_dtype == torch.float8_e4m3fnuz
    D, bs = 8, 4
    k = torch.tensor([
        [0.5, -1.0, 2.0, 0.25, -3.0, 1.5, 0.0, 7.0],
        [0.5, -1.0, 2.0, float("nan"), -3.0, 1.5, 0.0, 7.0],
        [0.5, -1.0, float("inf"), 0.25, -3.0, 1.5, 0.0, 7.0],
        [0.5, float("-inf"), 2.0, 0.25, -3.0, 1.5, -0.0, 7.0],
        [float("inf"), -1.0, 2.0, -float("nan"), -3.0, 1.5, 0.0, 7.0],
    ], dtype=torch.bfloat16)
    cache = torch.full((2, bs, 1, D + 4), 0xAB, dtype=torch.uint8)
    ref.indexer_k_quant_and_cache(k, cache, torch.arange(5), use_ue8m0, fnuz)
    values, scales = ref.split_kv_cache(cache, D, fp8_dtype)
    values, scales = values.reshape(-1, D)[:5], scales.reshape(-1)[:5]
    codes = values.view(torch.uint8)
    nan_byte = 0x80 if fnuz else 0x7F
    fp8_max = 224.0 if fnuz else 448.0
    # Finite token: a finite positive scale (a power of two with ue8m0).
    assert 7.0 / fp8_max <= float(scales[0]) < 14.0 / fp8_max
    assert not torch.isnan(values[0].float()).any()
    # A NaN anywhere (even next to an inf): NaN scale, every code the NaN byte.
    for t in (1, 4):
        assert bool(torch.isnan(scales[t])), f"token {t}"
        assert bool((codes[t] == nan_byte).all()), f"token {t}: {codes[t].tolist()}"
    # An inf (either sign): inf scale, zero codes for the finite values (x / inf), NaN at the inf.
    for t, at in ((2, 2), (3, 1)):
        assert float(scales[t]) == float("inf"), f"token {t}"
        finite = torch.arange(D) != at
        assert bool((values[t].float()[finite] == 0).all()), f"token {t}: {values[t].float().tolist()}"
        assert int(codes[t, at]) == nan_byte, f"token {t}: {codes[t].tolist()}"
        # A negative value / inf is -0: 0x80 in e4m3fn, 0 in e4m3fnuz (no negative zero).
        assert int(codes[t, 4]) == (0x00 if fnuz else 0x80)
        assert int(codes[t, 0]) == 0x00


@pytest.mark.native
@pytest.mark.parametrize("next_n", [1, 2])
def test_sparse_indexer_reference(next_n):
    q, k, s, w, ks, ke = make_mqa_inputs(13, 4, 32, 40, torch.float8_e4m3fn, seed=2)
    idx = opdispatch.sparse_attn_indexer_prefill(q, (k, s), w, ks, ke, 8)
    want, mag = mqa_reference64(q, k, s, w, ks, ke)
    assert_topk_valid(idx, want, ks, 8, 2 * fp32_rtol(32, 4) * mag.max(dim=1).values)

    q, cache, w, ctx, bt, L = make_paged_inputs(3, next_n, 4, 32, 16, [5, 40, 17], torch.float8_e4m3fn, seed=4)
    buf = torch.empty(3 * next_n, 12, dtype=torch.int32)
    res = opdispatch.sparse_attn_indexer_decode(q, cache, w, ctx, bt, L, 12, out=buf)
    assert res is buf
    want, mag = paged_reference64(q, cache, w, ctx, bt, L)
    assert_topk_valid(buf, want, torch.zeros(3 * next_n), 12, 2 * fp32_rtol(32, 4) * mag.max(dim=1).values)


# ------------------------------------------------------------------------------- validation

def _mqa_args():
    q, k, s, w, ks, ke = make_mqa_inputs(4, 4, 32, 9, torch.float8_e4m3fn)
    return [q, (k, s), w, ks, ke]


@pytest.mark.native
@pytest.mark.parametrize("index,value,exc,words", [
    (0, lambda a: a[0].float(), TypeError, "q must be fp8"),
    (0, lambda a: a[0][..., :16].contiguous(), ValueError, "kv[0] (k) must have head dim 16"),
    (0, lambda a: torch.zeros(4, 4, 24, dtype=torch.float8_e4m3fn), ValueError, "multiple of 16"),
    (1, lambda a: a[1][0], TypeError, "kv must be a tuple"),
    (1, lambda a: (a[1][0], a[1][1][:5]), ValueError, "N=9"),
    (1, lambda a: (a[1][0].view(torch.uint8), a[1][1]), TypeError, "kv[0] (k) must be fp8"),
    (2, lambda a: a[2][:3], ValueError, "weights must have shape [4, 4]"),
    (2, lambda a: a[2].double(), TypeError, "weights must have dtype float32"),
    (3, lambda a: a[3].long(), TypeError, "cu_seqlen_ks must have dtype int32"),
    (4, lambda a: a[4][:2], ValueError, "cu_seqlen_ke must have shape [4]"),
])
def test_mqa_bad_input(index, value, exc, words):
    args = _mqa_args()
    args[index] = value(args)
    with pytest.raises(exc, match=re.escape(words)):
        opdispatch.fp8_mqa_logits(*args)


@pytest.mark.native
def test_mqa_bad_out_and_flags():
    args = _mqa_args()
    with pytest.raises(ValueError, match=r"out must have shape \[4, 9\]"):
        opdispatch.fp8_mqa_logits(*args, out=torch.empty(4, 8))
    with pytest.raises(TypeError, match="clean_logits must be a bool"):
        opdispatch.fp8_mqa_logits(*args, clean_logits=1)
    with pytest.raises(ValueError, match="topk must be > 0"):
        opdispatch.sparse_attn_indexer_prefill(*args, 0)
    with pytest.raises(TypeError, match="out must have dtype int32"):
        opdispatch.sparse_attn_indexer_prefill(*args, 2, out=torch.empty(4, 2, dtype=torch.int64))


@pytest.mark.native
def test_mqa_mixed_fp8_dtypes_rejected():
    args = _mqa_args()
    k, s = args[1]
    args[1] = (k.float().to(torch.float8_e4m3fnuz), s)
    with pytest.raises(TypeError, match=r"kv\[0\] \(k\) must have dtype float8_e4m3fn"):
        opdispatch.fp8_mqa_logits(*args)


@pytest.mark.native
def test_paged_bad_input():
    q, cache, w, ctx, bt, L = make_paged_inputs(2, 2, 4, 32, 16, [5, 9], torch.float8_e4m3fn)
    with pytest.raises(ValueError, match=r"kv_cache must have shape \[num_blocks, block_size, 1, 36\]"):
        opdispatch.fp8_paged_mqa_logits(q, cache[..., :35], w, ctx, bt, L)
    with pytest.raises(TypeError, match="kv_cache must have dtype uint8"):
        opdispatch.fp8_paged_mqa_logits(q, cache.view(torch.float8_e4m3fn), w, ctx, bt, L)
    with pytest.raises(ValueError, match=r"weights must have shape \[4, 4\]"):
        opdispatch.fp8_paged_mqa_logits(q, cache, w[:2], ctx, bt, L)
    with pytest.raises(TypeError, match="context_lens must have dtype int32"):
        opdispatch.fp8_paged_mqa_logits(q, cache, w, ctx.long(), bt, L)
    with pytest.raises(ValueError, match="block_tables must have B=2 rows"):
        opdispatch.fp8_paged_mqa_logits(q, cache, w, ctx, bt[:1], L)
    with pytest.raises(ValueError, match="max_model_len must be > 0"):
        opdispatch.fp8_paged_mqa_logits(q, cache, w, ctx, bt, 0)
    with pytest.raises(ValueError, match="token-major"):
        opdispatch.fp8_paged_mqa_logits(q, cache.transpose(0, 1), w, ctx, bt, L)
    with pytest.raises(TypeError, match="slot_mapping must have dtype int64"):
        opdispatch.indexer_k_quant_and_cache(torch.zeros(2, 32, dtype=torch.bfloat16), cache,
                                             torch.zeros(2, dtype=torch.int32))
    with pytest.raises(ValueError, match=r"kv_cache must have shape \[num_blocks, block_size, 1, 68\]"):
        opdispatch.indexer_k_quant_and_cache(torch.zeros(2, 64, dtype=torch.bfloat16), cache,
                                             torch.zeros(2, dtype=torch.int64))


@pytest.mark.native
@pytest.mark.parametrize("offset", [1, 2, 3])
def test_misaligned_cache_rejected_in_eager_and_by_kernel_ops(offset):
    # The float32 scales need a storage offset that is a multiple of 4: the eager front rejects
    # it before any launch, and so does every kernel op that reads the cache (the front skips the
    # check under torch.compile, where storage_offset() is a graph break).
    from opdispatch.dispatch import KERNEL_OPS

    q, cache, w, ctx, bt, L = make_paged_inputs(2, 2, 4, 32, 16, [5, 9], torch.float8_e4m3fn)
    storage = torch.zeros(cache.numel() + offset, dtype=torch.uint8)
    bad = storage[offset:].view(cache.shape)
    bad.copy_(cache)
    msg = f"storage offset {offset}"
    with pytest.raises(ValueError, match=msg):
        opdispatch.fp8_paged_mqa_logits(q, bad, w, ctx, bt, L)
    with pytest.raises(ValueError, match=msg):
        opdispatch.sparse_attn_indexer_decode(q, bad, w, ctx, bt, L, 4)
    keys, slots = torch.zeros(2, 32, dtype=torch.bfloat16), torch.tensor([0, 3])
    with pytest.raises(ValueError, match=msg):
        opdispatch.indexer_k_quant_and_cache(keys, bad, slots)
    for name in ("fp8_paged_mqa_logits_triton", "fp8_paged_mqa_logits_deep_gemm", "fp8_paged_mqa_logits_aiter",
                 "sparse_attn_indexer_decode_triton"):
        with pytest.raises(ValueError, match=msg):
            args = (q, bad, w, ctx, bt) + ((L, 4, torch.empty(4, 4, dtype=torch.int32)) if "sparse" in name
                                           else (torch.empty(4, L), True))
            KERNEL_OPS[name](*args)
    with pytest.raises(ValueError, match=msg):
        KERNEL_OPS["indexer_k_quant_and_cache_triton"](keys, bad, slots, False, False)
    assert torch.equal(bad, cache)  # nothing was written
    # An offset that is a multiple of 4 is fine.
    storage = torch.zeros(cache.numel() + 4, dtype=torch.uint8)
    ok = storage[4:].view(cache.shape)
    ok.copy_(cache)
    torch.testing.assert_close(opdispatch.fp8_paged_mqa_logits(q, ok, w, ctx, bt, L),
                               opdispatch.fp8_paged_mqa_logits(q, cache, w, ctx, bt, L), rtol=0, atol=0)


@pytest.mark.native
def test_validation_never_launches():
    # Bad input must fail before the provider runs: replace every provider with a tripwire.
    calls = []
    op = ops.Fp8MqaLogits()
    op.forward = lambda *a: calls.append(a)
    args = _mqa_args()
    args[2] = args[2][:1]
    with pytest.raises(ValueError):
        op(*args)
    assert calls == []


# ------------------------------------------------------------------------------- debug checks

@pytest.mark.native
def test_debug_checks_off_by_default_and_on_with_flag(flags):
    q, cache, w, ctx, bt, L = make_paged_inputs(2, 1, 4, 32, 16, [5, 9], torch.float8_e4m3fn)
    short = bt[:, :1].contiguous()
    ctx_long = torch.tensor([5, 40], dtype=torch.int32)  # needs 3 blocks, the table holds 1
    assert ops.Fp8PagedMqaLogits().debug_checks is False
    with flags(OPDISPATCH_DEBUG_CHECKS="1"):
        with pytest.raises(ValueError, match=r"context_lens\[1\] = 40"):
            opdispatch.fp8_paged_mqa_logits(q, cache, w, ctx_long, short, L + 40)
        bad_tables = bt.clone()
        bad_tables[0, 0] = 999
        with pytest.raises(ValueError, match=r"block_tables\[0, 0\] = 999"):
            opdispatch.fp8_paged_mqa_logits(q, cache, w, ctx, bad_tables, L)
        args = _mqa_args()
        args[4] = args[4] + 100
        with pytest.raises(ValueError, match="row 0"):
            opdispatch.fp8_mqa_logits(*args)
        with pytest.raises(ValueError, match=r"slot_mapping\[1\]"):
            opdispatch.indexer_k_quant_and_cache(torch.zeros(2, 32, dtype=torch.bfloat16), cache,
                                                 torch.tensor([0, 10 ** 6]))
        # Valid data passes the debug checks.
        opdispatch.fp8_paged_mqa_logits(q, cache, w, ctx, bt, L)


# ------------------------------------------------------------------------------- dispatch

@pytest.mark.native
def test_explain_lists_every_indexer_op():
    entries = {e["op"]: e for e in explain(list(OPS))}
    assert set(entries) == set(OPS)
    for e in entries.values():
        assert e["selected"] == "torch_ref"
    assert "CUDA only" in {c["provider"]: c for c in entries["fp8_mqa_logits"]["candidates"]}["deep_gemm"]["reason"]


@pytest.mark.native
def test_cuda_sim_without_deep_gemm_selects_triton(cuda_sim):
    for op in ("fp8_mqa_logits", "fp8_paged_mqa_logits", "sparse_attn_indexer_prefill"):
        (e,) = explain([op])
        assert e["selected"] == "triton"
        reasons = {c["provider"]: c["reason"] for c in e["candidates"]}
        assert "deep_gemm is not installed" in reasons["deep_gemm"]


@pytest.mark.native
def test_forced_missing_vendor_is_an_error(flags):
    with flags(OPDISPATCH_BACKEND="fp8_mqa_logits=deep_gemm"):
        with pytest.raises(DispatchError, match="deep_gemm"):
            ops.Fp8MqaLogits.default()


@pytest.mark.native
def test_prefill_chunk_budget():
    assert ops.prefill_chunk_rows(16384) * 16384 * 4 <= ops.PREFILL_LOGITS_BUDGET_BYTES
    assert ops.prefill_chunk_rows(10 ** 9) == 1


@pytest.mark.native
def test_bench_baselines_compute_the_op():
    # The plain-PyTorch baselines of the benchmarks must compute what the op computes.
    from opdispatch.benchmarks import indexer as bench
    from opdispatch.dispatch.bench import bench_cases

    assert {c.op for c in bench_cases(ops=list(OPS))} == set(OPS)
    assert len(bench_cases(ops=["fp8_mqa_logits"], tags=["sweep"])) >= 10
    q, k, s, w, ks, ke = make_mqa_inputs(6, 4, 32, 19, torch.float8_e4m3fn, seed=1)
    want, mag = mqa_reference64(q, k, s, w, ks, ke)
    assert_logits_close(bench.torch_mqa_logits(q, k, s, w, ks, ke), want, mag, fp32_rtol(32, 4))
    q, cache, w, ctx, bt, L = make_paged_inputs(3, 2, 4, 32, 16, [5, 40, 16], torch.float8_e4m3fn, seed=2)
    values, scales = ref.split_kv_cache(cache, 32, q.dtype)
    L = 48  # a multiple of the block size, within every table
    want, mag = paged_reference64(q, cache, w, ctx, bt, L)
    got = bench.torch_paged_mqa_logits(q, values, scales, w, ctx, bt.clamp(max=values.shape[0] - 1), L)
    assert_logits_close(got, want, mag, fp32_rtol(32, 4))


# ------------------------------------------------------------------------- warmup makers

def _maker_tensors(sets):
    def flat(v):
        if isinstance(v, torch.Tensor):
            return [v]
        if isinstance(v, (tuple, list)):
            return [t for x in v for t in flat(x)]
        return []

    return [flat((*args, *kwargs.values())) for args, kwargs in sets]


@pytest.mark.native
@pytest.mark.parametrize("op_name", OPS)
def test_warmup_makers_valid_inputs_per_token_count(op_name):
    """Every op has a warmup maker (the compile/graph suite's inputs): token-count dimensions
    follow num_tokens (0 included), the rest is fixed, variants own their tensors, values change
    with the generator, and the front accepts every set."""
    from opdispatch.dispatch.custom_op import op_class
    from opdispatch.warmup import make_warmup_inputs, warmup_maker

    assert warmup_maker(op_name) is not None
    cpu = torch.device("cpu")
    a = make_warmup_inputs(op_name, cpu, 5, torch.Generator().manual_seed(1))
    b = make_warmup_inputs(op_name, cpu, 5, torch.Generator().manual_seed(2))
    c = make_warmup_inputs(op_name, cpu, 9, torch.Generator().manual_seed(1))
    flat = [t for ts in _maker_tensors(a) for t in ts]
    assert len({t.data_ptr() for t in flat}) == len(flat), "variants share an input tensor"
    for ta, tb, tc in zip(_maker_tensors(a), _maker_tensors(b), _maker_tensors(c), strict=True):
        assert all(x.shape == y.shape for x, y in zip(ta, tb, strict=True))
        assert any(not torch.equal(x, y) for x, y in zip(ta, tb, strict=True)), "same values for two seeds"
        assert ta[0].shape[0] == 5 and tc[0].shape[0] == 9  # q / k rows or sequences: the token count
    inst = op_class(op_name)(provider="torch_ref")
    seen = []
    inst.forward = lambda *args: seen.append(args)
    for n in (0, 5):
        for args, kwargs in make_warmup_inputs(op_name, cpu, n, torch.Generator().manual_seed(n)):
            inst(*args, **kwargs)
    assert len(seen) == 2 * len(a)
