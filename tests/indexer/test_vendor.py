"""deep_gemm and aiter adapters of the indexer against recording test doubles (no vendor here)."""

from __future__ import annotations

import pytest
import torch

from opdispatch.backends.cuda import indexer as dg_adapter
from opdispatch.backends.torch_ref import indexer as ref
from opdispatch.dispatch import explain
from opdispatch.ops import indexer as ops

from .helpers import (
    assert_logits_close,
    fp32_rtol,
    make_mqa_inputs,
    make_paged_inputs,
    mqa_reference64,
    paged_reference64,
)

# ------------------------------------------------------------------ deep_gemm test double

def _dg_mqa(q, kv, weights, cu_seq_len_k_start, cu_seq_len_k_end, clean_logits=True, max_seqlen_k=0):
    """Like DeepGEMM: allocates its own logits with a padded row stride."""
    q = q[0] if isinstance(q, tuple) else q
    k, scale = kv
    S, N = q.shape[0], k.shape[0]
    storage = torch.full((S, N + 7), float("nan"))
    logits = storage[:, :N]
    ref.fp8_mqa_logits(q, k, scale, weights, cu_seq_len_k_start, cu_seq_len_k_end, logits, clean_logits)
    return logits


def _dg_paged(q, kv_cache, weights, context_lens, block_table, schedule_meta, max_context_len,
              clean_logits=False, indices=None):
    """DeepGEMM with 2-D context lengths: row (b, t) sees j < context_lens[b, t]; the rest is left
    unwritten (NaN here), since it cannot clean with 2-D lengths."""
    q = q[0] if isinstance(q, tuple) else q
    assert context_lens.dim() == 2 and not clean_logits
    assert schedule_meta.shape == (133, 2)
    B, next_n = q.shape[:2]
    logits = torch.full((B * next_n, max_context_len), float("nan"))
    for b in range(B):
        for t in range(next_n):
            # Express row (b, t) as a 1-row problem with next_n = 1 and context = its visible length.
            row = torch.empty(1, max_context_len)
            ref.fp8_paged_mqa_logits(q[b:b + 1, t:t + 1], kv_cache, weights[b * next_n + t:b * next_n + t + 1],
                                     context_lens[b, t:t + 1], block_table[b:b + 1], row, True)
            vis = int(context_lens[b, t])
            logits[b * next_n + t, :vis] = row[0, :vis]
    return logits


def _dg_metadata(context_lens, block_kv, num_sms):
    assert context_lens.dim() == 2 and block_kv == 64
    return torch.zeros(num_sms + 1, 2, dtype=torch.int32)


def _dg_functions(new_names: bool):
    if new_names:
        return {"fp8_fp4_mqa_logits": _dg_mqa, "fp8_fp4_paged_mqa_logits": _dg_paged,
                "get_paged_mqa_logits_metadata": _dg_metadata, "get_num_sms": lambda: 132}
    return {"fp8_mqa_logits": _dg_mqa, "fp8_paged_mqa_logits": _dg_paged,
            "get_paged_mqa_logits_metadata": _dg_metadata, "get_num_sms": lambda: 132}


@pytest.mark.native
@pytest.mark.parametrize("new_names", [False, True])
def test_deep_gemm_mqa_logits(cuda_sim, fake_deep_gemm, new_names):
    rec = fake_deep_gemm(_dg_functions(new_names))
    op = ops.Fp8MqaLogits()
    assert op.provider == "deep_gemm"
    q, k, s, w, ks, ke = make_mqa_inputs(5, 32, 64, 23, torch.float8_e4m3fn, seed=1)
    out = op(q, (k, s), w, ks, ke)
    name = "fp8_fp4_mqa_logits" if new_names else "fp8_mqa_logits"
    assert rec.names_called() == [name]
    args, kwargs = rec.calls[0][1], rec.calls[0][2]
    assert (args[0][0] is q and args[0][1] is None) if new_names else args[0] is q
    assert args[1][0] is k and kwargs == {"clean_logits": True}
    want, mag = mqa_reference64(q, k, s, w, ks, ke)
    assert_logits_close(out, want, mag, fp32_rtol(64, 32))


