"""Launchers of the Triton top-k per row radix select (kernels in ``topk_kernels.py``).

Two modes, chosen from the shape only (never from data, so a CUDA graph replays the same
launches):
- row mode: one kernel; a persistent grid of ``num_sms * progs_per_sm`` programs, each taking
  whole rows one after another (prefill, many rows).
- split mode (few long rows, e.g. decode with 1..64 rows of 131072): three kernels; each row is
  cut into ``split`` slices handled by separate programs for the two passes that read the whole
  row, then one program per row selects among the (few) candidates.

Tuning: every knob is in ``TopKConfig``; ``CONFIGS`` holds the named alternatives and
``DEFAULT_CONFIG`` the one the op uses. ``opdispatch/benchmarks/topk_tune.py`` times them all.
"""

import dataclasses
import functools
import math

import torch
import triton

from opdispatch.backends.triton.topk_kernels import (
    COARSE_BINS,
    topk_register_kernel,
    topk_rows_kernel,
    topk_sample_compact_kernel,
    topk_sample_rows_kernel,
    topk_sample_threshold_kernel,
    topk_split_compact_kernel,
    topk_split_finish_kernel,
    topk_split_hist_kernel,
)
from opdispatch.dispatch.platform import cuda_device_capability, device_sm_count

__all__ = ["TopKConfig", "CONFIGS", "DEFAULT_CONFIG", "plan", "top_k_per_row",
           "top_k_per_row_prefill", "top_k_per_row_decode"]


@dataclasses.dataclass(frozen=True)
class TopKConfig:
    """Knobs of the radix select. All sizes are element counts; powers of two."""
    block: int = 4096          # columns per iteration of the two full-row passes (<= 16384)
    cand_block: int = 1024     # lanes per iteration of the candidate passes (<= 16384)
    radix_bits: int = 8        # bits per candidate radix pass: 8 (4 passes) or 4 (8 passes)
    num_warps: int = 8         # full-row passes (row mode: the whole kernel)
    finish_num_warps: int = 4  # split mode, candidate select (one program per row)
    progs_per_sm: int = 4      # row mode: persistent programs per SM
    split_waves: float = 2.0   # split mode: aim for rows * split >= split_waves * num_sms
    min_chunk: int = 4096      # split mode: at least this many columns per slice
    max_split: int = 64        # 1 disables split mode
    cap: int = 0               # candidate workspace per row; 0: derived from the shape
    always_split: bool = False  # use the 3-kernel pipeline (one row per program) even when split == 1
    compact_block: int = 0     # split mode compaction kernel: columns per iteration (0: block)
    compact_num_warps: int = 0  # split mode compaction kernel: warps (0: num_warps)
    sample: int = 0            # v3: sample size of the threshold estimate (0: off, the v2 path)
    sample_block: int = 0      # v3 sample-compaction kernel: columns per iteration (0: block)
    sample_num_warps: int = 0  # v3 sample-compaction kernel: warps (0: num_warps)
    skip_empty: bool = False   # v3: skip the scan of blocks without candidates
    sample_cap: int = 0        # v3: candidate segment per (row, slice); 0: derived from k
    sample_max_lanes: int = 8192  # v3 only where split * segment <= this (registers of the select)
    sample_max_split: int = 2  # v3 only where a row has at most this many slices (else v2)
    sample_min_ratio: int = 16  # v3 only where cols >= this * k (4096 cols at k = 2048: v2 wins)
    sample_row_threshold: bool = False  # v3 also with > sample_max_split slices: T once per row
    sample_row_max_split: int = 12  # ... but at most this many slices (more: many tiny segments)
    sample_row_min_ratio: int = 32  # ... and only where cols >= this * k
    reg_max_cols: int = 0      # register mode for rows of at most this many columns (0: off)
    reg_per_thread: int = 32   # register mode: keys per thread (sets the warps, <= 16)
    finish_per_thread: int = 0  # v3 finish: warps = its lanes / (32 * this), at least
                                # finish_num_warps, at most 16 (0: finish_num_warps)
    scan2d: bool = False       # v3 compaction: [tile / threads, threads] tiles, ranks by
                               # in-thread prefix sums (thread-major candidate order)
    select_bits: int = 1       # register selects (register mode, v3 finish): key bits decided
                               # per reduction step, 1 (32 steps) or 2 (16)
    select_small: int = 0      # register mode: two-level select (select_hi search steps, then
                               # the k-th key's bucket, if it holds <= this many keys, by
                               # pairwise counts; _kth_key); 0: 32 steps. A power of two.
    select_hi: int = 16        # two levels: key bits searched before the bucket (even, 2..30;
                               # 0: adaptive, the shared bits at once, then steps only while
                               # the bucket holds more than select_small keys; -1: v24's
                               # interpolating search, probes at estimated key values, then
                               # the bucket, or to the last key where select_small is 0;
                               # -2 / -3: the same with _interp_fit's lean start, without /
                               # with the row's smallest and largest key, v28)
    select_min_rows: int = 0   # two levels only for at least this many rows (fewer rows: the
                               # extra round trips cost more than the steps they save)
    reg_maxnreg: int = 0       # register mode: register cap per thread (CUDA only; 0: none)
    threshold_bits: int = 1    # v3 sample threshold: key bits decided per reduction step (1, 2)
    threshold_num_warps: int = 4  # the split path's per-row threshold kernel: warps
    finish_small: int = 0      # v3 finish: the two-level select, as select_small (0: 32 steps)
    finish_hi: int = 18        # ... with this many key bits searched first (even, 2..30; 0:
                               # adaptive, -1 / -2 / -3: interpolating, as select_hi; -4:
                               # interpolating from _tail_fit's start, v48)
    fused_hi: int | None = None  # v26: finish_hi for v12's one launch only (None: finish_hi)
    row_fallback: bool = False  # v3: rows the sample did not settle are done by the finish kernel
                                # alone (no v2 histogram / compaction launches)
    sample_group: int = 1      # v3 sample threshold: runs of this many adjacent columns (1, 4, 8)
    sample_sigma: int = 4      # v3 sample rank margin: r = e + sigma sqrt(e) + 2 (4..8; 0: the
                               # widest that keeps the 4-sigma candidate segment)
    sample_fused: bool = False  # v3 with one slice per row: one launch, one program per row
                                # (threshold, compaction, select; v12)
    fused_maxnreg: int = 0     # ... its register cap per thread (CUDA only; 0: none)
    fused_max_lanes: int = 4096  # ... only where the select's lanes are at most this many
    fused_warp_compact: int = 0  # v36: v12's compaction by warps (_compact_slice_warp:
                               # ballot ranks, a sub-segment per warp, no barrier per tile, the
                               # values' float bits stored) where the select's lanes are at most
                               # this many (0: never)
    sample_l2: int = 0         # v3 compaction: the sample's loads evict_last, the row's
                               # evict_first (the sample's sectors kept in L2 for the pass);
                               # 1: in v12's one launch only, 2: in the two-kernel path too
                               # (measured slower there: 64x131072 decode, session 9)
    select_2d: int = 0         # register selects (register mode, v3 finish, v12): lanes as a
                               # [threads, lanes / threads] tile, output ranks by in-thread
                               # prefix sums (_rank_2d) instead of a 1-D block scan, where
                               # k * select_2d <= lanes (0: never; the thread-major output
                               # positions scatter the stores, which costs where k is large)
    warp_emit: bool = False    # v20: register selects that are not on select_2d tiles write
                               # their top k from ranks inside each warp (a ballot and popc per
                               # element on CUDA, _emit_top_warp) instead of a 1-D block scan
    finish_2d: bool = True     # v21: False keeps the v3 finish (split path) off select_2d
                               # tiles (register mode and v12's one launch still use them)
    # v23: register mode where its select is not on select_2d tiles (k * select_2d > lanes:
    # the warp emit): keys per thread and register cap there (0: reg_per_thread / reg_maxnreg).
    reg_emit_per_thread: int = 0
    reg_emit_maxnreg: int = 0
    # v29: register mode on the warp emit's tiles with an interpolating select (select_hi < 0,
    # select_small > 0) emits from the search's final bracket (_emit_bracket_warp: no bucket,
    # no k-th key).
    reg_bracket_emit: bool = False
    # v37: register mode at one warp a row (reg_emit_per_thread * 32 >= its lanes) with the
    # bracket emit reads the row again in tiles of this many columns for the emit
    # (_emit_bracket_stream: the search's registers hold only the keys; no barriers, no
    # cross-warp reductions; 0: the keys in registers are ranked, _emit_bracket_warp).
    reg_stream: int = 0
    # v39: where reg_stream is on, one warp a row with the streamed emit only for rows of
    # these many lanes (both empty: every row where v37 has one warp), on select_2d tiles's
    # rows (k * select_2d <= lanes) for those of reg_stream_2d_lanes; the others as v36.
    reg_stream_lanes: tuple = ()
    reg_stream_2d_lanes: tuple = ()
    reg_stream_maxnreg: int = 0  # ... its register cap there (CUDA only; 0: none)
    reg_lean_sums: bool = False  # v43: register mode's bracket emit with the lean start
                               # (select_hi = -2) takes its sums from the loaded values
    # v40: register mode on the warp emit's tiles with rows of >= reg_fat_lanes lanes, in
    # calls of >= reg_fat_rows rows: reg_fat_per_thread keys a thread (fewer, fatter warps:
    # fewer cross-warp reductions and copies of the search's scalar steps) under a cap of
    # reg_fat_maxnreg registers (0: off).
    reg_fat_lanes: int = 0
    reg_fat_rows: int = 0
    reg_fat_per_thread: int = 0
    reg_fat_maxnreg: int = 0
    # v44: v12's one launch takes its sample threshold from runs of sample_runs adjacent
    # columns (one 32-byte sector each for 8) in rows of >= sample_runs_min_ratio * sample
    # columns, keeping it only where the runs' counts look independent (a design effect of at
    # most sample_runs_deff_x8 / 8; else the single-column sample): _sample_threshold_runs.
    # Only in launches of >= that many columns, and not where the launch compacts by warps.
    sample_runs: int = 0
    sample_runs_min_ratio: int = 16
    sample_runs_deff_x8: int = 12
    sample_runs_split: bool = False  # v45: also the split path's threshold kernel and compaction
                                     # (in calls of >= sample_runs_min_ratio * sample columns)
    fused_bracket_emit: bool = False  # trial (session 30): v12's one launch emits from its
                                      # interpolating search's bracket (_emit_bracket_warp, as
                                      # register mode since v29) where it has the warp emit's
                                      # tiles, fused_hi < 0 and finish_small > 0
    fused_vec_compact: int = 0  # trial (session 31): v12's one launch compacts by warps with
                                # 128-bit loads and no ballots (_compact_slice_vec) where its
                                # select has at most this many lanes (0: never), runs allowed
    fused_vec_block: bool = False  # trial (session 31): elsewhere in the one launch, the same
                                   # compaction into one segment (a cross-warp scan a tile)
    fused_vec_gather: bool = False  # trial (session 31): fused_vec_compact's warp segments twice
                                    # as long (the workspace too), gathered into the select's
                                    # lanes by the warps' counts (_gather_in_place)
    sample_pair_threshold: bool = False  # v33: rows of two slices also take their threshold
                                         # from the per-row kernel (where cols >=
                                         # sample_row_min_ratio * k), not from each slice
    compact_lean: int = 0      # v32: the v3 two-kernel compaction tests a hit with one float
                               # compare and loads its full tiles without a mask, in slices of
                               # at least this many tiles (0: never; v32 1, v33 4)
    compact_prefetch: int = 0  # v32, with compact_lean: load each tile's successor first in
                               # slices of at least this many tiles (0: never)
    pdl: int = 0               # v22: programmatic dependent launch between the v3 kernels
                               # (CUDA sm_90+ only; 0: off): the compaction starts while the
                               # threshold kernel runs, the finish launches early, each waits
                               # on the device. 1: the threshold kernel lets the compaction
                               # launch at once; 2: once its sample has arrived; 3: as 2, and
                               # the waiting compaction has L2 fetch its slice; 4: only the
                               # finish launches early; 5: only the compaction does

    def __post_init__(self):
        for name in ("select_bits", "threshold_bits"):
            if getattr(self, name) not in (1, 2):
                raise ValueError(f"TopKConfig.{name} must be 1 or 2, got {getattr(self, name)}")
        for name in ("select_small", "finish_small"):
            v = getattr(self, name)
            if v < 0 or v & (v - 1):
                raise ValueError(f"TopKConfig.{name} must be 0 or a power of two, got {v}")
        if self.pdl not in (0, 1, 2, 3, 4, 5):
            raise ValueError(f"TopKConfig.pdl must be in 0..5, got {self.pdl}")
        if self.sample_sigma not in (0, 4, 5, 6, 7, 8):
            raise ValueError(
                f"TopKConfig.sample_sigma must be 0 or in 4..8, got {self.sample_sigma}")
        if self.sample_runs not in (0, 2, 4, 8, 16):
            raise ValueError(
                f"TopKConfig.sample_runs must be 0, 2, 4, 8 or 16, got {self.sample_runs}")
        if self.sample_group not in (1, 2, 4, 8):
            raise ValueError(
                f"TopKConfig.sample_group must be 1, 2, 4 or 8, got {self.sample_group}")
        for name in ("select_hi", "finish_hi", "fused_hi"):
            v = getattr(self, name)
            if name == "fused_hi" and v is None:
                continue
            # -4 (v48): the tail fit, for the sample's candidates (not register mode's rows)
            interp = (-1, -2, -3) if name == "select_hi" else (-1, -2, -3, -4)
            if v not in interp and (v % 2 or not 0 <= v <= 30):
                raise ValueError(f"TopKConfig.{name} must be even, in [2, 30], 0 (adaptive) "
                                 f"or one of {interp} (interpolating), got {v}")


