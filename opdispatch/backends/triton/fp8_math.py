"""Triton helpers shared by the kernels that quantise to fp8 (quant, fused rope+quant, the
indexer K cache): a NaN-propagating amax and clamp, and the float -> fp8/bf16 cast that the
interpreter gets wrong.

NaN rules (the references' semantics): a NaN anywhere in a group makes its amax, its scale and
its codes NaN; Triton's float ``tl.max`` and ``tl.clamp`` drop NaN on the GPU, so these helpers
compare bit patterns or pass ``propagate_nan``.
"""

from __future__ import annotations

import triton
import triton.language as tl


@triton.jit
def abs_max(x, axis: tl.constexpr):
    """max |x| along ``axis`` of a float32 tile, NaN-propagating: |x| >= 0 orders like its int32
    bit pattern and a NaN's pattern is above inf's (a float ``tl.max`` drops NaN, which would
    hand a NaN input a finite scale)."""
    return tl.max(tl.abs(x).to(tl.int32, bitcast=True), axis=axis).to(tl.float32, bitcast=True)


@triton.jit
def clamp_keep_nan(x, bound):
    """clamp(x, -bound, bound) with NaN kept: a NaN code stays NaN (as torch.clamp), not a
    silent +-bound."""
    x = tl.maximum(x, -bound, propagate_nan=tl.PropagateNan.ALL)
    return tl.minimum(x, bound, propagate_nan=tl.PropagateNan.ALL)


@triton.jit
def ceil_pow2(s):
    """Positive float32 ``s`` rounded up to a power of two on its bits (a non-zero mantissa carries
    into the exponent: exact, unlike exp2(ceil(log2 s))). NaN and inf (scales of a NaN or inf
    input) stay as they are: the carry would wrap them (NaN's 0x7FC00000 to 0x80000000, -0)."""
    bits = s.to(tl.int32, bitcast=True)
    pow2 = ((bits + 0x7FFFFF) & 0x7F800000).to(tl.float32, bitcast=True)
    return tl.where((bits & 0x7F800000) == 0x7F800000, s, pow2)


@triton.jit
def round_to_e4m3_grid(x, SUBNORMAL_EXP: tl.constexpr):
    """Round float32 x (|x| <= fp8 max) to the nearest e4m3 value, ties to even, in float32.

    The cast to fp8 that follows is then exact, so every backend agrees with PyTorch's RNE cast
    (the Triton interpreter's own fp8 cast rounds half up and drops the carry into the exponent).
    SUBNORMAL_EXP is log2 of the subnormal step: -9 for e4m3fn, -10 for e4m3fnuz; the smallest
    normal is 8x that step.
    """
    # Normal range: round the 23-bit mantissa to 3 bits on the integer bits (a carry into the
    # exponent is then just the next binade).
    bits = x.to(tl.int32, bitcast=True)
    bits = (bits + 0x7FFFF + ((bits >> 20) & 1)) & -1048576   # -1048576 == ~0xFFFFF
    normal = bits.to(tl.float32, bitcast=True)
    # Subnormal range: a fixed step; adding and removing a constant whose ulp is that step rounds
    # to it with the FPU's ties-to-even (|x| + magic stays inside magic's binade). Done on |x|
    # with the sign put back from the bits, so a tie down to zero and -0 itself keep the sign
    # (-0, as torch).
    magic: tl.constexpr = 1.5 * 2.0 ** (SUBNORMAL_EXP + 23)
    sub = (tl.abs(x) + magic) - magic
    sub = tl.where(x.to(tl.int32, bitcast=True) < 0, -sub, sub)
    return tl.where(tl.abs(x) < 8.0 * 2.0 ** SUBNORMAL_EXP, sub, normal)


@triton.jit
def cast_rne(v, dtype: tl.constexpr, EMULATE_RNE: tl.constexpr):
    """float32 -> ``dtype`` (bf16/fp16/fp32 or an e4m3 fp8), round to nearest even.

    The Triton interpreter (the CPU test tier) truncates float32 -> bf16, rounds float32 -> fp8
    half-up with a lost carry and turns NaN into a finite fp8 code, so with ``EMULATE_RNE`` the
    value is first rounded on its float32 bits, leaving an exact cast, and NaN gets the format's
    NaN byte (0x7F e4m3fn, 0x80 e4m3fnuz). GPU builds leave it off: the hardware casts round to
    nearest even and keep NaN."""
    if EMULATE_RNE:
        if dtype == tl.bfloat16:
            bits = v.to(tl.int32, bitcast=True)
            bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & -65536
            v = bits.to(tl.float32, bitcast=True)
        elif (dtype == tl.float8e4nv) or (dtype == tl.float8e4b8):
            is_nan = v != v
            v = round_to_e4m3_grid(v, -9 if dtype == tl.float8e4nv else -10)
            nan_bits: tl.constexpr = 0x7F if dtype == tl.float8e4nv else -128
            nan_code = tl.full(v.shape, nan_bits, tl.int8).to(dtype, bitcast=True)
            return tl.where(is_nan, nan_code, v.to(dtype))
    return v.to(dtype)