@pytest.mark.native
@pytest.mark.parametrize("next_n", [1, 2])
def test_deep_gemm_paged_logits_two_d_lengths(cuda_sim, fake_deep_gemm, next_n):
    rec = fake_deep_gemm(_dg_functions(True))
    q, cache, w, cl, bt, L = make_paged_inputs(3, next_n, 64, 32, 64, [1, 70, 130], torch.float8_e4m3fn, seed=3)
    out = ops.Fp8PagedMqaLogits()(q, cache, w, cl, bt, L)
    assert rec.names_called() == ["get_num_sms", "get_paged_mqa_logits_metadata", "fp8_fp4_paged_mqa_logits"]
    lens2d = rec.calls[2][1][3]
    want2d = (cl.long().unsqueeze(1) - next_n + 1 + torch.arange(next_n)).clamp_min(0)
    assert lens2d.dtype == torch.int32 and torch.equal(lens2d.long(), want2d)
    assert rec.calls[2][2] == {"clean_logits": False}
    want, mag = paged_reference64(q, cache, w, cl, bt, L)
    assert_logits_close(out, want, mag, fp32_rtol(32, 64))  # adapter cleaned the NaN tail to -inf


@pytest.mark.interp
def test_deep_gemm_unsupported_shapes_run_triton(cuda_sim, fake_deep_gemm):
    # 8 heads and block size 16 are outside DeepGEMM's Hopper kernels: the adapter runs Triton.
    rec = fake_deep_gemm(_dg_functions(False))
    q, k, s, w, ks, ke = make_mqa_inputs(4, 8, 32, 9, torch.float8_e4m3fn, seed=2)
    out = ops.Fp8MqaLogits()(q, (k, s), w, ks, ke)
    q2, cache, w2, cl, bt, L = make_paged_inputs(2, 1, 64, 32, 16, [5, 20], torch.float8_e4m3fn, seed=2)
    out2 = ops.Fp8PagedMqaLogits()(q2, cache, w2, cl, bt, L)
    assert rec.calls == []
    want, mag = mqa_reference64(q, k, s, w, ks, ke)
    assert_logits_close(out, want, mag, fp32_rtol(32, 8))
    want, mag = paged_reference64(q2, cache, w2, cl, bt, L)
    assert_logits_close(out2, want, mag, fp32_rtol(32, 64))


@pytest.mark.native
def test_deep_gemm_probe_rejects_wrong_signature_and_flag_off(cuda_sim, fake_deep_gemm, flags):
    def wrong(q, kv, weights, starts, ends):  # no clean_logits, renamed bounds
        raise AssertionError("must not be called")

    fake_deep_gemm({"fp8_mqa_logits": wrong})
    (e,) = explain(["fp8_mqa_logits"])
    reasons = {c["provider"]: c["reason"] for c in e["candidates"]}
    assert e["selected"] == "triton" and "no usable mqa logits" in reasons["deep_gemm"]
    (e,) = explain(["fp8_paged_mqa_logits"])
    assert e["selected"] == "triton"
    fake_deep_gemm(_dg_functions(True))
    with flags(VLLM_USE_DEEP_GEMM="0"):
        (e,) = explain(["sparse_attn_indexer_decode"])
        assert e["selected"] == "triton"
        assert "VLLM_USE_DEEP_GEMM is off" in {c["provider"]: c["reason"] for c in e["candidates"]}["deep_gemm"]


@pytest.mark.native
def test_param_names_from_pybind_docstring():
    class PybindLike:
        __doc__ = ("fp8_mqa_logits(q: torch.Tensor, kv: tuple[torch.Tensor, torch.Tensor], weights: "
                   "torch.Tensor, cu_seq_len_k_start: torch.Tensor, cu_seq_len_k_end: torch.Tensor, "
                   "clean_logits: bool = True, max_seqlen_k: int = 0) -> torch.Tensor\n")

        @property
        def __signature__(self):
            raise ValueError("no signature found for builtin")

        def __call__(self, *args, **kwargs):
            return None

    assert dg_adapter.param_names(PybindLike()) == [
        "q", "kv", "weights", "cu_seq_len_k_start", "cu_seq_len_k_end", "clean_logits", "max_seqlen_k"]


# ------------------------------------------------------------------ aiter test double

def _aiter_mqa(Q, KV, kv_scales, weights, cu_starts, cu_ends, clean_logits=True):
    out = torch.full((Q.shape[0], KV.shape[0] + 3), float("-inf"))[:, :KV.shape[0]]
    ref.fp8_mqa_logits(Q, KV, kv_scales, weights, cu_starts, cu_ends, out, True)
    return out


def _aiter_mqa_old(Q, KV, kv_scales, weights, cu_starts, cu_ends):
    return _aiter_mqa(Q, KV, kv_scales, weights, cu_starts, cu_ends)