# The v2 pipeline, then each later version as the knobs it changes on top of the one before.
_PIPE = TopKConfig(always_split=True, block=2048, num_warps=4, compact_block=2048,
                   compact_num_warps=4, split_waves=4.0, min_chunk=2048)
_SAMPLE = dataclasses.replace(_PIPE, sample=2048, sample_block=1024)
_V4 = dataclasses.replace(_SAMPLE, reg_max_cols=4096)
_V6 = dataclasses.replace(_V4, sample_row_threshold=True, finish_num_warps=8, finish_per_thread=16)
_V7 = dataclasses.replace(_V6, scan2d=True, sample_block=2048, sample_num_warps=8)
_V8 = dataclasses.replace(_V7, reg_maxnreg=80, select_small=64, select_hi=14, select_min_rows=512)
_V9 = dataclasses.replace(_V8, row_fallback=True, threshold_bits=2)
_V10 = dataclasses.replace(_V9, finish_small=64, finish_hi=20)
_V11 = dataclasses.replace(_V10, sample_group=4)
_V12 = dataclasses.replace(_V11, sample_fused=True, fused_maxnreg=64)
_V13 = dataclasses.replace(_V12, sample_sigma=0)
_V14 = dataclasses.replace(_V13, sample_group=1)
_V15 = dataclasses.replace(_V14, sample_row_max_split=64)
_V18 = dataclasses.replace(_V15, select_hi=0, select_small=32, select_2d=8)
_V19 = dataclasses.replace(_V18, sample_l2=1)
_V20 = dataclasses.replace(_V19, warp_emit=True)
_V21 = dataclasses.replace(_V20, finish_2d=False)
_V21A = dataclasses.replace(_V21, finish_hi=0, finish_small=32)
_V23 = dataclasses.replace(_V21A, pdl=1, reg_emit_per_thread=16, reg_emit_maxnreg=64)
_V24A = dataclasses.replace(_V23, select_hi=-1, finish_hi=-1, select_min_rows=0)
_V26 = dataclasses.replace(_V24A, fused_hi=0)
_V29 = dataclasses.replace(_V26, select_hi=-2, finish_hi=-3, reg_bracket_emit=True)
_V32 = dataclasses.replace(_V29, compact_lean=1, compact_prefetch=16)
_V33 = dataclasses.replace(_V32, sample_pair_threshold=True, compact_lean=4)
_V36 = dataclasses.replace(_V33, fused_warp_compact=2048)
_V37 = dataclasses.replace(_V36, reg_emit_per_thread=128, reg_emit_maxnreg=255, reg_stream=256)
_V39 = dataclasses.replace(_V36, reg_stream=256, reg_stream_lanes=(1024,),
                           reg_stream_2d_lanes=(256, 512, 1024, 2048))
_V40 = dataclasses.replace(_V39, reg_fat_lanes=4096, reg_fat_rows=512, reg_fat_per_thread=32,
                           reg_fat_maxnreg=96)
_V41 = dataclasses.replace(_V40, sample_min_ratio=2)
_V43 = dataclasses.replace(_V41, reg_lean_sums=True)
_V44 = dataclasses.replace(_V43, sample_runs=8)
_V45 = dataclasses.replace(_V44, sample_runs_split=True)
_V46 = dataclasses.replace(_V45, fused_hi=-3)
_V48 = dataclasses.replace(_V46, finish_hi=-4, fused_hi=-4)

