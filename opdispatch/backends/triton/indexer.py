"""Launchers for the indexer's Triton kernels (``indexer_kernels.py``).

Each launcher takes the op's kernel signature (inputs already validated by
``opdispatch.ops.indexer``, outputs preallocated) and returns None. Configs are chosen
deterministically from the shape (no autotuning at call time: nothing compiles during CUDA-graph
capture once a shape has run). ``config=`` overrides the choice; benchmarks use it to compare
the named configs in ``MQA_LOGITS_CONFIGS`` / ``PAGED_LOGITS_CONFIGS`` (see docs/ops/indexer.md).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, replace

import torch
import triton

from opdispatch.backends.triton.gluon_compat import hopper_gluon_capable
from opdispatch.backends.triton.indexer_kernels import (
    k_quant_and_cache_kernel,
    mqa_logits_kernel,
    paged_mqa_logits_kernel,
)
from opdispatch.dispatch.platform import cuda_device_capability, device_sm_count


@dataclass(frozen=True)
class MqaLogitsConfig:
    block_n: int       # keys per program (the dot's M)
    num_warps: int
    num_stages: int    # software-pipeline depth of the query-row loop
    target_programs: int = 1024  # row chunk is sized so the grid has about this many programs
    rows_per_iter: int = 1       # query rows stacked into one dot (N = rows_per_iter * heads)
    overlap: bool = False        # next row's dot in flight during a row's epilogue (rows_per_iter 1)
    unroll: int = 1              # query rows per loop iteration, each its own dot (rows_per_iter 1)
    # q rows through a host-side TMA descriptor where that can run (CUDA sm_90+, or the
    # interpreter on a CUDA-like platform; q of shape [S, H, D] contiguous with H and D powers of
    # two): the loop's pipeliner then stages q with TMA copies. Elsewhere the config runs with
    # pointer loads (the default config: MQA_LOGITS_NO_TMA_DEFAULT instead). Plain and unrolled
    # loops only.
    tma_q: bool = False
    # The warp-specialized Gluon kernel (indexer_gluon.py: a TMA producer warp, two consumer
    # warpgroups of block_n / 2 keys, rows' wgmmas overlapping earlier rows' epilogues) where it
    # can run (``ws_ok``: CUDA sm_90, Gluon, TMA-readable q / k / weights); elsewhere
    # MQA_LOGITS_NO_WS_DEFAULT runs instead (the fields above other than block_n, num_warps,
    # num_stages and target_programs do not apply to ws). block_n 128 or 256 (64 or 128 keys
    # per consumer) and num_warps 4;
    # num_stages is the depth of the q / weights ring; ws_maxnreg the launch register cap per
    # thread (80: two CTAs of 12 warps per SM), ws_consumer_regs the worker consumer's share
    # (the producer warp gets 24, the default consumer the rest).
    ws: bool = False
    ws_maxnreg: int = 80
    ws_consumer_regs: int = 104
    ws_a_regs: bool = False   # the key tile in registers as the wgmma's A operand (ws only)
    # Consumer rows in pairs, the first's epilogue pinned under the second's wgmma (_ws_rows_pair).
    ws_pair: bool = False
    # Diagnostics only (wrong logits; benchmarks): with ws_pair, 1 skips the epilogue, 2 the wgmmas.
    ws_diag: int = 0
    # Consumer rows in unrolled groups of ws_group (4 or 8; 0: off), two wgmmas in flight, row
    # i's epilogue under row i + 1's wgmma (_ws_rows_group); rows left over as ws_pair.
    ws_group: int = 0
    # Query rows per ring slot (1 or 4; 4: one wait and one release per 4 rows, _ws_rows_quad;
    # num_stages then counts slots of 4 rows). ws_pair, ws_group and ws_rows_per_slot=4 are
    # alternative row schedules (at most one; ``ws_schedule`` names the one a config runs).
    ws_rows_per_slot: int = 1
    # Key tiles inside the window of every row the program computes (the tile decides at run
    # time, from the rows' bounds) run a copy of the row loop without the window loads and
    # mask (ws only, with clean logits).
    ws_inner: bool = False
    # The key tile's TMA copy issued at the kernel's start, before the row bounds are read,
    # instead of by the producer warp after them (ws only).
    ws_early_k: bool = False
    # Even shares instead of one (key tile, row chunk) per CTA (indexer_gluon's
    # mqa_logits_wsp_kernel): ws_pieces * num_sms CTAs, each taking 1 / G of the (key tile,
    # 4-row slot) pairs in tile-major order, across key-tile boundaries (0: the grid kernel).
    # Needs ws_rows_per_slot=4 and ws_a_regs; ws_early_k does not apply (the producer loads
    # each tile's keys as soon as the consumers have read the last one's).
    ws_pieces: int = 0
    # The shares kernel's row chunk (the granularity of its window bounds; 0: as the grid
    # kernel's, ``_row_chunk``). A power of two in [16, 256].
    ws_share_rows: int = 0

    def __post_init__(self):
        if self.ws_pieces < 0 or (self.ws_pieces and not (
                self.ws and self.ws_rows_per_slot == 4 and self.ws_a_regs)):
            raise ValueError("MqaLogitsConfig: ws_pieces > 0 needs ws, ws_rows_per_slot=4 "
                             "and ws_a_regs")
        if self.ws_share_rows and (self.ws_share_rows & (self.ws_share_rows - 1)
                                   or not 16 <= self.ws_share_rows <= 256):
            raise ValueError("MqaLogitsConfig: ws_share_rows must be 0 or a power of two in "
                             f"[16, 256], got {self.ws_share_rows}")
        if self.tma_q and (self.rows_per_iter != 1 or self.overlap):
            raise ValueError("MqaLogitsConfig: tma_q needs rows_per_iter=1 and overlap=False")
        if self.ws and (self.block_n not in (128, 256) or self.num_warps != 4):
            raise ValueError("MqaLogitsConfig: ws needs block_n 128 or 256 and num_warps=4")
        if self.ws_group not in (0, 4, 8):
            raise ValueError("MqaLogitsConfig: ws_group must be 0, 4 or 8")
        if self.ws_rows_per_slot not in (1, 4):
            raise ValueError("MqaLogitsConfig: ws_rows_per_slot must be 1 or 4")
        if (self.ws_rows_per_slot == 4) + bool(self.ws_group) + self.ws_pair > 1:
            raise ValueError("MqaLogitsConfig: ws_rows_per_slot=4, ws_group and ws_pair are "
                             "row schedules: choose one")
        if self.ws_diag not in (0, 1, 2) or (self.ws_diag and self.ws_schedule != "pair"):
            raise ValueError("MqaLogitsConfig: ws_diag must be 0, or 1 / 2 with ws_pair alone")

    @property
    def ws_schedule(self) -> str:
        """The consumers' row schedule in the ws kernel (indexer_gluon.mqa_logits_ws_kernel's
        SCHED): "quad", "group4" / "group8", "pair" or "rows"."""
        if self.ws_rows_per_slot == 4:
            return "quad"
        if self.ws_group:
            return f"group{self.ws_group}"
        return "pair" if self.ws_pair else "rows"


@dataclass(frozen=True)
class PagedLogitsConfig:
    block_n: int       # tokens per tile (the dot's M)
    tiles: int         # tiles per program (a pipelined loop)
    num_warps: int
    num_stages: int
    hoist_q: bool = False   # the sequence's query rows and weights loaded once per program
    # Fewer tiles per program (halved, down to 1) while the grid would have fewer programs than
    # this: long programs for large batches, a full GPU for small ones. 0: tiles as given.
    min_programs: int = 0


def _ws256(num_stages: int, target_programs: int = 512, a_regs: bool = False,
           pair: bool = False, group: int = 0, rps: int = 1, inner: bool = False,
           early_k: bool = False, pieces: int = 0, share_rows: int = 0) -> MqaLogitsConfig:
    """A ws config with 128 keys per consumer: one CTA of 12 warps per SM (168 registers a
    thread at launch; 232 for the worker consumer, 248 for the default one, 24 for the producer)."""
    return MqaLogitsConfig(block_n=256, num_warps=4, num_stages=num_stages, ws=True,
                           ws_maxnreg=168, ws_consumer_regs=232, ws_a_regs=a_regs,
                           ws_pair=pair, ws_group=group, ws_rows_per_slot=rps,
                           ws_inner=inner, ws_early_k=early_k, ws_pieces=pieces,
                           ws_share_rows=share_rows,
                           target_programs=target_programs)


MQA_LOGITS_CONFIGS = {
    "n128_w4_s3": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=3),
    "n128_w8_s3": MqaLogitsConfig(block_n=128, num_warps=8, num_stages=3),
    "n256_w8_s3": MqaLogitsConfig(block_n=256, num_warps=8, num_stages=3),
    "n256_w8_s2": MqaLogitsConfig(block_n=256, num_warps=8, num_stages=2),
    "n64_w4_s4": MqaLogitsConfig(block_n=64, num_warps=4, num_stages=4),
    # Two or four query rows per dot: N = 128 / 256 at 64 heads.
    "n128_w8_r2_s3": MqaLogitsConfig(block_n=128, num_warps=8, num_stages=3, rows_per_iter=2),
    "n128_w4_r2_s2": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=2, rows_per_iter=2),
    "n64_w4_r2_s3": MqaLogitsConfig(block_n=64, num_warps=4, num_stages=3, rows_per_iter=2),
    "n128_w8_r4_s2": MqaLogitsConfig(block_n=128, num_warps=8, num_stages=2, rows_per_iter=4),
    # The next row's dot in flight during a row's epilogue (an asynchronous wgmma on Hopper).
    "n128_w4_s3_ov": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=3, overlap=True),
    "n128_w4_s2_ov": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=2, overlap=True),
    "n128_w4_s4_ov": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=4, overlap=True),
    "n64_w4_s3_ov": MqaLogitsConfig(block_n=64, num_warps=4, num_stages=3, overlap=True),
    "n128_w8_s3_ov": MqaLogitsConfig(block_n=128, num_warps=8, num_stages=3, overlap=True),
    "n256_w8_s3_ov": MqaLogitsConfig(block_n=256, num_warps=8, num_stages=3, overlap=True),
    # Two or four rows per loop iteration, each its own dot, stored as one [keys, rows] tile.
    "n128_w4_s2_u2": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=2, unroll=2),
    "n128_w4_s3_u2": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=3, unroll=2),
    "n128_w4_s2_u4": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=2, unroll=4),
    "n64_w4_s2_u4": MqaLogitsConfig(block_n=64, num_warps=4, num_stages=2, unroll=4),
    "n256_w8_s2_u2": MqaLogitsConfig(block_n=256, num_warps=8, num_stages=2, unroll=2),
    "n128_w8_s2_u2": MqaLogitsConfig(block_n=128, num_warps=8, num_stages=2, unroll=2),
    # Smaller row chunks (more programs): less idle time in the grid's last wave.
    "n128_w4_s3_t4k": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=3, target_programs=4096),
    "n128_w4_s3_t8k": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=3, target_programs=8192),
    "n128_w4_s3_u2_t4k": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=3, unroll=2,
                                         target_programs=4096),
    "n128_w4_s3_u2_t8k": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=3, unroll=2,
                                         target_programs=8192),
    "n128_w4_s2_u2_t8k": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=2, unroll=2,
                                         target_programs=8192),
    "n128_w4_s2_u4_t8k": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=2, unroll=4,
                                         target_programs=8192),
    # Session 14: q by TMA, 2 stages, two rows per iteration (4 programs per SM: 117 registers,
    # 50.7 KB of shared memory); t2k: row chunks sized for about 2048 programs.
    "n128_w4_s2_u2_tma": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=2, unroll=2,
                                         tma_q=True),
    "n128_w4_s2_u2_tma_t2k": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=2, unroll=2,
                                             target_programs=2048, tma_q=True),
    # Session 15: the warp-specialized Gluon kernel (ws), q ring of 2 / 4 / 6 stages, row chunks
    # for ~1024 / ~2048 / ~512 programs; where it cannot run, MQA_LOGITS_NO_WS_DEFAULT runs.
    "ws_s4": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=4, ws=True),
    "ws_s2": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=2, ws=True),
    "ws_s6": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=6, ws=True),
    "ws_s4_t2k": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=4, ws=True,
                                 target_programs=2048),
    "ws_s4_t512": MqaLogitsConfig(block_n=128, num_warps=4, num_stages=4, ws=True,
                                  target_programs=512),
    # 128 keys per consumer (_ws256); _ar: the key tile in registers.
    "ws_n256_s4": _ws256(4),
    "ws_n256_s8": _ws256(8),
    "ws_n256_s12": _ws256(12),
    "ws_n256_s8_ar": _ws256(8, a_regs=True),
    "ws_n256_s12_ar": _ws256(12, a_regs=True),
    "ws_n256_s8_ar_t256": _ws256(8, 256, a_regs=True),
    "ws_n256_s8_ar_t1k": _ws256(8, 1024, a_regs=True),
    "ws_n256_s8_t1k": _ws256(8, 1024),
    "ws_n256_s8_t256": _ws256(8, 256),
    # Session 16: consumer rows in pairs, the first's epilogue under the second's wgmma.
    "ws_n256_s8_ar_pair": _ws256(8, a_regs=True, pair=True),
    "ws_n256_s12_ar_pair": _ws256(12, a_regs=True, pair=True),
    "ws_n256_s8_pair": _ws256(8, pair=True),
    # Session 16: groups of 4 rows, two wgmmas in flight.
    "ws_n256_s12_ar_g4": _ws256(12, a_regs=True, group=4),
    # Session 16: slots of 4 rows (num_stages counts slots: 3 / 4 = 12 / 16 rows).
    "ws_n256_q3_ar": _ws256(3, a_regs=True, rps=4),
    "ws_n256_q4_ar": _ws256(4, a_regs=True, rps=4),
    # Session 17: tiles inside every row's window skip the window mask (_in); row chunks for
    # ~1024 programs (_t1k).
    "ws_n256_q4_ar_in": _ws256(4, a_regs=True, rps=4, inner=True),
    "ws_n256_q4_ar_in_t1k": _ws256(4, 1024, a_regs=True, rps=4, inner=True),
    "ws_n256_q3_ar_in": _ws256(3, a_regs=True, rps=4, inner=True),
    # Session 17: the key tile's copy before the row bounds (_ek).
    "ws_n256_q4_ar_in_ek": _ws256(4, a_regs=True, rps=4, inner=True, early_k=True),
    # Session 20: even shares of the work, 1 / 2 / 4 CTAs per SM's worth (_p1 .. _p4).
    "ws_n256_q4_ar_in_p1": _ws256(4, a_regs=True, rps=4, inner=True, pieces=1),
    "ws_n256_q4_ar_in_p2": _ws256(4, a_regs=True, rps=4, inner=True, pieces=2),
    "ws_n256_q4_ar_in_p4": _ws256(4, a_regs=True, rps=4, inner=True, pieces=4),
    "ws_n256_q3_ar_in_p1": _ws256(3, a_regs=True, rps=4, inner=True, pieces=1),
    "ws_n256_q4_ar_p1": _ws256(4, a_regs=True, rps=4, pieces=1),
    "ws_n256_q4_ar_in_p1_r256": _ws256(4, a_regs=True, rps=4, inner=True, pieces=1,
                                       share_rows=256),
    "ws_n256_q3_ar_in_p1_r256": _ws256(3, a_regs=True, rps=4, inner=True, pieces=1,
                                       share_rows=256),
}
# The default (since session 15 the warp-specialized Gluon kernel; since session 16 with
# slots of 4 rows), the one that runs where
# that cannot (``ws_ok``; also for any ws config there), and the one that runs where TMA q
# cannot either (see MqaLogitsConfig).
MQA_LOGITS_DEFAULT = "ws_n256_q4_ar_in_ek"
MQA_LOGITS_NO_WS_DEFAULT = "n128_w4_s2_u2_tma_t2k"
MQA_LOGITS_NO_TMA_DEFAULT = "n128_w4_s3_u2"

PAGED_LOGITS_CONFIGS = {
    "n128_t1_w4": PagedLogitsConfig(block_n=128, tiles=1, num_warps=4, num_stages=1),
    "n256_t1_w8": PagedLogitsConfig(block_n=256, tiles=1, num_warps=8, num_stages=1),
    "n128_t4_w4_s2": PagedLogitsConfig(block_n=128, tiles=4, num_warps=4, num_stages=2),
    "n256_t4_w8_s2": PagedLogitsConfig(block_n=256, tiles=4, num_warps=8, num_stages=2),
    "n64_t8_w4_s3": PagedLogitsConfig(block_n=64, tiles=8, num_warps=4, num_stages=3),
    # Session 14: q and the weights hoisted out of the tile loop (_hq), and longer programs.
    "n128_t4_w4_s2_hq": PagedLogitsConfig(block_n=128, tiles=4, num_warps=4, num_stages=2,
                                          hoist_q=True),
    "n128_t8_w4_s2_hq": PagedLogitsConfig(block_n=128, tiles=8, num_warps=4, num_stages=2,
                                          hoist_q=True),
    "n128_t8_w4_s3_hq": PagedLogitsConfig(block_n=128, tiles=8, num_warps=4, num_stages=3,
                                          hoist_q=True),
    "n128_t16_w4_s3_hq": PagedLogitsConfig(block_n=128, tiles=16, num_warps=4, num_stages=3,
                                           hoist_q=True),
    "n256_t4_w8_s2_hq": PagedLogitsConfig(block_n=256, tiles=4, num_warps=8, num_stages=2,
                                          hoist_q=True),
    "n128_t16_w4_s3_hq_p512": PagedLogitsConfig(block_n=128, tiles=16, num_warps=4, num_stages=3,
                                                hoist_q=True, min_programs=512),
}
PAGED_LOGITS_DEFAULT = "n128_t16_w4_s3_hq_p512"

# Smallest tile sizes the tensor-core dot accepts for fp8 (wgmma k32; n, m >= 16).
_MIN_DOT_K = 32
_MIN_DOT_N = 16


def _dot_pad(n: int, minimum: int) -> int:
    return max(minimum, triton.next_power_of_2(n))


def _row_chunk(rows: int, key_tiles: int, target_programs: int) -> int:
    """Rows per program: a power of two in [16, 256] that gives about ``target_programs`` programs.

    Small chunks keep causal/ragged skipping tight (a chunk computes from its first to its last
    row that meets the key tile); large chunks amortise the key-tile load."""
    want = max(1, (rows * key_tiles) // max(1, target_programs))
    return min(256, max(16, triton.next_power_of_2(want)))


def fp8_mqa_logits(
    q: torch.Tensor,
    k: torch.Tensor,
    k_scale: torch.Tensor,
    weights: torch.Tensor,
    cu_seqlen_ks: torch.Tensor,
    cu_seqlen_ke: torch.Tensor,
    out: torch.Tensor,
    clean_logits: bool,
    config: MqaLogitsConfig | None = None,
) -> None:
    S, H, D = q.shape
    N = k.shape[0]
    if S == 0 or N == 0:
        return
    cfg = mqa_logits_config(q, config, k=k, weights=weights)
    if cfg.ws:
        _mqa_logits_ws(q, k, k_scale, weights, cu_seqlen_ks, cu_seqlen_ke, out, clean_logits, cfg)
        return
    block_n = min(cfg.block_n, max(16, triton.next_power_of_2(N)))
    key_tiles = triton.cdiv(N, block_n)
    rows = _row_chunk(S, key_tiles, cfg.target_programs)
    grid = (key_tiles, triton.cdiv(S, rows))
    q_desc = None
    if cfg.tma_q:
        from triton.tools.tensor_descriptor import TensorDescriptor
        q_desc = TensorDescriptor.from_tensor(q.view(S * H, D), [H, D])
    mqa_logits_kernel[grid](
        q_desc, q, k, k_scale, weights, cu_seqlen_ks, cu_seqlen_ke, out,
        S, N,
        q.stride(0), q.stride(1), k.stride(0), weights.stride(0), weights.stride(1), out.stride(0),
        HEADS=H, DIM=D, BLOCK_H=_dot_pad(H, _MIN_DOT_N), BLOCK_D=_dot_pad(D, _MIN_DOT_K),
        BLOCK_N=block_n, ROWS=rows, CLEAN=clean_logits, NUM_STAGES=cfg.num_stages,
        ROWS_PER_ITER=cfg.rows_per_iter, OVERLAP=cfg.overlap, UNROLL=cfg.unroll,
        TMA_Q=cfg.tma_q, num_warps=cfg.num_warps,
    )


def mqa_logits_config(q: torch.Tensor, config: MqaLogitsConfig | None = None, *,
                      k: torch.Tensor | None = None,
                      weights: torch.Tensor | None = None) -> MqaLogitsConfig:
    """The config fp8_mqa_logits runs: ``config`` or the default. A warp-specialized (ws)
    config runs only where ``ws_ok(q, k, weights)`` holds (without k and weights it is not
    used); elsewhere MQA_LOGITS_NO_WS_DEFAULT (the tl.dot kernel) runs instead. TMA q only where
    ``tma_q_ok(q)`` holds; otherwise a given (non-ws) config runs with pointer loads
    (``tma_q=False``) and a default MQA_LOGITS_NO_TMA_DEFAULT. Deterministic in the inputs'
    shapes, strides, alignment and device."""
    cfg = config or MQA_LOGITS_CONFIGS[MQA_LOGITS_DEFAULT]
    chosen = config is not None and not cfg.ws
    if cfg.ws and not (k is not None and weights is not None and ws_ok(q, k, weights)):
        cfg = MQA_LOGITS_CONFIGS[MQA_LOGITS_NO_WS_DEFAULT]
    if cfg.tma_q and not tma_q_ok(q):
        cfg = replace(cfg, tma_q=False) if chosen else MQA_LOGITS_CONFIGS[MQA_LOGITS_NO_TMA_DEFAULT]
    return cfg


def tma_q_ok(q: torch.Tensor) -> bool:
    """Whether q [S, H, D] can be read through a TMA descriptor over its [S * H, D] view, block
    [H, D]: H and D powers of two (the block is the whole row; H >= 16 and D >= 32, the dot's
    minimum tile), q contiguous and 16-byte aligned, S * H < 2^31 (TMA coordinates are int32),
    on a device with TMA (CUDA sm_90+ with Triton's tensor descriptors) or in Triton's
    interpreter on a non-ROCm platform (which emulates the descriptor loads: how the CPU tiers
    test this path)."""
    S, H, D = q.shape
    if H != _dot_pad(H, _MIN_DOT_N) or D != _dot_pad(D, _MIN_DOT_K):
        return False
    if q.stride() != (H * D, D, 1) or q.data_ptr() % 16 != 0 or S * H >= 2 ** 31:
        return False
    if q.device.type == "cpu":
        from opdispatch.dispatch.platform import current_platform
        return os.environ.get("TRITON_INTERPRET", "0") == "1" and not current_platform().is_rocm()
    return _tma_capable(q.device)


@functools.cache
def _tma_capable(device: torch.device) -> bool:
    """Once per device (not on every call's host path)."""
    cap = cuda_device_capability(device)
    if cap is None or cap < (9, 0):
        return False
    try:
        from triton.tools.tensor_descriptor import TensorDescriptor  # noqa: F401
    except ImportError:
        return False
    return True


def ws_ok(q: torch.Tensor, k: torch.Tensor, weights: torch.Tensor) -> bool:
    """Whether the warp-specialized Gluon kernel can run: CUDA sm_90 (its wgmma is Hopper's;
    not in the interpreter, which does not run Gluon), Gluon importable, q TMA-readable as for
    ``tma_q_ok`` with 32 <= H <= 64 (two accumulators of [64, H] per consumer in its registers;
    a row's weights, H float32, are one TMA copy into a ring slot, and those must be 128-byte
    aligned: H = 16 faulted on the H100) and 32 <= D <= 256 (a TMA box), fp8 e4m3fn, k [N, D] with unit column stride, 16-byte
    aligned rows and base, and weights [S, H] contiguous and 16-byte aligned (read by TMA)."""
    S, H, D = q.shape
    if q.device.type != "cuda" or not (32 <= H <= 64) or not (32 <= D <= 256):
        return False
    if q.dtype != torch.float8_e4m3fn or k.dtype != q.dtype or not tma_q_ok(q):
        return False
    if k.stride(1) != 1 or k.stride(0) % 16 != 0 or k.data_ptr() % 16 != 0:
        return False
    if weights.stride() != (H, 1) or weights.data_ptr() % 16 != 0:
        return False
    return hopper_gluon_capable(q.device)


def _mqa_logits_ws(q, k, k_scale, weights, cu_seqlen_ks, cu_seqlen_ke, out, clean_logits,
                   cfg: MqaLogitsConfig) -> None:
    """Launch the warp-specialized Gluon kernel (``ws_ok`` holds)."""
    from triton.experimental.gluon import language as gl
    from triton.experimental.gluon.nvidia.hopper import TensorDescriptor

    from opdispatch.backends.triton.indexer_gluon import mqa_logits_ws_kernel

    S, H, D = q.shape
    N = k.shape[0]
    fp8 = gl.float8e4nv
    keys = cfg.block_n // 2
    rps = 4 if cfg.ws_schedule == "quad" else 1
    q_desc = TensorDescriptor.from_tensor(
        q.view(S * H, D), [rps * H, D], gl.NVMMASharedLayout.get_default_for([rps * H, D], fp8))
    k_desc = TensorDescriptor.from_tensor(
        k, [keys, D], gl.NVMMASharedLayout.get_default_for([keys, D], fp8))
    w_desc = TensorDescriptor.from_tensor(
        weights.view(S * H), [rps * H], gl.NVMMASharedLayout.get_default_for([rps * H], gl.float32))
    key_tiles = triton.cdiv(N, cfg.block_n)
    rows = _row_chunk(S, key_tiles, cfg.target_programs)
    tmax = max(32, triton.next_power_of_2(key_tiles))   # 16: ptxas spilled (triton 3.6)
    if cfg.ws_pieces and tmax <= _WSP_MAX_TILES and triton.cdiv(S, rps) * tmax <= _WSP_MAX_TABLE:
        from opdispatch.backends.triton.indexer_gluon import mqa_logits_wsp_kernel
        shares = min(key_tiles * triton.cdiv(S, rps), cfg.ws_pieces * device_sm_count(q.device, 1))
        mqa_logits_wsp_kernel[(shares,)](
            q_desc, k_desc, w_desc, k_scale, cu_seqlen_ks, cu_seqlen_ke, out,
            S, N, shares, out.stride(0),
            HEADS=H, DIM=D, ROWS=cfg.ws_share_rows or rows, CLEAN=clean_logits,
            NUM_STAGES=cfg.num_stages, CONSUMER_REGS=cfg.ws_consumer_regs, PRODUCER_REGS=48,
            KEYS=keys,
            INNER=cfg.ws_inner, TMAX=tmax, num_warps=4, maxnreg=cfg.ws_maxnreg,
        )
        return
    mqa_logits_ws_kernel[(key_tiles, triton.cdiv(S, rows))](
        q_desc, k_desc, w_desc, k_scale, cu_seqlen_ks, cu_seqlen_ke, out,
        S, N, out.stride(0),
        HEADS=H, DIM=D, ROWS=rows, CLEAN=clean_logits, NUM_STAGES=cfg.num_stages,
        CONSUMER_REGS=cfg.ws_consumer_regs, KEYS=keys, A_REGS=cfg.ws_a_regs,
        SCHED=cfg.ws_schedule, DIAG=cfg.ws_diag, INNER=cfg.ws_inner,
        EARLY_K=cfg.ws_early_k, num_warps=4,
        maxnreg=cfg.ws_maxnreg,
    )


# The shares kernel (ws_pieces) only where every CTA's table of slot / key-tile contacts
# (indexer_gluon._wsp_share: cdiv(S, 4) x TMAX entries, TMAX the key tiles rounded up to a
# power of two) stays small; elsewhere the grid kernel, whose many CTAs fill the SMs anyway.
_WSP_MAX_TILES = 512
_WSP_MAX_TABLE = 1 << 18


def _cache_views(kv_cache: torch.Tensor, fp8_dtype: torch.dtype):
    """The same bytes seen as fp8 (values) and as float32 (scales); strides of a block in each."""
    as_fp8 = kv_cache.view(fp8_dtype)
    as_f32 = kv_cache.view(torch.float32)
    return as_fp8, as_f32, kv_cache.stride(0), kv_cache.stride(0) // 4


def fp8_paged_mqa_logits(
    q: torch.Tensor,
    kv_cache: torch.Tensor,
    weights: torch.Tensor,
    context_lens: torch.Tensor,
    block_tables: torch.Tensor,
    out: torch.Tensor,
    clean_logits: bool,
    config: PagedLogitsConfig | None = None,
) -> None:
    B, next_n, H, D = q.shape
    max_model_len = out.shape[1]
    if B == 0 or max_model_len == 0:
        return
    cfg = config or PAGED_LOGITS_CONFIGS[PAGED_LOGITS_DEFAULT]
    block_size = kv_cache.shape[1]
    block_n = min(cfg.block_n, max(16, triton.next_power_of_2(max_model_len)))
    tiles = paged_tiles_per_program(cfg, B, max_model_len, block_n)
    as_fp8, as_f32, stride_blk, stride_blk_f32 = _cache_views(kv_cache, q.dtype)
    grid = (B, triton.cdiv(max_model_len, block_n * tiles))
    paged_mqa_logits_kernel[grid](
        q, as_fp8, as_f32, weights, context_lens, block_tables, out,
        max_model_len,
        q.stride(0), q.stride(1), q.stride(2), weights.stride(0), weights.stride(1),
        block_tables.stride(0), stride_blk, stride_blk_f32, out.stride(0),
        NEXT_N=next_n, HEADS=H, DIM=D, BLOCK_H=_dot_pad(H, _MIN_DOT_N),
        BLOCK_D=_dot_pad(D, _MIN_DOT_K), BLOCK_SIZE=block_size, BLOCK_N=block_n, TILES=tiles,
        CLEAN=clean_logits, NUM_STAGES=cfg.num_stages, HOIST_Q=cfg.hoist_q,
        num_warps=cfg.num_warps,
    )


def paged_tiles_per_program(cfg: PagedLogitsConfig, B: int, max_model_len: int, block_n: int) -> int:
    """Key tiles per program of the paged kernel: cfg.tiles, at most the row's tiles, halved
    (down to 1) while the grid (B x programs per row) would hold fewer than cfg.min_programs."""
    n_tiles = triton.cdiv(max_model_len, block_n)
    tiles = max(1, min(cfg.tiles, n_tiles))
    while tiles > 1 and B * triton.cdiv(n_tiles, tiles) < cfg.min_programs:
        tiles //= 2
    return tiles


def indexer_k_quant_and_cache(
    k: torch.Tensor,
    kv_cache: torch.Tensor,
    slot_mapping: torch.Tensor,
    use_ue8m0: bool,
    fp8_is_fnuz: bool,
) -> None:
    T, D = k.shape
    if T == 0:
        return
    fp8_max = 224.0 if fp8_is_fnuz else 448.0
    block_d = triton.next_power_of_2(D)
    k_quant_and_cache_kernel[(T,)](
        k, kv_cache, kv_cache.view(torch.float32), slot_mapping,
        k.stride(0), kv_cache.stride(0), kv_cache.stride(0) // 4, fp8_max,
        DIM=D, BLOCK_D=block_d, BLOCK_SIZE=kv_cache.shape[1], USE_UE8M0=use_ue8m0, FNUZ=fp8_is_fnuz,
        num_warps=1 if block_d <= 256 else 4,
    )


def describe_mqa_logits(platform) -> str:
    """Which fp8_mqa_logits kernel runs on ``platform`` (``opdispatch explain``): the rule of
    ``mqa_logits_config``, resolved as far as the device allows without inputs."""
    ws, tma = MQA_LOGITS_DEFAULT, MQA_LOGITS_NO_WS_DEFAULT
    plain = MQA_LOGITS_NO_TMA_DEFAULT
    if platform.is_cuda() and platform.has_real_gpu:
        cap = platform.device_capability
        if cap == (9, 0) and hopper_gluon_capable(torch.device("cuda")):
            return (f"Gluon warp-specialized kernel, config {ws}, where q / k / weights are "
                    f"TMA-readable (ws_ok: e4m3fn, 32 <= H <= 64, contiguous, S*H < 2^31); "
                    f"otherwise tl.dot with q by TMA ({tma}) or pointer loads ({plain}); per "
                    f"call: indexer.mqa_logits_config(q, k=k, weights=w)")
        if _tma_capable(torch.device("cuda")):
            return (f"tl.dot kernel with q by TMA, config {tma} (where tma_q_ok), else {plain} "
                    f"(the Gluon kernel {ws} needs sm_90 and Gluon)")
        return f"tl.dot kernel, config {plain} (no TMA on this device)"
    if platform.is_rocm():
        return f"tl.dot kernel, config {plain} (pointer loads; no TMA or Gluon path on ROCm)"
    return (f"tl.dot kernel, config {tma} (q by TMA, emulated by the interpreter) or {plain}; "
            f"on CUDA sm_90 the Gluon kernel {ws}")


def describe_paged_logits(platform) -> str:
    """Which fp8_paged_mqa_logits kernel runs (``opdispatch explain``)."""
    cfg = PAGED_LOGITS_CONFIGS[PAGED_LOGITS_DEFAULT]
    return (f"tl.dot kernel over the block table, config {PAGED_LOGITS_DEFAULT} ({cfg.block_n} "
            f"tokens a tile, up to {cfg.tiles} tiles a program)")