def _aiter_paged(q_fp8, kv_cache, weights, out_logits, context_lens, kv_indices, max_model_len,
                 Preshuffle=False, KVBlockSize=1, ChunkK=256, TotalCuCount=None, WavePerEU=2):
    """Writes only the visible positions (the caller prefills -inf), as aiter's kernel."""
    assert KVBlockSize == 1 and not Preshuffle and kv_cache.dtype == q_fp8.dtype
    full = torch.empty_like(out_logits)
    ref.fp8_paged_mqa_logits(q_fp8, kv_cache.view(torch.uint8), weights, context_lens, kv_indices, full, True)
    keep = torch.isfinite(full)
    out_logits[keep] = full[keep]


def _aiter_env(flags):
    return flags(VLLM_ROCM_USE_AITER="1")


@pytest.mark.rocm_sim
@pytest.mark.parametrize("module", ["ops.triton.attention.fp8_mqa_logits", "ops.triton.fp8_mqa_logits"])
def test_aiter_mqa_logits_fnuz(rocm_sim, fake_aiter, flags, module):
    old = module == "ops.triton.fp8_mqa_logits"
    rec = fake_aiter({f"{module}.fp8_mqa_logits": _aiter_mqa_old if old else _aiter_mqa})
    with _aiter_env(flags):
        op = ops.Fp8MqaLogits()
        assert op.provider == "aiter"
        q, k, s, w, ks, ke = make_mqa_inputs(6, 16, 32, 21, torch.float8_e4m3fnuz, seed=4)
        out = op(q, (k, s), w, ks, ke)
    assert rec.names_called() == [f"{module}.fp8_mqa_logits"]
    assert rec.calls[0][2] == ({} if old else {"clean_logits": True})
    want, mag = mqa_reference64(q, k, s, w, ks, ke)
    assert_logits_close(out, want, mag, fp32_rtol(32, 16))


@pytest.mark.rocm_sim
def test_aiter_paged_block_size_one_and_fallback(rocm_sim, fake_aiter, flags):
    rec = fake_aiter({"ops.triton.attention.pa_mqa_logits.deepgemm_fp8_paged_mqa_logits": _aiter_paged})
    with _aiter_env(flags):
        op = ops.Fp8PagedMqaLogits()
        assert op.provider == "aiter"
        q, cache, w, cl, bt, L = make_paged_inputs(2, 2, 4, 32, 1, [3, 9], torch.float8_e4m3fnuz, seed=5)
        out = op(q, cache, w, cl, bt, L)
        assert rec.names_called() == ["ops.triton.attention.pa_mqa_logits.deepgemm_fp8_paged_mqa_logits"]
        assert rec.calls[0][2] == {"KVBlockSize": 1, "Preshuffle": False}
        want, mag = paged_reference64(q, cache, w, cl, bt, L)
        assert_logits_close(out, want, mag, fp32_rtol(32, 4))
        # block_size 16: aiter's kernel cannot address it; the adapter runs Triton instead.
        q, cache, w, cl, bt, L = make_paged_inputs(2, 1, 4, 32, 16, [3, 20], torch.float8_e4m3fnuz, seed=6)
        out = op(q, cache, w, cl, bt, L)
        assert len(rec.calls) == 1
        want, mag = paged_reference64(q, cache, w, cl, bt, L)
        assert_logits_close(out, want, mag, fp32_rtol(32, 4))


@pytest.mark.rocm_sim
def test_aiter_indexer_subflag_off(rocm_sim, fake_aiter, flags):
    fake_aiter({"ops.triton.attention.fp8_mqa_logits.fp8_mqa_logits": _aiter_mqa})
    with flags(VLLM_ROCM_USE_AITER="1", VLLM_ROCM_USE_AITER_INDEXER="0"):
        (e,) = explain(["fp8_mqa_logits"])
        assert e["selected"] == "triton"
        assert "VLLM_ROCM_USE_AITER_INDEXER is off" in {c["provider"]: c["reason"] for c in e["candidates"]}["aiter"]


@pytest.mark.rocm_sim
def test_aiter_probe_rejects_wrong_signature(rocm_sim, fake_aiter, flags):
    def wrong(q, k, scales, w, starts, ends):
        raise AssertionError("must not be called")

    fake_aiter({"ops.triton.fp8_mqa_logits.fp8_mqa_logits": wrong})
    with _aiter_env(flags):
        (e,) = explain(["fp8_mqa_logits"])
        reasons = {c["provider"]: c["reason"] for c in e["candidates"]}
        assert e["selected"] == "triton" and "expected ['Q', 'KV'" in reasons["aiter"]