CONFIGS = {
    # The 3-kernel pipeline (coarse histogram / compaction / candidate select) for every shape,
    # one row (or one slice) per program: small programs, high occupancy (v2, see the docs).
    "default": _PIPE,
    # The same with 4-bit candidate passes (8 cheap 16-bin histograms instead of 4 of 256).
    "pipe_r4": dataclasses.replace(_PIPE, radix_bits=4),
    # v3 (first pass): a sample threshold, one pass compacting keys >= it, exact select among
    # those candidates; rows the sample misjudged (too few, or a slice overflowing) take the
    # v2 kernels, which skip the settled rows (decided on the device: fixed launches).
    "sample": _SAMPLE,
    # v4: `sample`, plus one-launch register mode for rows of <= 4096 columns (measured faster
    # than `sample` at 4096 columns for 1 to 4096 rows; slower at 32768).
    "v4": _V4,
    # v5: v4, plus v3 for rows split into 3-12 slices (decode: tens of long rows) with
    # the sample threshold computed once per row by its own small kernel. Measured (H100): 64 x
    # 131072 k=512 58.6 us against 97.9, k=2048 98.5 against 109.6; with 16-64 slices (1-8 rows)
    # or cols < 32 k it lost (1 x 131072: 40.2 against 32.5), hence sample_row_max_split/ratio.
    "v5": dataclasses.replace(_V4, sample_row_threshold=True),
    # v6: v5 with wider finish programs (measured on the H100, session 6 of
    # 2026-11-22, v5 -> 8 / 16 warps: 64x131072 k=2048 98.5 -> 65.3 / 57.1 us; 512x131072
    # 382.9 -> 349.4 / 343.9; 4096x32768 691.5 -> 683.4 / 727.8; 1x131072 (v2 finish) 33.0 ->
    # 29.7 / 32.2): 8 warps for the v2 finish, 16 keys per thread for the v3 one (8192 lanes:
    # 16 warps, 4096: 8).
    "v6": _V6,
    # v7: v6 with the v3 compaction's ranks from in-thread prefix sums ([256, 8]
    # tiles of 2048 columns, 8 warps; Triton's 1-D block scan ran one warp scan per element a
    # thread holds). Measured (H100, session 6): 64x131072 k=2048 58.0 -> 46.4 us, k=512 51.4
    # -> 40.2, 4096x32768 683.6 -> 613.1, 512x131072 342.0 -> 262.6; the v2 shapes unchanged.
    "v7": _V7,
    # v8: v7 with register mode capped at 80 registers per thread (6 programs per SM instead
    # of 3) and, for >= 512 rows, the two-level select (14 bits searched, then pairwise counts
    # in the k-th key's bucket of <= 64 keys). Measured (H100, session 7):
    # 4096x4096 k=2048 221.8 -> 164.8 us (the cap alone: 176.0), k=512 215.4 -> 170.3, 512 rows
    # 29.4 -> 25.5; 1-64 rows 13.6 -> 12.2 (the cap alone: two levels cost them 2-4 us).
    "v8": _V8,
    # v9: v8 with the sample path's unsettled rows done by the finish kernel alone
    # (the v2 histogram and compaction kernels, which only skipped settled rows, are not
    # launched: two launches fewer) and the sample threshold 2 bits per step. Measured (H100,
    # session 7): 64x131072 k=2048 47.0 -> 41.7 us, k=512 39.8 -> 34.6, 4096x32768 613.9 ->
    # 600.4, 512x131072 262.9 -> 259.5; the v2 and register shapes unchanged.
    "v9": _V9,
    # v10: v9 with the two-level select in the v3 finish too (20 bits searched,
    # then buckets of <= 64 keys by pairwise counts). Measured (H100, session 7): 64x131072
    # k=2048 41.6 -> 40.7 us, k=512 34.6 -> 34.1, 4096x32768 599.6 -> 595.7, 512x131072 258.2
    # -> 253.0 (18 bits: 40.1 / 34.9 / 593.3 / 252.2; 16 bits: buckets of ~80 keys at 131072
    # columns fall back, 42.1 / 34.8 / 595.6 / 260.5).
    "v10": _V10,
    # v11: v10 with the sample threshold read from runs of 4 adjacent columns
    # (2048 samples: 512 runs, one 16-byte piece of a 32-byte sector each). ncu (session 8)
    # showed the single-column sample reading half of each row's sectors at 4096x32768, which
    # the compaction then read from DRAM again (2.7 TB/s of traffic for 1.5 rows' worth).
    # Measured (H100, session 8): 4096x32768 596.4 -> 517.7 us, 512x131072 251.3 -> 210.5,
    # 64x131072 k=2048 40.1 -> 38.6, k=512 34.6 -> 33.3; register and v2 shapes unchanged.
    # Runs of 8 (one sector): 508.1 / 204.6 / 39.1 / 33.6 on random rows, but on rows
    # smoothed over 16 columns 512x131072 took 422.3 us (unsettled rows: the fallback) where
    # runs of 4 took 208.9. Keeping the sample in L2 instead (evict_last, the row streamed
    # evict_first): 567.6 / 252.4 / 40.8 / 35.7; with runs of 4, within 1% of runs alone.
    "v11": _V11,
    # v12: v11 with rows of one slice in one launch (topk_sample_rows_kernel:
    # one program per row does the sample threshold, the compaction and the register select;
    # the candidates are read back from L2 by the program that wrote them, and one program's
    # select overlaps the others' loads), capped at 64 registers (4 programs per SM; CUDA
    # only: elsewhere the two-kernel path), for selects of <= 4096 lanes. Measured (H100,
    # session 8), v11 -> v12: 4096x32768 k=2048 517.5 -> 491.6 us, k=1024 503.5 -> 477.2,
    # k=512 440.4 -> 395.5; 1024x32768 k=2048 141.8 -> 138.2; 2048x16384 k=512 169.0 ->
    # 149.9; 4096x8192 k=256 223.2 -> 177.3. Caps of 80 / 56 / 48 registers: 502.0 / 537.5 /
    # 581.2 at 4096x32768 k=2048 (48: best at k=512, 385.9); no cap: 606.3; 16 warps 1084.1,
    # 4096-column tiles 832.3, 1024-column tiles (at 64) 575.8.
    "v12": _V12,
    # v13: v12 with the sample rank's margin widened from 4 to up to 8 sigma
    # where the candidates still fit the same segment (sample_sigma=0): a row the sample
    # leaves unsettled takes a one-program fallback over the whole row, which at 131072
    # columns doubled a 512-row call (session 8: 512x131072 k=512 211 -> 427 us for ONE
    # unsettled row of 512; ~4e-5 per row at 4 sigma, < 1e-8 at 6-8).
    "v13": _V13,
    # v14: v13 with the sample back to single columns (v10's). Runs of adjacent
    # columns left rows to the one-program fallback on rows whose neighbours are correlated,
    # and so did torch's CUDA randn (Box-Muller pairs share their radius): 512-row calls took
    # twice as long (session 8, rows smoothed over 16 columns: 512x131072 k=2048 413.7 us
    # under v13 against 251.8; runs of 4 with the margin of 512 independent values, 2048 or
    # 4096 samples: 413.9 / 435.3). Single columns: the same times on random and smoothed rows.
    "v14": _V14,
    # v15: v14 with the sample path (threshold once per row) for rows of up to
    # 64 slices, i.e. also 1-8 long decode rows (v2 before: its one-program radix finish).
    # Measured (H100, session 8, decode op): 1x131072 k=2048 30.0 -> 23.9 us, 8x131072 41.7
    # -> 25.8, the same on rows smoothed over 16 columns; 64x131072 unchanged (41.2 / 41.3).
    # (v5 had measured this against v2 through the prefill op, before the finish's two
    # levels and wider programs: 40.2 against 32.5 at 1x131072.)
    "v15": _V15,
    # v16: v15 with the register selects' output ranks from in-thread prefix sums
    # (select_2d=1, every select). Measured (H100, session 9), v15 -> v16: 4096x4096 k=512
    # 170.7 -> 141.9 us, but k=2048 165.0 -> 177.3 (the thread-major positions scatter the
    # output stores: 32 sectors per warp store), 4096x32768 k=512 454.7 -> 1033.4 (v12),
    # 2048x16384 k=512 160.6 -> 307.7; decode within 1-2 us.
    "v16": dataclasses.replace(_V15, select_2d=1),
    # v17: v15 with the adaptive two-level selects (select_hi = finish_hi = 0): the bits all
    # lanes share at once, search steps only while the k-th key's bucket holds > 64 keys.
    # Measured (H100, session 9), v15 -> v17: 4096x4096 k=2048 163.2 -> 139.0 us, k=512
    # 169.2 -> 153.2, 512x4096 23.9 -> 20.9; the v3 finish / v12 not faster (64x131072
    # k=2048 40.9 -> 41.9, 4096x32768 558.9 -> 574.6: their candidates span several octaves,
    # so the exponent bits still take a step each). 32-key buckets: 4096x4096 124.7.
    "v17": dataclasses.replace(_V15, select_hi=0, finish_hi=0),
    # v18: v15 with register mode's select adaptive with 32-key buckets, on 2-D tiles where
    # k <= lanes / 8 (the v3 finish and v12 keep v15's 20 bits + 64-key buckets, 1-D).
    # Measured (H100, session 9), v15 -> v18: 4096x4096 k=2048 163.4 -> 123.8 us, k=1024
    # 168.4 -> 134.9, k=512 169.2 -> 123.8, 512x4096 k=2048 23.9 -> 20.5, k=512 25.2 ->
    # 21.4; 1-64 rows and the other modes unchanged.
    "v18": _V18,
    # v19, the default: v18 with the sample kept in L2 for the compaction (sample_l2: the
    # sample's loads evict_last, the row's evict_first). ncu (session 9) of v15's one
    # launch at 4096x32768: 1.09 GB read from DRAM for 512 MB of logits (the sample at 16-
    # column strides fetches every 64-byte piece of the row, evicted again before the
    # compaction gets there), 0.99 GB with the hints. Measured (H100, session 9), v18 ->
    # v19: 4096x32768 k=2048 568.0 -> 547.2 us, k=512 453.7 -> 442.7, 1024x32768 167.2 ->
    # 164.1, 2048x16384 k=512 158.5 -> 159.2, 512x131072 255.0 -> 256.2. (Also timed: a
    # 1024-column sample with 4096-lane segments, 543.7 / 519.4 at k=2048 / 512; 512
    # columns, 726.0; the one launch at 80 registers, 541.1 / 466.1, with the hints 526.7 /
    # 447.5 but 2048x16384 166.2.) The hints in the two-kernel path's compaction too made
    # the decode cases slower (64x131072 k=2048 40.6 -> 42.0, k=512 34.8 -> 37.1), so
    # v19 has them in the one launch only (sample_l2=1).
    "v19": _V19,
    # v20: v19 with the warp-ballot emit in every register select not on select_2d tiles
    # (register mode where k > lanes / 8, the v3 finish and v12's one launch at k = 2048).
    # Triton's 1-D tl.cumsum there ran five shuffles and adds per element a thread holds:
    # ~1580 of the register kernel's 3860 SASS instructions at 4096 lanes (Triton 3.6), ~920
    # with the ballots. Measured (H100, session 11, graph us, v19 -> v20, two runs): 64x131072
    # k=2048 41.1 -> 39.0 / 38.7, k=512 35.5 -> 35.0 / 36.1, 4096x32768 k=2048 546.6 ->
    # 523.1 / 522.8, k=512 443.5 -> 406.3, 1x131072 24.1 -> 21.8 / 21.4, 8x131072 25.5 ->
    # 23.5 / 23.5, 512x131072 255.5 -> 248.1 / 247.2, 4096x4096 125.2 -> 122.2 / 121.5,
    # 512x4096 20.5 -> 19.8. (v20_w, the warp emit also where k <= lanes / 8: 4096x4096
    # k=512 133.3 against 125.1; v20_r96: no gain.)
    "v20": _V20,
    # v20 with the warp emit everywhere (no select_2d tiles); with register mode at 96
    # registers (5 programs per SM instead of 6, fewer spills).
    "v20_w": dataclasses.replace(_V20, select_2d=0),
    # v21: v20 with the v3 finish on 1-D warp-emit tiles at every k (v20_w's finish, v20's
    # register mode and one launch); v21_a, the default since session 12, also with the
    # adaptive select (32-key buckets, as register mode's) in the v3 finish and v12's one
    # launch. Measured (H100, session 12, after _lanes_2d's alignment hint), v20 -> v21_a:
    # 4096x32768 k=2048 524.2 -> 479.8 us, k=512 406.1 -> 397.8; 64x131072 k=512 33.6 /
    # 33.5 -> 32.4 / 32.3; 8x131072 23.7 / 23.3 -> 22.9 / 22.8; 1x131072 21.4 / 21.5 ->
    # 21.2 / 21.2; 64x131072 k=2048 38.8 / 39.0 -> 39.1 / 39.0; 512x131072 247.2 -> 249.1.
    "v21": _V21,
    "v21_a": _V21A,
    # v22: v21_a with programmatic dependent launch between the v3 kernels (threshold ->
    # compaction -> finish: each lets the next launch at once and the next waits on the device
    # before reading its outputs). CUDA sm_90+ only; elsewhere the same launches as v21_a.
    # Measured (H100, session 13, graph us, v21_a -> v22, two runs): 1x131072 k=2048 21.2 /
    # 21.3 -> 20.2 / 19.9, 8x131072 23.4 / 22.8 -> 22.3 / 21.7, 64x131072 k=2048 39.2 / 38.6 ->
    # 37.8 / 38.3, k=512 31.7 / 32.0 -> 33.0 / 32.6, 512x131072 249.3 -> 247.9. The default
    # since session 13. v22_2 / v22_3 / v22_4 / v22_5: the other pdl values (trials).
    "v22": dataclasses.replace(_V21A, pdl=1),
    # v23: v22 with register mode at 16 keys a thread (8 warps at 4096 columns) and 64
    # registers where its select writes through the warp emit (k > lanes / 8); at 32 keys and
    # 80 registers the register kernel spilled (ncu, 4096x4096 k=2048: 1.74 M local-memory
    # requests, L1TEX waits 37% of the stalls). Screened on the H100 (session 17, graph us, v22
    # -> v23's settings): 4096x4096 k=2048 121.5 -> 113.4, 512x4096 k=2048 20.7 -> 19.5,
    # 2048x4096 k=1024 73.8 -> 72.9 (4096x4096 k=512 runs the 2-D tiles, unchanged).
    "v23": _V23,
    # v24: v23 with the interpolating search (_kth_key_interp: a normal fit, then the
    # bracket's interpolation, two probes per reduction) in every register select; v24_r in
    # register mode only; v24_a also for fewer than 512 rows in register mode.
    "v24": dataclasses.replace(_V23, select_hi=-1, finish_hi=-1),
    "v24_r": dataclasses.replace(_V23, select_hi=-1),
    "v24_a": _V24A,
    # v25: v24 without the bucket (select_small = finish_small = 0): the interpolating search
    # runs until the keys >= its lower end are exactly k (or one key value is left), moving
    # the bracket's ends onto its smallest and largest keys after a step that did not halve
    # it; no scratch.
    "v25": dataclasses.replace(_V23, select_hi=-1, finish_hi=-1, select_small=0,
                               finish_small=0),
    # v26: v24_a where it measured faster (session 21, H100, graph us, v23 -> v24_a, both with
    # register mode's full-row load branch): register mode (4096x4096 k=1024 125.5 -> 101.7,
    # k=512 111.2 -> 106.3, k=2048 102.2 -> 103.3, 64x4096 10.7 -> 9.0) and the split path's
    # finish (8x131072 21.9 -> 20.0, 1x131072 17.2 -> 16.7, 64x131072 k=2048 38.7 -> 37.8,
    # 512x131072 248.6 -> 241.7); v12's one launch keeps the adaptive search (4096x32768
    # 480.6 against 497.2: its candidates are a tail, which a normal fit misjudges).
    "v26": _V26,
    # v26 with other bucket sizes for its interpolating selects (trials, session 21).
    "v26_s16": dataclasses.replace(_V26, select_small=16, finish_small=16),
    "v26_s64": dataclasses.replace(_V26, select_small=64, finish_small=64),
    # v27 (session 22, eight probes per interpolating step, four packed counts per reduction)
    # lost everywhere and was removed: register mode at 4096x4096 is issue-bound and the
    # probes' compares and quantiles cost more than the steps they save (docs/benchmarks.md).
    # v28: v26 with the lean interpolating search (_interp_fit LEAN; trials, session 22):
    # v28 without the row's min / max, v28_m with them; _r: in register mode only.
    "v28": dataclasses.replace(_V26, select_hi=-2, finish_hi=-2),
    # v28_rm: the lean start without min / max in register mode, with them in the finish (the
    # two that measured best in gpu_s22_3.sh).
    "v28_rm": dataclasses.replace(_V26, select_hi=-2, finish_hi=-3),
    "v28_m": dataclasses.replace(_V26, select_hi=-3, finish_hi=-3),
    "v28_r": dataclasses.replace(_V26, select_hi=-2),
    "v28_mr": dataclasses.replace(_V26, select_hi=-3),
    # v29 (the default from session 22): v28_rm with register mode's bracket emit
    # (reg_bracket_emit). H100, graph us, v26 -> v28_rm -> v29 (gpu_s22_5.sh): 4096x4096
    # k=2048 103.7 -> 95.2 -> 92.0, k=1024 101.8 -> 93.0 -> 91.0, 2048x4096 k=1024 55.3 ->
    # 50.6 -> 48.6, 512x4096 k=2048 17.0 -> 15.8 -> 14.2, 64x4096 9.2 -> 8.6 -> 5.9; the
    # finish's lean start (-3; gpu_s22_3.sh, v26 -> v28_m): 64x131072 k=2048 decode 37.0 ->
    # 36.8, k=512 33.9 -> 33.5, 8x131072 20.4 -> 19.6, 1x131072 17.1 -> 16.6.
    "v29": _V29,
    # v29 without programmatic dependent launch (diagnostics: each kernel's own time).
    "v29_np": dataclasses.replace(_V29, pdl=0),
    # v32 (session 24): v29 with the lean two-kernel compaction (one float compare per
    # element, unmasked full tiles; the next tile first in slices of >= 16 tiles; gpu_s24_8.sh,
    # v29 -> v32): 64x131072 k=2048 decode 36.4 -> 34.6, k=512 33.1 -> 31.5, 512x131072 237.2
    # -> 225.2; register mode and v12's one launch unchanged.
    "v32": _V32,
    # v32 with the per-row threshold kernel for every two-slice row (trial, session 24: the
    # rows with cols < 32 k then fall back to v2).
    "v32_ms1": dataclasses.replace(_V32, sample_max_split=1),
    # v33 (session 24): v32 with the per-row threshold kernel (and PDL) for rows of two slices
    # where cols >= 32 k, instead of each slice's program sampling the row (gpu_s24_12.sh, v32
    # -> v33): 512x131072 k=2048 225.6 -> 192.6, k=512 194.5 -> 162.8, 512x65536 k=512 132.2
    # -> 107.2, 512x32768 k=1024 97.4 -> 85.3, 512x262144 k=2048 325.1 -> 285.4; and the lean
    # compaction only in slices of >= 4 tiles (gpu_s24_14.sh: 64x32768 k=1024, two tiles a
    # slice, 19.3 with v29, 20.5 with v32).
    "v33": _V33,
    # v36 (session 28): v33 with v12's one launch compacting by warps where its select has at
    # most 2048 lanes (k <= ~n / 32: 4096x32768 k=512, 2048x16384 k=512, 4096x8192 k=256)
    "v36": _V36,
    # v37 (trial, session 29): v36 with register mode at one warp a row and the streamed
    # bracket emit (reg_stream): the search's reductions without barriers, its scalar steps
    # run by one warp instead of eight; _s512: tiles of 512 columns; _w2: two warps a row.
    "v37": _V37,
    "v37_s512": dataclasses.replace(_V37, reg_stream=512),
    "v37_r192": dataclasses.replace(_V37, reg_emit_maxnreg=192),
    # v38 (trial, session 29; gpu_s29_2.sh; not kept as a config): v36 with v37's one warp a
    # row for every row of <= 1024 / 2048 lanes (won at 1024 lanes, and on select_2d tiles;
    # lost at 2048 lanes on the warp emit's tiles and at <= 512 lanes there).
    # v39 (session 29; gpu_s29_3.sh): only where that won: rows of 1024
    # lanes, and rows of 256-2048 lanes on select_2d tiles (k * 8 <= lanes). H100, graph us,
    # v36 -> v39: 4096x1024 k=256 91.7 -> 22.6, k=512 93.4 -> 23.4, k=128 31.5 -> 22.4,
    # 1024x1024 k=512 24.3 -> 8.6, 4096x512 k=64 18.1 -> 13.7, 4096x2048 k=128 49.6 -> 42.1,
    # k=256 51.5 -> 44.5, 4096x256 k=16 9.4 -> 8.8; 4096-lane rows unchanged (one warp there
    # lost: v39_4k, 2-D rows of 4096 lanes, 94.5 -> 102.8 at k=512).
    "v39": _V39,
    "v39_4k": dataclasses.replace(_V39, reg_stream_2d_lanes=(256, 512, 1024, 2048, 4096)),
    # v40 (session 29; gpu_s29_6.sh): v39 with register mode at 4 warps a
    # row (32 keys a thread, 96 registers) on the warp emit's tiles of 4096 lanes in calls
    # of >= 512 rows. H100, graph us, v39 -> v40: 4096x4096 k=2048 91.3 -> 83.7, k=1024
    # 90.5 -> 83.4, 2048x4096 k=2048 49.2 -> 45.6, 512x4096 k=2048 14.0 -> 12.9 (64 rows:
    # 6.0 -> 7.2, hence the row floor; 2048 lanes at 2 warps: 46.5 -> 47.5, not taken).
    "v40": _V40,
    # v40 with v12's one launch at 4 warps a row and higher register caps (trials, session 29).
    "v40_f4_r96": dataclasses.replace(_V40, sample_num_warps=4, fused_maxnreg=96),
    "v40_f4_r128": dataclasses.replace(_V40, sample_num_warps=4, fused_maxnreg=128),
    # v40 with the sample path from cols >= 8 k / 4 k (trials, session 29: 4096x16384 k=2048
    # took v2's three kernels).
    "v40_r8": dataclasses.replace(_V40, sample_min_ratio=8),
    "v40_r4": dataclasses.replace(_V40, sample_min_ratio=4),
    # v41 (session 29; gpu_s29_10.sh, gpu_s29_11.sh): v40 with the sample
    # path from cols >= 2 k (was 16 k; v2's three kernels took the rows of 4096 < cols < 16 k
    # columns). H100, graph us, v40 -> v41: 4096x16384 k=2048 684.7 -> 305.3 (as v40_r4),
    # 2048x16384 k=2048 355.3 -> 165.2, 512x16384 k=2048 101.5 -> 59.8, 4096x12288 k=2048
    # 547.1 -> 262.0, 4096x8192 k=2048 413.4 -> 231.7, k=1024 412.7 -> 189.7, 4096x6144
    # k=2048 344.3 -> 222.9, 4096x5120 k=2048 342.5 -> 228.9; decode rows of 16384 columns
    # (1-64 rows) and 256x6144 unchanged.
    "v41": _V41,
    # v43 (the default from session 29; gpu_s29_19.sh): v41 with register mode's lean start
    # summing the loaded values (no mask, count or key-to-float per element: the count is the
    # row's length). H100, graph us, v41 -> v43: 4096x4096 k=2048 85.0 -> 76.1, k=1024 84.5 ->
    # 75.8, 2048x4096 k=2048 46.2 -> 42.0, 512x4096 k=2048 13.4 -> 12.6, 64x4096 k=2048 6.0 ->
    # 5.6, 4096x1024 k=256 22.6 -> 21.3, 1024x1024 k=512 8.7 -> 8.2, 4096x2048 k=1024 46.3 ->
    # 43.5.
    "v43": _V43,
    # v44 (session 30, gpu_s30_10.sh; the default until v45): v43 with v12's one launch sampling
    # runs of 8 columns (one sector each) in launches and rows of >= 32768 columns where the
    # runs' counts pass the independence check (sample_runs; else the single-column sample
    # again), not where the launch compacts by warps. The single-column sample touched every
    # 64-byte piece of such rows, read from DRAM again by the compaction (session 30's probe:
    # sample alone 181 us at 4096x32768, compaction alone 231, both 355; with runs 258). H100,
    # graph us, v43 -> v44: 4096x32768 k=2048 480.5 -> 435.7, k=1024 460.6 -> 424.3,
    # 1024x32768 k=2048 146.3 -> 120.2, 2048x65536 k=1024 398.8 -> 346.0; k=512 (warp
    # compaction) and 4096x16384 unchanged (380.3 / 379.9, 304.0 / 303.4). On rows smoothed
    # over 16 columns every row fails the check and samples twice: 472.4 -> 519.0, 144.6 ->
    # 157.6 (topk_tune --data smooth). g8 (runs, no check: 422.9 / 411.5 / 116.8) lost rows
    # to the slow fallback on some random inputs (4096x32768 k=512: 332.3 in one call, 397.5
    # in another).
    "v44": _V44,
    # v45 (session 30, gpu_s30_13.sh; the default until v46): v44 with the run sample also in the
    # split path (its per-row threshold kernel, and the compaction's own sample where it has
    # none), in calls of >= 32768 columns. H100, graph us, v44 -> v45: 512x131072 k=2048
    # prefill 192.6 -> 165.5, decode 206.5 -> 178.8, 64x131072 k=2048 decode 35.2 -> 33.9,
    # k=512 32.2 -> 31.3, 1024x65536 k=2048 264.1 -> 248.2, 512x262144 286.0 -> 258.0,
    # 256x131072 k=1024 104.5 -> 93.4; 1x / 8x131072 unchanged. Rows smoothed over 16 columns
    # (every row sampled twice): 64x131072 decode 34.2 -> 38.4, 1024x65536 261.8 -> 288.9,
    # 512x131072 decode 203.6 -> 204.5.
    "v45": _V45,
    # v46 (the default from session 30; gpu_s30_15.sh): v45 with v12's one launch selecting by
    # the lean interpolating search with the row's min / max (fused_hi = -3, as the v3
    # finish since v29; v26 had kept the one launch adaptive because v24's full normal fit
    # misjudged its candidates, a tail). H100, graph us, v45 -> v46: 4096x32768 k=2048 435.3
    # -> 416.0, k=1024 424.7 -> 415.3, k=512 381.3 -> 368.1, 1024x32768 k=2048 120.7 ->
    # 115.4, 2048x65536 k=1024 348.0 -> 344.2, 4096x16384 k=2048 305.6 -> 289.6, 4096x8192
    # k=2048 230.6 -> 212.9 (fused_hi -1: 421.9 / 422.6 / 371.9 / 117.2 / 347.1 / 316.3 /
    # 231.5; -2: 436.9 / 426.0 / 374.7 / 121.7 / 348.7 / 305.0 / 227.0; register caps of 72 /
    # 80 instead of 64: slower, 478.3 / 468.5 at 4096x32768 k=2048).
    "v46": _V46,
    # v46 with the one launch's bracket emit (trial, session 30; slower on every one-launch
    # shape, gpu_s30_17.sh run in session 31: 4096x32768 k=2048 415.2 -> 422.4, 4096x8192
    # 212.6 -> 221.0)
    "v46_be": dataclasses.replace(_V46, fused_bracket_emit=True),
    # v46 with the one launch's vector compaction (fused_vec_compact; trials, session 31)
    # everywhere it applies, and (_w) only where v46 compacts by warps.
    "v46_vc": dataclasses.replace(_V46, fused_vec_compact=4096),
    "v46_vc_w": dataclasses.replace(_V46, fused_vec_compact=2048),
    # ... in one segment (a cross-warp scan a tile) where v46 does not compact by warps (_vb),
    # and with _vc_w where it does (_vbw).
    "v46_vb": dataclasses.replace(_V46, fused_vec_block=True),
    "v46_vbw": dataclasses.replace(_V46, fused_vec_block=True, fused_vec_compact=2048),
    # ... _vc with warp segments twice as long, gathered into the select's lanes (_vg).
    "v46_vg": dataclasses.replace(_V46, fused_vec_compact=4096, fused_vec_gather=True),
    # v48 (the default from session 32; gpu_s32_2.sh, gpu_s32_3.sh): v46 with the v3
    # finish's and the one launch's interpolating search started from the candidates' tail
    # fit (finish_hi = fused_hi = -4, _tail_fit; a numpy model: 4 steps -> 2.5 to a 32-key
    # bracket; the finish's search at 1x131072 k=2048: 12.4k -> 10.4k cycles). H100, graph
    # us, v46 -> v48: 64x131072 k=2048 decode 33.8 -> 31.5, k=512 31.4 -> 30.2, 8x131072
    # 19.4 -> 18.1, 512x131072 178.8 -> 171.4, 1x131072 k=512 16.5 -> 15.4, k=2048 15.8 ->
    # 16.0 (topk_tune's row: 17.8 -> 16.1), 4096x32768 k=2048 415.9 -> 411.9, 2048x65536
    # k=1024 344.5 -> 335.8, 4096x8192 213.6 -> 211.9, 1024x32768 115.9 -> 114.6. With
    # 64-key buckets (_s64; -> 2 steps in the model) slower than v48 everywhere, as is
    # v46_s64 than v46.
    "v48": _V48,
    "v48_s64": dataclasses.replace(_V48, finish_small=64),
    "v46_s64": dataclasses.replace(_V46, finish_small=64),
    # v48 with the split path's threshold kernel at 2 / 8 / 16 warps (trials, session 32,
    # gpu_s32_7.sh / _8.sh; on the few-row decode path that kernel is on the critical path).
    # 2 warps: 2.4x as long (11.2 us at 1x131072); 8: 0.2-0.3 us faster at 1-8 rows, level
    # at 64, 0.5 us slower at 512; 16: slower everywhere.
    "v48_t2": dataclasses.replace(_V48, threshold_num_warps=2),
    "v48_t8": dataclasses.replace(_V48, threshold_num_warps=8),
    "v48_t16": dataclasses.replace(_V48, threshold_num_warps=16),
    # v49 (trial, session 32, removed; code in commit 4b4cf04): v48 with the v3
    # finish's segment counts, keys and columns loaded at once. Slower than v48 on every
    # decode shape (gpu_s32_3.sh: 64x131072 k=2048 31.5 -> 32.3, 512x131072 171.1 -> 174.9).
    # v47 (trials, session 31, removed; code in commit efc5227): the one launch with a band,
    # a second sample threshold whose keys above it went straight to the output, only the
    # band between the two selected (half the select's lanes). Slower everywhere it applied
    # (gpu_s31_2.sh: 4096x32768 k=2048 416.7 -> 562.3 with a 4096-element sample, 4096x16384
    # 289.0 -> 316.6 with 2048), with no row left to the fallback: more instructions (ncu,
    # gpu_s31_3.sh: 282 M -> 384 M at 4096x32768, 190 M -> 217 M at 4096x16384).
    # v42 (trial, session 29, removed): the streamed emit at 4 warps a row (each warp reading
    # its lanes again after one count and one cross-warp scan). Slower (gpu_s29_17.sh, tiles of
    # 512 / 128 columns: 4096x4096 k=2048 96.2 / 90.5 against v41's 84.7), and with tiles of
    # 256 it selected wrong in 1-4 rows of 512-4096 under load on the H100 (ballots only; the
    # scans and the interpreter right; explicit barriers did not help; gpu_s29_14.sh to _16.sh;
    # cause not found). The code is in commits d662655 to the one after gpu_s29_17.sh.
    # v36 with fewer, fatter warps in register mode where it ranks the keys held in registers
    # (trials, session 29): 2 warps (64 keys a thread) or 4 (32), with register caps.
    "v36_w2": dataclasses.replace(_V36, reg_emit_per_thread=64, reg_emit_maxnreg=255),
    "v36_w2_r168": dataclasses.replace(_V36, reg_emit_per_thread=64, reg_emit_maxnreg=168),
    "v36_w4": dataclasses.replace(_V36, reg_emit_per_thread=32, reg_emit_maxnreg=128),
    "v36_w4_r96": dataclasses.replace(_V36, reg_emit_per_thread=32, reg_emit_maxnreg=96),
    "v39_w4_r80": dataclasses.replace(_V39, reg_emit_per_thread=32, reg_emit_maxnreg=80),
    "v39_w4_r96": dataclasses.replace(_V39, reg_emit_per_thread=32, reg_emit_maxnreg=96),
    "v39_w4_r104": dataclasses.replace(_V39, reg_emit_per_thread=32, reg_emit_maxnreg=104),
    "v39_w4_r112": dataclasses.replace(_V39, reg_emit_per_thread=32, reg_emit_maxnreg=112),
    # v29 with other bracket sizes in register mode (trials, session 22).
    "v29_s64": dataclasses.replace(_V29, select_small=64),
    "v29_s128": dataclasses.replace(_V29, select_small=128),
    "v22_2": dataclasses.replace(_V21A, pdl=2),
    "v22_3": dataclasses.replace(_V21A, pdl=3),
    "v22_4": dataclasses.replace(_V21A, pdl=4),
    "v22_5": dataclasses.replace(_V21A, pdl=5),
    "v20_r96": dataclasses.replace(_V20, reg_maxnreg=96),
    # v4 with fewer warps per row in register mode (2 or 1: fewer cross-warp reductions).
    "v4_w2": dataclasses.replace(_V4, reg_per_thread=64),
    "v4_w1": dataclasses.replace(_V4, reg_per_thread=128),
    # Register mode up to 16384 / 32768 columns (trials; 32768 spills and loses to `sample`).
    "reg16k": dataclasses.replace(_SAMPLE, reg_max_cols=16384),
    "reg32k": dataclasses.replace(_SAMPLE, reg_max_cols=32768, reg_per_thread=64),
    # v1's default: a persistent row kernel for many rows (230 registers at 8 warps: one
    # program per SM, latency-bound; kept for comparison).
    "rows": TopKConfig(),
    # Fewer, fatter iterations: more loads in flight per program, fewer reductions.
    "wide": TopKConfig(block=8192, cand_block=2048, num_warps=16, finish_num_warps=8,
                       progs_per_sm=2, min_chunk=8192),
    # Smaller programs, more of them.
    "narrow": TopKConfig(block=2048, cand_block=1024, num_warps=4, progs_per_sm=8,
                         split_waves=4.0, min_chunk=2048),
    # v1 with finer candidate passes.
    "radix4": TopKConfig(radix_bits=4),
    # Row mode everywhere: what splitting buys for few long rows.
    "nosplit": TopKConfig(max_split=1),
}
DEFAULT_CONFIG = "v48"   # register mode <= 4096 columns, else v3 (sample) where it applies, else v2

_INTERPRETER_SMS = 3   # odd and small: the persistent loop runs several rows per program


def _on_2d_tiles(cfg: TopKConfig, lanes: int, k: int) -> bool:
    """Whether a register select of ``lanes`` lanes for top-``k`` runs on select_2d tiles."""
    return bool(cfg.select_2d) and k * cfg.select_2d <= lanes


def _select_layout(cfg: TopKConfig, lanes: int, warps: int, k: int,
                   device: torch.device, allow_2d: bool = True) -> dict:
    """The lane layout of a register select of ``lanes`` lanes at ``warps`` warps, as the
    kernels' STHREADS / WARP / WASM arguments:
    - STHREADS = its threads (at most its lanes) where select_2d allows it (k * select_2d <=
      lanes, and ``allow_2d``): [threads, lanes / threads] tiles, ranks from in-thread prefix
      sums;
    - else, with warp_emit, WARP = warps (1-D _warp_lanes tiles, _emit_top_warp) and WASM
      (ranks from warp ballots) on CUDA, Triton scans in the interpreter (CPU tensors: what
      the CPU tiers test). Not where the lanes do not fill the warps, and not on ROCm (64-lane
      wavefronts: the ballot is CUDA's; not tried there);
    - else all 0: 1-D lanes, ranks from Triton's block scan."""
    if allow_2d and _on_2d_tiles(cfg, lanes, k):
        return dict(STHREADS=min(32 * warps, lanes), WARP=0, WASM=False)
    if cfg.warp_emit and lanes >= 32 * warps and not (device.type == "cuda"
                                                      and torch.version.hip is not None):
        return dict(STHREADS=0, WARP=warps, WASM=device.type == "cuda")
    return dict(STHREADS=0, WARP=0, WASM=False)


def _runs_args(cfg: TopKConfig, on: bool, sample: int, cols: int, stride_c: int) -> dict:
    """The run sample's kernel arguments (v44 / v45): runs of cfg.sample_runs columns where
    ``on`` (the path's own condition), the columns are unit-strided and the call has at least
    sample_runs_min_ratio * sample columns; else RUNS = 0 (the single-column sample)."""
    use = on and stride_c == 1 and cols >= cfg.sample_runs_min_ratio * sample
    return dict(RUNS=cfg.sample_runs if use else 0, RUN_DEFF_X8=cfg.sample_runs_deff_x8,
                RUN_MIN_RATIO=cfg.sample_runs_min_ratio)


def _maxnreg(n: int, device: torch.device) -> dict:
    """Launch option capping registers per thread (ptx .maxnreg): CUDA only (HIP's compiler
    options have no such field); nothing when n is 0."""
    if n and device.type == "cuda" and torch.version.hip is None:
        return {"maxnreg": n}
    return {}


# TopKConfig.pdl -> (threshold kernel's PDL, compaction's PDL bits, finish waits): see the
# kernels' docstrings. 4 and 5 take one of the two launch boundaries only (trials).
_PDL_PLAN = {0: (0, 0, False), 1: (1, 3, True), 2: (2, 3, True), 3: (2, 7, True),
             4: (0, 1, True), 5: (1, 2, False)}


def _pdl(cfg: TopKConfig, device: torch.device) -> bool:
    """Programmatic dependent launch for this call: the config asks for it, on a CUDA device of
    compute capability 9.0 or more (griddepcontrol is sm_90 PTX) with a Triton that has it."""
    return cfg.pdl > 0 and _pdl_capable(device)


@functools.cache
def _pdl_capable(device: torch.device) -> bool:
    """Once per device (not on every call's host path)."""
    cap = cuda_device_capability(device)
    if cap is None or cap < (9, 0):
        return False
    try:
        from triton.language.extra.cuda import gdc_launch_dependents, gdc_wait  # noqa: F401
    except ImportError:
        return False
    return True


def _resolve(config) -> TopKConfig:
    if config is None:
        return CONFIGS[DEFAULT_CONFIG]
    if isinstance(config, str):
        return CONFIGS[config]
    return config


def _candidate_cap(cols: int, cfg: TopKConfig) -> int:
    """Workspace per row for the threshold bin's elements. A bin of the coarse digit spans a
    quarter octave; for Gaussian-like logits the fullest bin holds ~5.5% of a row, so cols/16
    rounded up to a power of two covers the common case; a fuller bin reads the row again."""
    cap = cfg.cap or min(8192, max(1024, triton.next_power_of_2(max(cols // 16, 1))))
    return max(1, min(cap, cols))


def _sample_segment(cols: int, k: int, split: int, sample: int, sigma: int = 4) -> int:
    """v3 candidate segment per (row, slice), a power of two >= 64.

    _sample_threshold picks sample rank r = ceil(e + sigma sqrt(e) + 2), e = sample * k / cols, so a
    full row of random-order values has ~cols * r / sample candidates; the segment holds 4
    standard deviations more (the threshold's rank error, sqrt(r) sample elements), and per
    slice 4 more of the slice's own count. A row that overflows its segment is not wrong, only
    slow: it takes the v2 kernels (measured: a 2k segment at k = 512 overflowed on 4096 x 131072
    random rows, which then ran both paths, 5454 us against v2's 4388)."""
    if sample <= 0:
        return 64
    e = sample * k / cols
    r = math.ceil(e + sigma * math.sqrt(e) + 2.0)
    row_hi = cols * (r + 4.0 * math.sqrt(r)) / sample
    per_slice = row_hi / split + (4.0 * math.sqrt(row_hi / split) if split > 1 else 0.0)
    return max(64, triton.next_power_of_2(math.ceil(per_slice)))


def plan(rows: int, cols: int, k: int, device: torch.device, config=None) -> dict:
    """The launch plan for a shape: mode, split, grid, workspace sizes (for docs and tests)."""
    cfg = _resolve(config)
    if cfg.reg_max_cols and cols <= cfg.reg_max_cols:
        lanes = max(16, triton.next_power_of_2(cols))
        per, nreg = cfg.reg_per_thread, cfg.reg_maxnreg
        allow_2d = True
        # v37: the streamed emit wherever a row has one warp; v39: the rows of the listed lanes
        stream_ok = bool(cfg.reg_stream) and not (cfg.reg_stream_lanes or cfg.reg_stream_2d_lanes)
        if cfg.reg_stream and (lanes in (cfg.reg_stream_2d_lanes if _on_2d_tiles(cfg, lanes, k)
                                         else cfg.reg_stream_lanes)):
            # v39: one warp a row for the streamed emit, on its 1-D tiles
            per, nreg, allow_2d, stream_ok = lanes, cfg.reg_stream_maxnreg, False, True
        elif (cfg.reg_fat_lanes and lanes >= cfg.reg_fat_lanes and rows >= cfg.reg_fat_rows
              and not _on_2d_tiles(cfg, lanes, k)):
            per, nreg = cfg.reg_fat_per_thread, cfg.reg_fat_maxnreg
        elif cfg.reg_emit_per_thread and not _on_2d_tiles(cfg, lanes, k):
            per, nreg = cfg.reg_emit_per_thread, cfg.reg_emit_maxnreg or nreg
        warps = max(1, min(16, lanes // (32 * per)))
        small = cfg.select_small if rows >= cfg.select_min_rows else 0
        return dict(mode="register", split=1, chunk=cols, cap=0, grid=(rows,), cfg=cfg,
                    lanes=lanes, num_warps=warps, small=small, maxnreg=nreg,
                    allow_2d=allow_2d, stream_ok=stream_ok)
    num_sms = device_sm_count(device, _INTERPRETER_SMS)
    cap = _candidate_cap(cols, cfg)
    split = 1
    if cfg.max_split > 1 and cols > k and rows > 0:
        want = -(-int(cfg.split_waves * num_sms) // rows)
        split = max(1, min(want, cfg.max_split, cols // cfg.min_chunk))
    step = max(cfg.block, cfg.compact_block or cfg.block)
    if split > 1 or (cfg.always_split and cols > k):
        chunk = triton.cdiv(triton.cdiv(cols, split), step) * step
        split = triton.cdiv(cols, chunk)
    if split > 1 or (cfg.always_split and cols > k):
        # v3 segment per (row, slice), sized from the sample's rank (see _sample_segment).
        cap_s = cfg.sample_cap or min(chunk, _sample_segment(cols, k, split, cfg.sample))
        sigma = cfg.sample_sigma or 4
        if not cfg.sample_sigma and not cfg.sample_cap:
            # The widest margin whose candidates still fit the 4-sigma segment: the lanes
            # (and the select's cost) stay, the rows left unsettled become far rarer.
            sigma = max(s for s in (4, 5, 6, 7, 8)
                        if min(chunk, _sample_segment(cols, k, split, cfg.sample, s)) <= cap_s)
        # The exact select holds all the row's segments in registers: v3 only where they
        # fit (one or two slices per row at k = 2048); other shapes run v2 unchanged.
        lanes = triton.next_power_of_2(split * cap_s)
        many = split > cfg.sample_max_split or (
            cfg.sample_pair_threshold and split == 2 and cfg.sample_row_threshold
            and cols >= cfg.sample_row_min_ratio * k)
        if many:
            ok = (cfg.sample_row_threshold and split <= cfg.sample_row_max_split
                  and cols >= cfg.sample_row_min_ratio * k)
        else:
            ok = cols >= cfg.sample_min_ratio * k
        use = lanes <= cfg.sample_max_lanes and ok
        sample = cfg.sample if use else 0
        # v12's one launch only with its register cap where it has one (CUDA): measured
        # without it (118 registers, 2 programs per SM) it lost to the two-kernel path.
        fused = cfg.sample_fused and (not cfg.fused_maxnreg or _maxnreg(cfg.fused_maxnreg, device))
        if sample and split == 1 and fused and lanes <= cfg.fused_max_lanes:
            return dict(mode="sample_rows", split=1, chunk=chunk, cap=cap, grid=(rows,),
                        cfg=cfg, sample=sample, cap_s=cap_s, sample_lanes=lanes, sigma=sigma)
        finish_warps = cfg.finish_num_warps
        if sample and cfg.finish_per_thread:
            finish_warps = max(finish_warps, min(16, lanes // (32 * cfg.finish_per_thread)))
        return dict(mode="split", split=split, chunk=chunk, cap=cap, grid=(rows, split), cfg=cfg,
                    sample=sample, cap_s=cap_s if sample else 0, sample_lanes=lanes, sigma=sigma,
                    t_given=bool(sample) and many, finish_warps=finish_warps)
    return dict(mode="row", split=1, chunk=cols, cap=cap,
                grid=(max(1, min(rows, num_sms * cfg.progs_per_sm)),), cfg=cfg)


_PLANS: dict = {}


def _cached_plan(rows: int, cols: int, k: int, device: torch.device, config) -> dict:
    """``plan`` memoised on the shape (the launcher's host path stays a dict lookup)."""
    key = (rows, cols, k, device, config if config is None or isinstance(config, str) else id(config))
    p = _PLANS.get(key)
    if p is None:
        p = plan(rows, cols, k, device, config)
        if p["mode"] == "register":
            small = p["small"]
            p["bemit"] = bool(
                p["cfg"].reg_bracket_emit and small and p["cfg"].select_hi < 0
                and _select_layout(p["cfg"], p["lanes"], p["num_warps"], k, device,
                                   p["allow_2d"])["WARP"])
            p["ws_numel"] = rows * ((2 if p["bemit"] else 1) * small + 1) if small else 0
            # The streamed emit: one warp a row, tiles no wider than the row's lanes.
            p["stream"] = (min(p["cfg"].reg_stream, p["lanes"])
                           if p["bemit"] and p["num_warps"] == 1 and p["stream_ok"] else 0)
        elif p["mode"] == "sample_rows":
            # Per row: its candidate segment (keys, columns), the row-mode fallback's
            # candidates, _kth_key's scratch.
            # (the bracket emit's scratch: 2 finish_small + 1)
            # (fused_vec_gather: segments of twice cap_s)
            seg = p["cap_s"] * (2 if p["cfg"].fused_vec_gather else 1)
            p["ws_numel"] = rows * (2 * seg + 2 * p["cap"] + 2 * p["cfg"].finish_small
                                    + 1 + 32)   # + the warp compaction's counts (<= 32 warps)
        elif p["mode"] == "split":
            # The v2 histograms (unused, but still allocated, when row_fallback is on).
            hist_n = rows * p["split"] * int(COARSE_BINS)
            p["ws_numel"] = hist_n + 2 * rows * p["cap"]
            p["hist_n"] = hist_n
            if p["sample"]:
                p["ws_numel"] += rows * p["split"] * (2 * p["cap_s"] + 1) + rows   # + t16
                fs = p["cfg"].finish_small
                p["ws_numel"] += rows * (fs + 1) if fs else 0   # the finish's select scratch
        else:
            p["ws_numel"] = 2 * p["grid"][0] * p["cap"]
        p["split_pow2"] = triton.next_power_of_2(p["split"])
        if len(_PLANS) > 4096:
            _PLANS.clear()
        _PLANS[key] = p
    return p


def top_k_per_row(logits: torch.Tensor, out: torch.Tensor, k: int, *,
                  row_starts: torch.Tensor = None, row_ends: torch.Tensor = None,
                  seq_lens: torch.Tensor = None, next_n: int = 1, config=None) -> None:
    """Write the top-k column indices of every row of ``logits`` into ``out [rows, k]``.

    Prefill rows: ``row_starts``/``row_ends`` (int32 [rows]). Decode rows: ``seq_lens``
    (int32 [rows // next_n]) and ``next_n``. Inputs are validated by the caller (ops/topk.py).
    """
    rows, cols = logits.shape
    if rows == 0:
        return
    device = logits.device
    p = _cached_plan(rows, cols, k, device, config)
    cfg = p["cfg"]
    decode = seq_lens is not None
    if decode:
        row_starts = row_ends = seq_lens    # unused pointers in decode mode
    else:
        seq_lens = row_starts
    cap = p["cap"]
    stride_r, stride_c = logits.stride()
    common = (logits, stride_r, stride_c, row_starts, row_ends, seq_lens, next_n, cols)
    if p["mode"] == "register":
        small = p["small"]
        scr = torch.empty(p["ws_numel"], dtype=torch.int32, device=device) if small else out
        topk_register_kernel[p["grid"]](
            *common, out, out.stride(0), k, scr, IS_DECODE=decode, COL_CONTIG=stride_c == 1,
            LANES=p["lanes"], FILL_BLOCK=1024, SEL=cfg.select_bits, SMALL=small,
            HI=cfg.select_hi,
            **_select_layout(cfg, p["lanes"], p["num_warps"], k, device, p["allow_2d"]),
            BEMIT=p["bemit"], STREAM=p["stream"],
            SUMS=p["bemit"] and cfg.reg_lean_sums and cfg.select_hi == -2,
            num_warps=p["num_warps"],
            **_maxnreg(p["maxnreg"], device))
        return
    # One workspace allocation per call (size from the shape only).
    ws = torch.empty(p["ws_numel"], dtype=torch.int32, device=device)
    sample_warps = cfg.sample_num_warps or cfg.compact_num_warps or cfg.num_warps
    sample_block = cfg.sample_block or cfg.compact_block or cfg.block
    # scan2d: one tile column per thread (at least two rows per tile: small test tiles)
    threads = min(32 * sample_warps, sample_block // 2) if cfg.scan2d else 0
    if p["mode"] == "sample_rows":
        # the vector compaction (trials): its tiles need whole warps of 128-column groups
        vec = (p["sample_lanes"] <= cfg.fused_vec_compact
               and sample_block % (128 * sample_warps) == 0 and p["cap_s"] % sample_warps == 0)
        # (fused_vec_gather: the vector compaction's warp segments twice as long)
        cap_s = p["cap_s"] * (2 if vec and cfg.fused_vec_gather else 1)
        sck, sci = ws[:rows * cap_s], ws[rows * cap_s:2 * rows * cap_s]
        o = 2 * rows * cap_s
        ck, ci = ws[o:o + rows * cap], ws[o + rows * cap:o + 2 * rows * cap]
        lay = _select_layout(cfg, p["sample_lanes"], sample_warps, k, device)
        fhi = cfg.finish_hi if cfg.fused_hi is None else cfg.fused_hi
        bemit = bool(cfg.fused_bracket_emit and lay["WARP"] and fhi < 0 and cfg.finish_small)
        n_scr = rows * ((2 if bemit else 1) * cfg.finish_small + 1)
        scr = ws[o + 2 * rows * cap:o + 2 * rows * cap + n_scr]
        wc = ws[o + 2 * rows * cap + n_scr:]
        # the warp compaction: its 1-D tiles need whole warps of 32-column groups
        wcomp = sample_warps if vec or (p["sample_lanes"] <= cfg.fused_warp_compact
                                        and sample_block % (32 * sample_warps) == 0
                                        and p["cap_s"] % sample_warps == 0) else 0
        vblock = (cfg.fused_vec_block and not wcomp
                  and sample_block % (128 * sample_warps) == 0)
        topk_sample_rows_kernel[p["grid"]](
            *common, out, out.stride(0), k, sck, sci, cap_s, ck, ci, cap, scr,
            IS_DECODE=decode, COL_CONTIG=stride_c == 1, BLOCK=sample_block,
            SAMPLE=p["sample"], THREADS=threads, T_BITS=cfg.threshold_bits,
            T_GROUP=cfg.sample_group, T_SIGMA=p["sigma"], LANES=p["sample_lanes"],
            SEL=cfg.select_bits, SMALL=cfg.finish_small,
            HI=fhi, CBLOCK=cfg.cand_block, RADIX_BITS=cfg.radix_bits, **lay, BEMIT=bemit,
            L2HINT=cfg.sample_l2 >= 1, WCOMP=wcomp, p_wc=wc,
            VEC=(3 if cfg.fused_vec_gather else 1) if vec else 2 if vblock else 0,
            VWARPS=sample_warps,
            **_runs_args(cfg, vec or not wcomp, p["sample"], cols, stride_c),
            num_warps=sample_warps,
            **_maxnreg(cfg.fused_maxnreg, device))
        return
    if p["mode"] == "row":
        grid = p["grid"]
        # Candidate keys and columns: one slot of `cap` per persistent program.
        n = grid[0] * cap
        topk_rows_kernel[grid](
            *common, out, out.stride(0), ws[:n], ws[n:], cap, rows, k,
            IS_DECODE=decode, COL_CONTIG=stride_c == 1,
            BLOCK=cfg.block, CBLOCK=cfg.cand_block, RADIX_BITS=cfg.radix_bits,
            num_warps=cfg.num_warps)
        return
    split, chunk = p["split"], p["chunk"]
    hist_n = p["hist_n"]
    hist = ws[:hist_n]
    ck = ws[hist_n:hist_n + rows * cap]
    ci = ws[hist_n + rows * cap:]
    split_pow2 = p["split_pow2"]
    flags = dict(IS_DECODE=decode, COL_CONTIG=stride_c == 1)
    use_sample = bool(p["sample"])
    pdl = use_sample and _pdl(cfg, device)
    if use_sample:
        # v3: sample threshold + compaction first; the v2 kernels then skip the rows it settled.
        cap_s = p["cap_s"]
        o = hist_n + 2 * rows * cap
        n_seg = rows * split
        sck = ws[o:o + n_seg * cap_s]
        sci = ws[o + n_seg * cap_s:o + 2 * n_seg * cap_s]
        scnt = ws[o + 2 * n_seg * cap_s:o + 2 * n_seg * cap_s + n_seg]
        t16 = ws[o + 2 * n_seg * cap_s + n_seg:o + 2 * n_seg * cap_s + n_seg + rows]
        scr = ws[o + 2 * n_seg * cap_s + n_seg + rows:] if cfg.finish_small else ws
        # PDL: a kernel lets the next launch early (gdc_launch_dependents), and the next waits
        # on the device (gdc_wait) before reading what the previous one wrote
        thr_pdl, comp_pdl, fin_pdl = _PDL_PLAN[cfg.pdl if pdl else 0]
        lean = 0 < cfg.compact_lean * sample_block <= chunk
        if not p["t_given"]:
            comp_pdl &= 1   # no threshold kernel: the compaction launches first, waits for nothing
        runs = _runs_args(cfg, cfg.sample_runs_split, p["sample"], cols, stride_c)
        if p["t_given"]:
            topk_sample_threshold_kernel[(rows,)](
                *common, t16, k, SAMPLE=p["sample"], T_BITS=cfg.threshold_bits,
                T_GROUP=cfg.sample_group, T_SIGMA=p["sigma"], PDL=thr_pdl,
                num_warps=cfg.threshold_num_warps,
                **(runs if thr_pdl != 2 else {}), **flags)
        topk_sample_compact_kernel[(rows, split)](
            *common, chunk, sck, sci, scnt, cap_s, k, t16,
            BLOCK=sample_block, SAMPLE=p["sample"],
            SKIP_EMPTY=cfg.skip_empty, T_GIVEN=p["t_given"], THREADS=threads,
            T_BITS=cfg.threshold_bits, T_GROUP=cfg.sample_group, T_SIGMA=p["sigma"],
            L2HINT=cfg.sample_l2 >= 2, PDL=comp_pdl, LEAN=lean,
            PREFETCH=lean and 0 < cfg.compact_prefetch * sample_block <= chunk,
            **(runs if not p["t_given"] else {}), num_warps=sample_warps,
            **({"launch_pdl": True} if comp_pdl & 2 else {}), **flags)
    else:
        cap_s = 1
        sck = sci = scnt = scr = ck      # unused
        fin_pdl = False
    row_fallback = use_sample and cfg.row_fallback
    if not row_fallback:
        topk_split_hist_kernel[(rows, split)](
            *common, hist, chunk, k, scnt, cap_s, BLOCK=cfg.block, USE_SAMPLE=use_sample,
            SPLIT_POW2=split_pow2, num_warps=cfg.num_warps, **flags)
        topk_split_compact_kernel[(rows, split)](
            *common, hist, chunk, out, out.stride(0), ck, ci, cap, k, scnt, cap_s,
            BLOCK=cfg.compact_block or cfg.block, SPLIT_POW2=split_pow2, USE_SAMPLE=use_sample,
            num_warps=cfg.compact_num_warps or cfg.num_warps, **flags)
    topk_split_finish_kernel[(rows,)](
        *common, hist, split, out, out.stride(0), ck, ci, cap, k, scnt, cap_s, sck, sci, scr,
        CBLOCK=cfg.cand_block, RADIX_BITS=cfg.radix_bits, SPLIT_POW2=split_pow2,
        USE_SAMPLE=use_sample, SAMPLE_LANES=p["sample_lanes"] if use_sample else 1,
        SEL=cfg.select_bits, ROW_FALLBACK=row_fallback, RBLOCK=cfg.compact_block or cfg.block,
        SMALL=cfg.finish_small if use_sample else 0, HI=cfg.finish_hi,
        **(_select_layout(cfg, p["sample_lanes"], p["finish_warps"], k, device, cfg.finish_2d)
           if use_sample else {}),
        PDL=fin_pdl, **({"launch_pdl": True} if fin_pdl else {}), num_warps=p["finish_warps"],
        **flags)


def top_k_per_row_prefill(logits: torch.Tensor, row_starts: torch.Tensor,
                          row_ends: torch.Tensor, out: torch.Tensor, k: int,
                          config=None) -> None:
    """Kernel signature of ``top_k_per_row_prefill`` (outputs preallocated)."""
    top_k_per_row(logits, out, k, row_starts=row_starts, row_ends=row_ends, config=config)


def top_k_per_row_decode(logits: torch.Tensor, seq_lens: torch.Tensor, out: torch.Tensor,
                         next_n: int, k: int, config=None) -> None:
    """Kernel signature of ``top_k_per_row_decode`` (outputs preallocated)."""
    top_k_per_row(logits, out, k, seq_lens=seq_lens, next_n=next_n, config=config)


def describe(platform) -> str:
    """Which top-k kernels run on ``platform`` (``opdispatch explain``): the default config's
    modes, chosen per shape by ``plan``."""
    cfg = CONFIGS[DEFAULT_CONFIG]
    pdl = (" with programmatic dependent launch between its kernels"
           if cfg.pdl and platform.is_cuda() and platform.has_real_gpu
           and (platform.device_capability or (0, 0)) >= (9, 0) else "")
    return (f"radix select, config {DEFAULT_CONFIG}: rows of <= {cfg.reg_max_cols} columns in "
            f"registers (one launch); longer rows by a sampled threshold, compaction and "
            f"register select{pdl}; the rest by the histogram pipeline; per shape: "
            f"topk.plan(rows, cols, k, device)")
