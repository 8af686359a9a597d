"""The Triton radix select through TRITON_INTERPRET=1 on CPU tensors (interp tier).

Small configs (``SMALL``) make tiny shapes walk every path: several blocks per pass, the
persistent row loop, split mode with several slices, the candidate workspace overflowing to
the row re-read, 4-bit and 8-bit candidate passes.
"""

import dataclasses
import math

import pytest
import torch
import triton
import triton.language as tl

from opdispatch.backends.triton import topk as tk
from opdispatch.backends.triton import topk_kernels as tkk
from opdispatch.ops.topk import TopKPerRowDecode, TopKPerRowPrefill

from .helpers import (
    assert_topk_matches,
    decode_bounds,
    make_logits,
    order_key16,
    sample_threshold_ref,
)

pytestmark = pytest.mark.interp

I32 = torch.int32

# The interpolating search's configs (select_hi / finish_hi = -1); the lean forms in SMALL
# differ from them in that knob only.
_INTERP_1D = tk.TopKConfig(reg_max_cols=512, reg_per_thread=2, select_small=16, select_hi=-1)
_INTERP_EXACT_2D = tk.TopKConfig(reg_max_cols=512, reg_per_thread=2, select_hi=-1, select_2d=1)
_INTERP_WARP = tk.TopKConfig(reg_max_cols=512, reg_per_thread=4, select_small=16, select_hi=-1,
                             warp_emit=True)
_INTERP_FINISH = tk.TopKConfig(block=32, cand_block=32, min_chunk=32, split_waves=16, cap=64,
                               sample=32, scan2d=True, finish_small=8, finish_hi=-1,
                               row_fallback=True, warp_emit=True, sample_max_split=8,
                               sample_min_ratio=4)

SMALL = {
    "row": tk.TopKConfig(block=64, cand_block=32, max_split=1, cap=48),
    "row_tinycap_r4": tk.TopKConfig(block=32, cand_block=16, max_split=1, cap=4, radix_bits=4),
    "split": tk.TopKConfig(block=32, cand_block=32, min_chunk=32, split_waves=16, cap=64),
    "split_tinycap": tk.TopKConfig(block=32, cand_block=16, min_chunk=32, split_waves=16, cap=3),
    # The 3-kernel pipeline with one slice per row (the GPU default for many rows).
    "pipe": tk.TopKConfig(block=32, cand_block=16, always_split=True, max_split=1, cap=48,
                          compact_block=16, compact_num_warps=2),
    # v3: sample threshold, one slice per row / several slices; tiny segments force the
    # device-side fallback to the exact v2 kernels for some rows but not others.
    "sample": tk.TopKConfig(block=32, cand_block=16, always_split=True, max_split=1, cap=48,
                            compact_block=16, sample=16, radix_bits=4),
    "sample_split": tk.TopKConfig(block=32, cand_block=32, min_chunk=32, split_waves=16,
                                  cap=64, sample=32, skip_empty=True,
                                  sample_max_split=8, sample_min_ratio=4),
    "sample_tinyseg": tk.TopKConfig(block=32, cand_block=16, min_chunk=32, split_waves=16,
                                    cap=3, sample=16, sample_cap=8, sample_max_split=8,
                                    sample_min_ratio=4),
    # v3 on rows of many slices, the threshold from its own per-row kernel (t_given).
    "sample_rowthr": tk.TopKConfig(block=32, cand_block=32, min_chunk=32, split_waves=16,
                                   cap=64, sample=32, sample_max_split=1,
                                   sample_row_threshold=True, sample_row_min_ratio=16),
    # Register mode (the whole row in registers, one launch): 2 and 4 keys per thread.
    "register": tk.TopKConfig(reg_max_cols=512, reg_per_thread=2),
    "register_w1": tk.TopKConfig(reg_max_cols=512, reg_per_thread=16),
    # The register selects deciding 2 bits per step (packed counts): register mode, and v3's
    # finish. (The sample_* configs with several slices per row allow up to 8 slices and
    # cols >= 4 k, so that the test shapes take the sample path; see test_plan_modes.)
    "register_sel2": tk.TopKConfig(reg_max_cols=512, reg_per_thread=2, select_bits=2),
    "sample_sel2": tk.TopKConfig(block=32, cand_block=32, min_chunk=32, split_waves=16,
                                 cap=64, sample=32, skip_empty=True, select_bits=2,
                                 sample_max_split=8, sample_min_ratio=4),
    "sample_sel2_scan2d": tk.TopKConfig(block=32, cand_block=32, min_chunk=32, split_waves=16,
                                        cap=64, sample=32, select_bits=2, scan2d=True,
                                        sample_max_split=8, sample_min_ratio=4),
    # Two-level register selects (search the top select_hi bits, then the k-th key's bucket by
    # pairwise counts when it holds <= select_small keys, else search on): a 64-key bucket
    # (the pairwise path on nearly every row), a 2-key one (ties, narrow rows: the fallback)
    # with 2 bits per step, and 20 bits searched first.
    "register_2l": tk.TopKConfig(reg_max_cols=512, reg_per_thread=2, select_small=64),
    "register_2l_tiny_sel2": tk.TopKConfig(reg_max_cols=512, reg_per_thread=2, select_small=2,
                                           select_bits=2),
    "register_2l_hi20": tk.TopKConfig(reg_max_cols=512, reg_per_thread=2, select_small=16,
                                      select_hi=20),
    # v3 with the unsettled rows done by the finish kernel alone (no v2 launches) and the
    # sample threshold 2 bits per step: tiny segments (fallback on some rows, not others),
    # several slices with the per-row threshold kernel, one slice per row.
    "sample_rowfb_tinyseg": tk.TopKConfig(block=32, cand_block=16, always_split=True,
                                          max_split=1, cap=48, compact_block=16, sample=16,
                                          sample_cap=8, row_fallback=True, threshold_bits=2),
    "sample_rowfb_rowthr": tk.TopKConfig(block=32, cand_block=32, min_chunk=32, split_waves=16,
                                         cap=64, sample=32, sample_max_split=1, sample_cap=4,
                                         sample_row_threshold=True, sample_row_min_ratio=16,
                                         row_fallback=True, threshold_bits=2),
    # The v3 finish with the two-level select (8-key buckets: pairwise or search on).
    "sample_finish_2l": tk.TopKConfig(block=32, cand_block=32, min_chunk=32, split_waves=16,
                                      cap=64, sample=32, scan2d=True, finish_small=8,
                                      finish_hi=16, row_fallback=True,
                                      sample_max_split=8, sample_min_ratio=4),
    # The same tiny segments with the v2 kernels as the fallback (one slice per row).
    "sample_tinyseg_1slice": tk.TopKConfig(block=32, cand_block=16, always_split=True,
                                           max_split=1, cap=48, compact_block=16, sample=16,
                                           sample_cap=8),
    # row_fallback with the in-thread rank scans, one slice per row.
    "sample_rowfb_pipe": tk.TopKConfig(block=32, cand_block=16, always_split=True, max_split=1,
                                       cap=48, compact_block=16, sample=16, scan2d=True,
                                       row_fallback=True),
    # The sample threshold from runs of 4 adjacent columns (v11), with the finish's fallback.
    "sample_group4": tk.TopKConfig(block=32, cand_block=32, min_chunk=32, split_waves=16,
                                   cap=64, sample=32, scan2d=True, sample_group=4,
                                   row_fallback=True, sample_max_split=8, sample_min_ratio=4),
    # v12's one-launch v3 for rows of one slice (no register cap: the interpreter has none),
    # tiny segments so that some rows take its row-mode fallback.
    "sample_fused": tk.TopKConfig(block=32, cand_block=16, always_split=True, max_split=1,
                                  cap=48, compact_block=16, sample=16, scan2d=True,
                                  sample_group=4, sample_fused=True, finish_small=8,
                                  finish_hi=16),
    "sample_fused_tinyseg": tk.TopKConfig(block=32, cand_block=16, always_split=True,
                                          max_split=1, cap=48, compact_block=16, sample=16,
                                          sample_cap=8, sample_fused=True),
    # Register selects on [threads, lanes / threads] tiles, output ranks by in-thread prefix
    # sums (select_2d): register mode with 2 keys per thread and two levels (the bucket's
    # atomics from a 2-D tile), one warp of 16 keys each deciding 2 bits per step, the v3
    # finish with two levels, v12's one launch.
    "register_2d": tk.TopKConfig(reg_max_cols=512, reg_per_thread=2, select_small=16,
                                 select_2d=1),
    "register_2d_w1_sel2": tk.TopKConfig(reg_max_cols=512, reg_per_thread=16, select_bits=2,
                                         select_2d=1),
    "sample_finish_2l_2d": tk.TopKConfig(block=32, cand_block=32, min_chunk=32, split_waves=16,
                                         cap=64, sample=32, scan2d=True, finish_small=8,
                                         finish_hi=16, row_fallback=True, select_2d=1,
                                         sample_max_split=8, sample_min_ratio=4),
    "sample_fused_2d": tk.TopKConfig(block=32, cand_block=16, always_split=True, max_split=1,
                                     cap=48, compact_block=16, sample=16, scan2d=True,
                                     sample_fused=True, finish_small=8, finish_hi=16,
                                     select_2d=1),
    # Adaptive two-level selects (select_hi / finish_hi = 0: the bits every lane shares at
    # once, search steps only while the bucket holds more than select_small keys): 16-key
    # buckets, 2-key ones (ties: the search runs to the last bit), the v3 finish with 8-key
    # buckets, v12's one launch on 2-D tiles; 2-D tiles only where k * 16 <= lanes (the test
    # shapes have both).
    "register_adapt": tk.TopKConfig(reg_max_cols=512, reg_per_thread=2, select_small=16,
                                    select_hi=0),
    "register_adapt_2d16": tk.TopKConfig(reg_max_cols=512, reg_per_thread=2, select_small=32,
                                         select_hi=0, select_2d=16),
    "register_adapt_tiny": tk.TopKConfig(reg_max_cols=512, reg_per_thread=4, select_small=2,
                                         select_hi=0, select_2d=1),
    "sample_finish_adapt": tk.TopKConfig(block=32, cand_block=32, min_chunk=32, split_waves=16,
                                         cap=64, sample=32, scan2d=True, finish_small=8,
                                         finish_hi=0, row_fallback=True,
                                         sample_max_split=8, sample_min_ratio=4),
    "sample_fused_adapt": tk.TopKConfig(block=32, cand_block=16, always_split=True,
                                        max_split=1, cap=48, compact_block=16, sample=16,
                                        scan2d=True, sample_fused=True, finish_small=8,
                                        finish_hi=0, select_2d=1),
    # The sample's loads evict_last and the row's evict_first (sample_l2; the interpreter
    # ignores the hints: this checks the path runs and selects right), one launch and two.
    "sample_fused_l2": tk.TopKConfig(block=32, cand_block=16, always_split=True, max_split=1,
                                     cap=48, compact_block=16, sample=16, scan2d=True,
                                     sample_fused=True, sample_l2=1),
    "sample_split_l2": tk.TopKConfig(block=32, cand_block=32, min_chunk=32, split_waves=16,
                                     cap=64, sample=32, scan2d=True, row_fallback=True,
                                     sample_max_split=8, sample_min_ratio=4, sample_l2=2),
    # The warp emit (v20): lanes numbered so that each warp holds consecutive ones, output
    # positions from ranks inside each 32-lane group plus the counts of the groups before
    # it (on CUDA the in-group ranks come from warp ballots; here from the Triton scans that
    # are also its fallback, on both of its branches: no ties left over, and ties): register
    # mode (4 warps and one), adaptive two levels, the v3 finish (several slices, and the
    # per-row threshold kernel), v12's one launch.
    "register_warp": tk.TopKConfig(reg_max_cols=512, reg_per_thread=2, select_small=16,
                                   select_hi=0, warp_emit=True),
    "register_warp_w1": tk.TopKConfig(reg_max_cols=512, reg_per_thread=16, warp_emit=True),
    "sample_finish_warp": tk.TopKConfig(block=32, cand_block=32, min_chunk=32, split_waves=16,
                                        cap=64, sample=32, scan2d=True, finish_small=8,
                                        finish_hi=0, row_fallback=True, warp_emit=True,
                                        sample_max_split=8, sample_min_ratio=4),
    "sample_rowthr_warp": tk.TopKConfig(block=32, cand_block=32, min_chunk=32, split_waves=16,
                                        cap=64, sample=32, sample_max_split=1,
                                        sample_row_threshold=True, sample_row_min_ratio=16,
                                        warp_emit=True),
    "sample_fused_warp": tk.TopKConfig(block=32, cand_block=16, always_split=True,
                                       max_split=1, cap=48, compact_block=16, sample=16,
                                       scan2d=True, sample_fused=True, finish_small=8,
                                       finish_hi=0, warp_emit=True),
    # v21's split: select_2d tiles in register mode, the v3 finish on warp-emit tiles.
    "sample_finish_warp_not_2d": tk.TopKConfig(block=32, cand_block=32, min_chunk=32,
                                               split_waves=16, cap=64, sample=32, scan2d=True,
                                               finish_small=8, finish_hi=0, row_fallback=True,
                                               warp_emit=True, select_2d=16, finish_2d=False,
                                               reg_max_cols=24, reg_per_thread=1,
                                               sample_max_split=8, sample_min_ratio=4),
    # v23: register mode with other keys per thread where its select writes through the warp
    # emit (k > lanes / select_2d), the 2-D tiles elsewhere: both branches in the shapes below.
    "register_emit8": tk.TopKConfig(reg_max_cols=512, reg_per_thread=2, select_small=16,
                                    select_hi=0, warp_emit=True, select_2d=16,
                                    reg_emit_per_thread=8),
    # The interpolating search (select_hi / finish_hi = -1, v24-v26): a normal fit, then the
    # bracket's interpolation, two probes per reduction; with the bucket (select_small > 0)
    # and run to the end (0: no scratch), on 1-D, 2-D and warp-emit tiles; the v3 finish and
    # v12's one launch with it; v26's split (interpolating finish, adaptive one launch).
    "register_interp": _INTERP_1D,
    "register_interp_exact_2d": _INTERP_EXACT_2D,
    "register_interp_warp": _INTERP_WARP,
    "register_interp_exact_warp": tk.TopKConfig(reg_max_cols=512, reg_per_thread=4,
                                                select_hi=-1, warp_emit=True),
    "sample_finish_interp": _INTERP_FINISH,
    "sample_fused_interp_exact": tk.TopKConfig(block=32, cand_block=16, always_split=True,
                                               max_split=1, cap=48, compact_block=16,
                                               sample=16, scan2d=True, sample_fused=True,
                                               finish_hi=-1, warp_emit=True),
    "sample_fused_hi": tk.TopKConfig(block=32, cand_block=16, always_split=True, max_split=1,
                                     cap=48, compact_block=16, sample=16, scan2d=True,
                                     sample_fused=True, finish_small=8, finish_hi=-1,
                                     fused_hi=0),
    # v46: v12's one launch with the lean interpolating search with min / max (fused_hi = -3)
    # and an 8-key bucket, on the warp emit's tiles.
    "sample_fused_lean_m": tk.TopKConfig(block=32, cand_block=16, always_split=True,
                                         max_split=1, cap=48, compact_block=16, sample=16,
                                         scan2d=True, sample_fused=True, finish_small=8,
                                         fused_hi=-3, warp_emit=True),
    # The same with the bracket emit (fused_bracket_emit, a trial of session 30), at 2 warps
    # so that the test shapes' selects have the warp emit's tiles.
    "sample_fused_bemit": tk.TopKConfig(block=32, cand_block=16, always_split=True,
                                        max_split=1, cap=48, compact_block=16, sample=16,
                                        scan2d=True, sample_fused=True, finish_small=8,
                                        fused_hi=-3, warp_emit=True, fused_bracket_emit=True,
                                        sample_num_warps=2, sample_block=64),
    # The lean interpolating search (-2: no min / max, -3: with them; v28) on the same tiles as
    # the interpolating ones above: bucket on 1-D tiles, run to the end on 2-D tiles, the
    # warp emit, the v3 finish.
    "register_lean": dataclasses.replace(_INTERP_1D, select_hi=-2),
    "register_lean_exact_2d": dataclasses.replace(_INTERP_EXACT_2D, select_hi=-2),
    "register_lean_m_warp": dataclasses.replace(_INTERP_WARP, select_hi=-3),
    "sample_finish_lean_m": dataclasses.replace(_INTERP_FINISH, finish_hi=-3),
    # v48 (trial, session 32): the v3 finish and v12's one launch started from the tail fit
    # (finish_hi / fused_hi = -4: the candidates as the largest of the row's n values).
    "sample_finish_tail": dataclasses.replace(_INTERP_FINISH, finish_hi=-4),
    # v29: register mode's emit from the search's final bracket (no bucket), on the warp
    # emit's tiles, lean and full starts.
    "register_bemit": tk.TopKConfig(reg_max_cols=512, reg_per_thread=4, select_small=16,
                                    select_hi=-2, warp_emit=True, reg_bracket_emit=True),
    "register_bemit_m": tk.TopKConfig(reg_max_cols=512, reg_per_thread=4, select_small=8,
                                      select_hi=-1, warp_emit=True, reg_bracket_emit=True),
    # v37: one warp a row with the streamed bracket emit (the row read again in tiles of 64
    # and 32 columns: two 32-column groups per thread and one; ranks from Triton scans here).
    "register_bemit_stream": tk.TopKConfig(reg_max_cols=512, reg_per_thread=16,
                                           select_small=16, select_hi=-2, warp_emit=True,
                                           reg_bracket_emit=True, reg_stream=64),
    "register_bemit_stream_r1": tk.TopKConfig(reg_max_cols=512, reg_per_thread=16,
                                              select_small=8, select_hi=-3, warp_emit=True,
                                              reg_bracket_emit=True, reg_stream=32),
    # v39: one warp a row and the streamed emit for rows of 256 lanes, and of 512 where k is
    # small enough for select_2d tiles; the other rows as v36 (4 warps, 2-D tiles or not).
    "register_stream_some_rows": tk.TopKConfig(reg_max_cols=512, reg_per_thread=4,
                                               select_small=16, select_hi=-2, warp_emit=True,
                                               reg_bracket_emit=True, select_2d=16,
                                               reg_emit_per_thread=4, reg_stream=64,
                                               reg_stream_lanes=(256,),
                                               reg_stream_2d_lanes=(512,)),
    # v40: fatter threads (reg_fat_*) for rows of >= 256 lanes in calls of >= 5 rows (the
    # first shape below), the warp emit's keys a thread elsewhere.
    "register_fat": tk.TopKConfig(reg_max_cols=512, reg_per_thread=4, select_small=16,
                                  select_hi=-2, warp_emit=True, reg_bracket_emit=True,
                                  reg_emit_per_thread=2, reg_fat_lanes=256, reg_fat_rows=5,
                                  reg_fat_per_thread=8),
    # v43: the lean start's sums from the loaded values (warp emit tiles, and one warp a row
    # with the streamed emit).
    "register_bemit_sums": tk.TopKConfig(reg_max_cols=512, reg_per_thread=4, select_small=16,
                                         select_hi=-2, warp_emit=True, reg_bracket_emit=True,
                                         reg_lean_sums=True),
    "register_stream_sums": tk.TopKConfig(reg_max_cols=512, reg_per_thread=16,
                                          select_small=16, select_hi=-2, warp_emit=True,
                                          reg_bracket_emit=True, reg_stream=64,
                                          reg_lean_sums=True),
    # The v3 compaction with in-thread rank scans ([tile / threads, threads] tiles).
    "sample_scan2d": tk.TopKConfig(block=32, cand_block=16, always_split=True, max_split=1,
                                    cap=48, compact_block=16, sample=16, scan2d=True),
}
# v32: the lean compaction (one float compare, unmasked full tiles), with the next tile loaded
# first in every slice of at least one full tile (1-D tiles with skip_empty, and scan2d tiles),
# and without it on the per-row threshold path.
SMALL["sample_split_lean_pf"] = dataclasses.replace(SMALL["sample_split"], compact_lean=1,
                                                    compact_prefetch=1)
SMALL["sample_scan2d_lean_pf"] = dataclasses.replace(SMALL["sample_scan2d"], compact_lean=1,
                                                     compact_prefetch=1)
SMALL["sample_rowthr_lean"] = dataclasses.replace(SMALL["sample_rowthr"], compact_lean=1)
# v33: rows of two slices with the per-row threshold kernel (sample_pair_threshold).
SMALL["sample_pair_thr_lean"] = dataclasses.replace(SMALL["sample_split_lean_pf"],
                                                    sample_pair_threshold=True,
                                                    sample_row_threshold=True,
                                                    sample_row_min_ratio=4, max_split=2)

# v36: v12's one launch compacting by warps (_compact_slice_warp; in the interpreter its ranks
# come from Triton scans), one and two 32-column groups per thread and tile, and with segments
# so small that rows overflow them (the row-mode fallback).
SMALL["sample_fused_warp"] = dataclasses.replace(SMALL["sample_fused"], fused_warp_compact=4096,
                                                 sample_block=64, sample_num_warps=2)
SMALL["sample_fused_warp_r2"] = dataclasses.replace(SMALL["sample_fused"],
                                                    fused_warp_compact=4096, sample_block=128,
                                                    sample_num_warps=2)
SMALL["sample_fused_warp_tinyseg"] = dataclasses.replace(SMALL["sample_fused_tinyseg"],
                                                         fused_warp_compact=4096,
                                                         sample_block=64, sample_num_warps=2)

# The vector compaction (fused_vec_compact, a trial of session 31): [tile / 4, 4] tiles, ranks
# from a warp scan of each thread's count; one and two registers of four-column groups per
# thread, with runs, and with segments so small that rows overflow them.
SMALL["sample_fused_vec"] = dataclasses.replace(SMALL["sample_fused"], fused_vec_compact=4096,
                                                sample_block=256, sample_num_warps=2)
SMALL["sample_fused_vec_r2"] = dataclasses.replace(SMALL["sample_fused"], fused_vec_compact=4096,
                                                   sample_block=512, sample_num_warps=2,
                                                   sample=32, sample_runs=8,
                                                   sample_runs_min_ratio=2)
SMALL["sample_fused_vec_tinyseg"] = dataclasses.replace(SMALL["sample_fused_tinyseg"],
                                                        fused_vec_compact=4096,
                                                        sample_block=256, sample_num_warps=2)
SMALL["sample_fused_vgather"] = dataclasses.replace(SMALL["sample_fused_vec_r2"],
                                                    fused_vec_gather=True)
SMALL["sample_fused_vgather_tinyseg"] = dataclasses.replace(SMALL["sample_fused_vec_tinyseg"],
                                                            fused_vec_gather=True)
SMALL["sample_fused_vblock"] = dataclasses.replace(SMALL["sample_fused"], fused_vec_block=True,
                                                   sample_block=512, sample_num_warps=2,
                                                   sample=32, sample_runs=8,
                                                   sample_runs_min_ratio=2, fused_hi=-3,
                                                   warp_emit=True)
SMALL["sample_fused_vblock_tinyseg"] = dataclasses.replace(SMALL["sample_fused_tinyseg"],
                                                           fused_vec_block=True,
                                                           sample_block=256,
                                                           sample_num_warps=2)

SMALL["sample_fused_tail"] = dataclasses.replace(SMALL["sample_fused_lean_m"], fused_hi=-4)

# v44: v12's one launch with its sample from runs of 8 columns (4 runs of the 32-column sample,
# in rows of >= 64 columns; shorter rows, and rows whose runs fail the independence check,
# take the single-column sample).
SMALL["sample_fused_runs"] = dataclasses.replace(SMALL["sample_fused"], sample=32,
                                                 sample_runs=8, sample_runs_min_ratio=2)

# v45: the split path's threshold kernel and compaction with the run sample.
SMALL["sample_rowthr_runs"] = dataclasses.replace(SMALL["sample_rowthr"], sample_runs=8,
                                                  sample_runs_min_ratio=2,
                                                  sample_runs_split=True)
SMALL["sample_split_runs"] = dataclasses.replace(SMALL["sample_split"], sample_runs=8,
                                                 sample_runs_min_ratio=2, sample_runs_split=True)


def _bounds(rows, cols, gen):
    starts = torch.randint(-2, max(cols // 3, 1), (rows,), generator=gen, dtype=I32)
    ends = starts + torch.randint(-3, cols + 4, (rows,), generator=gen, dtype=I32)
    return starts, ends


def _run(logits, starts, ends, k, config):
    out = torch.full((logits.shape[0], k), -7, dtype=I32)   # -7: never a valid output
    tk.top_k_per_row_prefill(logits, starts, ends, out, k, config=config)
    return out


KINDS = ["randn", "ties", "special", "narrow", "wide"]


# float16 rounding of values beyond its range gives inf by design (numpy warns about it).
@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.parametrize("config", list(SMALL))
@pytest.mark.parametrize("kind", KINDS)
def test_kernel_matches_reference(config, kind):
    g = torch.Generator().manual_seed(100 * list(SMALL).index(config) + KINDS.index(kind))
    for rows, cols, k in [(5, 130, 7), (1, 257, 33), (7, 33, 1)]:
        x = make_logits(kind, rows, cols, g)
        starts, ends = _bounds(rows, cols, g)
        out = _run(x, starts, ends, k, SMALL[config])
        assert_topk_matches(x, starts, ends, k, out)


def _hard_rows(cols: int, gen: torch.Generator) -> torch.Tensor:
    """Rows that defeat the interpolating search's fits: magnitudes whose squares overflow
    float32 (the moments become inf), values spread over exponents (powers of two: float
    interpolation lands near the top), one finite value among -inf, all equal, a long run of
    ties at the threshold, two far clusters, and a plain normal row."""
    rows = [
        torch.randn(cols, generator=gen) * 1e36,
        torch.exp2(torch.randint(-100, 100, (cols,), generator=gen).float()),
        torch.full((cols,), float("-inf")).index_fill_(0, torch.tensor([cols // 3]), 2.5),
        torch.full((cols,), 7.0),
        torch.cat([torch.randn(cols // 2, generator=gen) + 10.0, torch.full((cols - cols // 2,), 3.0)]),
        torch.cat([torch.randn(cols // 2, generator=gen) * 1e-3, torch.randn(cols - cols // 2, generator=gen) * 1e-3 + 1e6]),
        torch.randn(cols, generator=gen),
    ]
    return torch.stack(rows)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("config", ["register_interp", "register_interp_exact_2d",
                                    "register_interp_exact_warp", "sample_finish_interp",
                                    "sample_fused_interp_exact", "register_lean",
                                    "register_lean_exact_2d", "register_lean_m_warp",
                                    "sample_finish_lean_m", "register_bemit",
                                    "register_bemit_m", "register_bemit_stream",
                                    "register_bemit_stream_r1", "register_bemit_sums",
                                    "register_stream_sums", "sample_fused_lean_m",
                                    "sample_finish_tail", "sample_fused_tail"])
def test_interp_search_hard_rows(config):
    """The interpolating search is exact on rows its estimates misjudge (it may only take more
    steps there): each k around the rows' structure (the run of ties, the clusters' sizes)."""
    g = torch.Generator().manual_seed(7)
    # (CI time: every k on rows with padding lanes (300 columns), the middle one on full
    # lanes (512); session 30 took the other four k at 512 out, ~40% of this test's time.)
    for cols, ks in ((300, (1, 9, 150, 151, 299)), (512, (256,))):
        x = _hard_rows(cols, g)
        rows = x.shape[0]
        starts = torch.zeros(rows, dtype=I32)
        ends = torch.full((rows,), cols, dtype=I32)
        for k in ks:
            out = _run(x, starts, ends, k, SMALL[config])
            assert_topk_matches(x, starts, ends, k, out)


def test_plan_modes():
    cpu = torch.device("cpu")
    for name, bemit in (("register_bemit", True), ("register_lean_m_warp", False),
                        ("register_lean_exact_2d", False)):
        p = tk._cached_plan(5, 130, 7, cpu, SMALL[name])
        assert p["mode"] == "register" and p["bemit"] == bemit, name
        assert p["ws_numel"] == (5 * (2 * 16 + 1) if bemit else 5 * (p["small"] + 1) if p["small"] else 0)
    assert tk.plan(7, 130, 7, cpu, SMALL["row"])["mode"] == "row"
    p = tk.plan(2, 130, 7, cpu, SMALL["split"])
    assert p["mode"] == "split" and p["split"] > 1 and p["chunk"] % 32 == 0
    assert p["split"] * p["chunk"] >= 130
    assert tk.plan(2, 130, 200, cpu, SMALL["split"])["mode"] == "row"    # cols <= k: no select
    p = tk.plan(2, 130, 7, cpu, SMALL["sample_rowthr"])
    assert p["mode"] == "split" and p["split"] > 1 and p["sample"] and p["t_given"]
    assert not tk.plan(2, 130, 7, cpu, SMALL["sample_split"])["t_given"]
    for name in ("sample_split", "sample_tinyseg", "sample_sel2", "sample_sel2_scan2d",
                 "sample_finish_2l"):
        for rows, cols, k in [(5, 130, 7), (1, 257, 33)]:   # the matches-reference shapes
            p = tk.plan(rows, cols, k, cpu, SMALL[name])
            assert p["mode"] == "split" and p["split"] > 1 and p["sample"], (name, rows, cols)
    assert not tk.plan(2, 130, 9, cpu, SMALL["sample_rowthr"])["sample"]   # cols < 16 k
    p = tk.plan(3, 257, 7, cpu, SMALL["register"])
    assert p["mode"] == "register" and p["lanes"] == 512 and p["num_warps"] == 8
    assert tk.plan(3, 513, 7, cpu, SMALL["register"])["mode"] == "row"   # longer rows: not
    # v8 to v10: the two-level select in register mode only from 512 rows (fewer: the plain 32-step search)
    assert tk.plan(511, 4096, 2048, cpu, "v10")["small"] == 0
    p = tk.plan(512, 4096, 2048, cpu, "v10")
    assert p["mode"] == "register" and p["small"] == 64
    # v12: rows of one slice in one launch (topk_sample_rows_kernel), one program per row;
    # the default's register cap exists on CUDA only, so elsewhere the two-kernel path.
    for name in ("sample_fused", "sample_fused_tinyseg", "sample_fused_warp",
                 "sample_fused_warp_r2", "sample_fused_warp_tinyseg"):
        p = tk.plan(5, 130, 7, cpu, SMALL[name])
        assert p["mode"] == "sample_rows" and p["grid"] == (5,) and p["sample"], name
    assert tk.plan(1, 257, 33, cpu, SMALL["sample_fused"])["mode"] == "split"   # no sample
    assert tk.plan(4096, 32768, 2048, cpu, "v12")["mode"] == "split"
    # v13 / v14: the widest sample margin (4..8 sigma) whose candidates fit the 4-sigma segment.
    for rows, cols, k in ((4096, 32768, 2048), (64, 131072, 512), (512, 131072, 1024)):
        p4 = tk.plan(rows, cols, k, cpu, "v12")
        p = tk.plan(rows, cols, k, cpu, "v14")
        assert p4["sigma"] == 4 and p["cap_s"] == p4["cap_s"] and p["sample"]
        e = p["sample"] * k / cols
        wider = math.ceil(e + (p["sigma"] + 1) * math.sqrt(e) + 2)
        assert p["sigma"] == 8 or tk._sample_segment(cols, k, p["split"], p["sample"], p["sigma"] + 1) > p["cap_s"], wider
    assert tk.plan(4096, 32768, 2048, cpu, "v14")["sigma"] >= 6
    p = tk.plan(7, 130, 7, cpu, SMALL["pipe"])
    assert p["mode"] == "split" and p["split"] == 1 and p["chunk"] >= 130
    for name in tk.CONFIGS:                     # the GPU table is well formed
        c = tk.CONFIGS[name]
        assert c.radix_bits in (4, 8) and c.block <= 16384 and c.cand_block <= 16384


def test_two_level_select_within_one_bucket():
    """Rows whose keys all share the top 16 bits (1 + j * 2**-20: one 16-bit bucket), with
    repeated values: the k-th key is decided by the pairwise counts alone (48 keys <= 64, the
    row's whole bucket), or, at 100 keys > 64 (and with a 16-key bucket), by the fallback
    search over the low bits."""
    g = torch.Generator().manual_seed(13)
    for n in (48, 100):
        steps = torch.randint(0, 30, (4, n), generator=g).float()
        x = 1.0 + steps * 2.0 ** -20
        assert ((x.view(torch.int32) >> 16) == (x[0, 0].view(torch.int32) >> 16)).all()
        starts = torch.zeros(4, dtype=I32)
        ends = torch.full((4,), n, dtype=I32)
        for k in (1, 7, n // 2, n - 1):
            for cfg in ("register_2l", "register_2l_hi20", "register_adapt",
                        "register_adapt_tiny"):
                out = _run(x, starts, ends, k, SMALL[cfg])
                assert_topk_matches(x, starts, ends, k, out)


@pytest.mark.parametrize("two_d", [False, True])
def test_adaptive_select_crafted_rows(two_d):
    """The adaptive two-level select (select_hi = 0) on rows that stress its bookkeeping:
    every key equal (all 32 bits shared: no step at all), two values (the bucket never
    shrinks below 2 keys: steps to the last bit), keys sharing 31 bits, a row of <= 16 real
    keys (the bucket is small from the start: pairwise at once), +-inf, -0.0 / 0.0, NaN, and
    keys whose top bit differs (negative and positive), at k = 1, the middle and n - 1."""
    n = 96
    nan, inf = float("nan"), float("inf")
    rows = [
        torch.full((n,), 3.5),
        torch.tensor([1.0, 2.0] * (n // 2)),
        torch.tensor([1.0, 1.0000001] * (n // 2)),
        torch.linspace(-1.0, 1.0, n),
        torch.tensor([inf, -inf, 0.0, -0.0] * (n // 4)),
        torch.tensor([nan, 1.0, -1.0, nan, 2.0, -inf] * (n // 6)),
        torch.randn(n, generator=torch.Generator().manual_seed(5)) * 1e-30,
    ]
    x = torch.stack(rows)
    r = x.shape[0]
    cfg = tk.TopKConfig(reg_max_cols=128, reg_per_thread=2, select_small=16, select_hi=0,
                        select_2d=int(two_d))
    for length in (n, 12):
        starts = torch.zeros(r, dtype=I32)
        ends = torch.full((r,), length, dtype=I32)
        for k in sorted({1, length // 2, length - 1}):
            out = _run(x, starts, ends, k, cfg)
            assert_topk_matches(x, starts, ends, k, out)


def test_two_d_select_uses_no_deprecated_reshape():
    """The 2-D select tiles are reduced axis by axis: no tl.reshape(can_reorder=True), which
    Triton 3.9 deprecates (a UserWarning at trace time) and 3.10 removes (a TypeError)."""
    import warnings

    x = torch.randn(3, 128, generator=torch.Generator().manual_seed(9))
    starts = torch.zeros(3, dtype=I32)
    ends = torch.full((3,), 128, dtype=I32)
    cfg = tk.TopKConfig(reg_max_cols=128, reg_per_thread=2, select_small=16, select_hi=0,
                        select_2d=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = _run(x, starts, ends, 5, cfg)
    assert_topk_matches(x, starts, ends, 5, out)
    assert not [w for w in caught if "can_reorder" in str(w.message)]


class _RecordingKernel:
    """Wraps a Triton kernel: records each launch's keyword arguments, then launches it."""

    def __init__(self, kernel):
        self.kernel, self.calls = kernel, []

    def __getitem__(self, grid):
        def launch(*args, **kwargs):
            self.calls.append(kwargs)
            return self.kernel[grid](*args, **kwargs)
        return launch


@pytest.mark.parametrize("finish_2d", [True, False])
def test_finish_2d_knob_sets_only_the_finish_layout(monkeypatch, finish_2d):
    """finish_2d=False (v21) keeps the v3 finish on warp-emit tiles where select_2d would put
    it on 2-D tiles, and leaves register mode on them; results stay exact either way."""
    import dataclasses

    fin = _RecordingKernel(tk.topk_split_finish_kernel)
    reg = _RecordingKernel(tk.topk_register_kernel)
    monkeypatch.setattr(tk, "topk_split_finish_kernel", fin)
    monkeypatch.setattr(tk, "topk_register_kernel", reg)
    cfg = dataclasses.replace(SMALL["sample_finish_warp_not_2d"], finish_2d=finish_2d)
    g = torch.Generator().manual_seed(21)
    for cols, k in ((130, 7), (24, 1)):
        x = make_logits("randn", 5, cols, g)
        starts = torch.zeros(5, dtype=I32)
        ends = torch.full((5,), cols, dtype=I32)
        out = _run(x, starts, ends, k, cfg)
        assert_topk_matches(x, starts, ends, k, out)
    assert [c["STHREADS"] > 0 for c in fin.calls] == [finish_2d]
    assert [c["WARP"] > 0 for c in fin.calls] == [not finish_2d]
    assert [c["STHREADS"] > 0 for c in reg.calls] == [True]


def test_pdl_knob_is_off_without_an_sm90_cuda_device(monkeypatch):
    """pdl (v22) applies only on CUDA sm_90+: in the interpreter the kernels get PDL=False and
    no launch_pdl option, so they run as v21_a's, with the same results."""
    import dataclasses

    assert tk.CONFIGS["v22"].pdl == 1 and not tk._pdl(tk.CONFIGS["v22"], torch.device("cpu"))
    comp = _RecordingKernel(tk.topk_sample_compact_kernel)
    fin = _RecordingKernel(tk.topk_split_finish_kernel)
    monkeypatch.setattr(tk, "topk_sample_compact_kernel", comp)
    monkeypatch.setattr(tk, "topk_split_finish_kernel", fin)
    cfg = dataclasses.replace(SMALL["sample_split"], pdl=3)
    g = torch.Generator().manual_seed(22)
    x = make_logits("randn", 3, 300, g)
    starts, ends = torch.zeros(3, dtype=I32), torch.full((3,), 300, dtype=I32)
    assert_topk_matches(x, starts, ends, 9, _run(x, starts, ends, 9, cfg))
    assert comp.calls and fin.calls
    for c in comp.calls + fin.calls:
        assert not c["PDL"] and "launch_pdl" not in c


def test_exact_k_rows_and_rows_one_longer():
    g = torch.Generator().manual_seed(11)
    x = torch.randn(4, 40, generator=g)
    starts, ends = torch.tensor([0, 0, 5, 3], dtype=I32), torch.tensor([9, 10, 14, 40], dtype=I32)
    for cfg in ("row", "split", "sample", "register"):
        assert_topk_matches(x, starts, ends, 9, _run(x, starts, ends, 9, SMALL[cfg]))


def test_strided_rows_and_columns():
    g = torch.Generator().manual_seed(12)
    base = torch.randn(6, 2 * 140 + 5, generator=g)
    x = base[:, 3:3 + 2 * 140:2]                       # column stride 2, row stride 285
    assert x.stride() == (285, 2)
    starts, ends = _bounds(6, 140, g)
    for cfg in ("row", "split", "sample_split", "register", "sample_split_lean_pf",
                "sample_scan2d_lean_pf", "sample_pair_thr_lean"):
        assert_topk_matches(x, starts, ends, 11, _run(x, starts, ends, 11, SMALL[cfg]))
    xt = torch.randn(140, 6, generator=g).t()           # column-major logits
    assert_topk_matches(xt, starts, ends, 11, _run(xt, starts, ends, 11, SMALL["row"]))
    assert_topk_matches(xt, starts, ends, 11, _run(xt, starts, ends, 11, SMALL["register"]))
    assert_topk_matches(xt, starts, ends, 11, _run(xt, starts, ends, 11, SMALL["sample"]))


@pytest.mark.parametrize("next_n", [1, 2, 4])
def test_decode_rows(next_n):
    g = torch.Generator().manual_seed(20 + next_n)
    batch, cols, k = 3, 150, 9
    x = torch.randn(batch * next_n, cols, generator=g)
    seq_lens = torch.tensor([150, 12, 70], dtype=I32)
    starts, ends = decode_bounds(seq_lens, next_n, batch * next_n)
    for cfg in ("row", "split", "sample_split", "sample_rowthr", "register",
                "sample_split_lean_pf", "sample_rowthr_lean", "sample_pair_thr_lean"):
        out = torch.full((batch * next_n, k), -7, dtype=I32)
        tk.top_k_per_row_decode(x, seq_lens, out, next_n, k, config=SMALL[cfg])
        assert_topk_matches(x, starts, ends, k, out)


def test_op_default_config_and_large_k():
    """The op's own config (BLOCK 4096) on a modest row; k = 3000 > cols gives identity rows."""
    g = torch.Generator().manual_seed(30)
    x = torch.randn(3, 5000, generator=g)
    starts = torch.tensor([0, 100, 2500], dtype=I32)
    ends = torch.tensor([5000, 3000, 2500 + 3000], dtype=I32)
    op = TopKPerRowPrefill(provider="triton")
    assert_topk_matches(x, starts, ends, 512, op(x, starts, ends, 512))
    assert_topk_matches(x, starts, ends, 3000, op(x, starts, ends, 3000))   # rows with n <= k
    small = torch.randn(2, 100, generator=g)
    z = torch.zeros(2, dtype=I32)
    assert_topk_matches(small, z, torch.tensor([100, 50], dtype=I32), 3000,
                        op(small, z, torch.tensor([100, 50], dtype=I32), 3000))


@pytest.mark.parametrize("sorted_", [False, True])
def test_op_out_and_sorted(sorted_):
    g = torch.Generator().manual_seed(31)
    x = torch.randn(5, 300, generator=g)
    starts, ends = _bounds(5, 300, g)
    buf = torch.full((5, 24), -9, dtype=I32)
    view = buf[:, 2:22]                                  # out with row stride 24
    op = TopKPerRowPrefill(provider="triton")
    got = op(x, starts, ends, 20, out=view, sorted=sorted_)
    assert got is view
    assert_topk_matches(x, starts, ends, 20, got, sorted_=sorted_)
    assert (buf[:, :2] == -9).all() and (buf[:, 22:] == -9).all(), "wrote outside out"
    seq_lens = torch.tensor([300, 200, 100, 5, 1], dtype=I32)
    d = TopKPerRowDecode(provider="triton")(x, 1, seq_lens, 20, sorted=sorted_)
    assert_topk_matches(x, *decode_bounds(seq_lens, 1, 5), 20, d, sorted_=sorted_)


@pytest.mark.parametrize("threads", [0, 8])
def test_sample_pass_settles_random_rows(threads):
    """v3's sample kernel alone: on random rows most rows are settled (>= k candidates, no
    overflow), and each row's candidates are exactly the columns at or above a threshold, in
    column order (threads=0) or in the in-thread scan's thread-major order (threads=8: tiles
    [8, 4], thread t holding columns t, t + 8, t + 16, t + 24 of each tile)."""
    from opdispatch.backends.triton.topk_kernels import topk_sample_compact_kernel
    g = torch.Generator().manual_seed(40)
    rows, cols, k, split, cap_s = 6, 256, 10, 2, 96
    x = torch.randn(rows, cols, generator=g)
    starts = torch.zeros(rows, dtype=I32)
    ends = torch.full((rows,), cols, dtype=I32)
    sck = torch.full((rows * split * cap_s,), -1, dtype=I32)
    sci = torch.full((rows * split * cap_s,), -1, dtype=I32)
    scnt = torch.full((rows * split,), -1, dtype=I32)
    topk_sample_compact_kernel[(rows, split)](
        x, cols, 1, starts, ends, starts, 1, cols, cols // split, sck, sci, scnt, cap_s, k, scnt,
        IS_DECODE=False, COL_CONTIG=True, BLOCK=32, SAMPLE=32, SKIP_EMPTY=False, T_GIVEN=False,
        THREADS=threads)
    counts = scnt.view(rows, split)
    settled = (counts.sum(1) >= k) & (counts.max(1).values <= cap_s)
    assert settled.sum() >= rows - 1, counts
    for r in range(rows):
        cols_r = torch.cat([sci.view(rows, split, cap_s)[r, s, :counts[r, s]]
                            for s in range(split)]).long()
        if threads:
            # thread-major inside each 32-column tile: the tile's columns sorted by (c % 8, c)
            tile = cols_r // 32
            assert (tile.diff() >= 0).all(), "tiles in order"
            key = tile * 1024 + (cols_r % 8) * 32 + cols_r % 32
            assert (key.diff() > 0).all(), "thread-major order inside a tile"
            cols_r = cols_r.sort().values
        else:
            assert (cols_r.diff() > 0).all(), "candidates in column order"
        thr = x[r, cols_r].min()
        want = torch.nonzero(x[r] >= thr).flatten()
        assert torch.equal(cols_r, want), f"row {r}: candidates are not a threshold set"
    # The per-row threshold kernel gives the same T, so the same candidates (T_GIVEN).
    from opdispatch.backends.triton.topk_kernels import topk_sample_threshold_kernel
    t16 = torch.full((rows,), -1, dtype=I32)
    topk_sample_threshold_kernel[(rows,)](x, cols, 1, starts, ends, starts, 1, cols, t16, k,
                                          IS_DECODE=False, COL_CONTIG=True, SAMPLE=32)
    sci2 = torch.full_like(sci, -1)
    scnt2 = torch.full_like(scnt, -1)
    topk_sample_compact_kernel[(rows, split)](
        x, cols, 1, starts, ends, starts, 1, cols, cols // split, sck, sci2, scnt2, cap_s, k, t16,
        IS_DECODE=False, COL_CONTIG=True, BLOCK=32, SAMPLE=32, SKIP_EMPTY=False, T_GIVEN=True,
        THREADS=threads)
    assert torch.equal(scnt2, scnt) and torch.equal(sci2, sci)


def test_config_rejects_bad_select_knobs():
    for kw in (dict(select_bits=3), dict(select_small=48), dict(select_small=-1),
               dict(select_hi=15), dict(select_hi=32), dict(threshold_bits=4),
               dict(finish_small=3), dict(finish_hi=17), dict(sample_group=3),
               dict(sample_group=16), dict(sample_sigma=3), dict(sample_sigma=9),
               dict(select_hi=-4), dict(finish_hi=-5), dict(fused_hi=5), dict(fused_hi=-6)):
        with pytest.raises(ValueError, match=r"TopKConfig\.(select_|threshold_|finish_|fused_|sample_group|sample_sigma)"):
            tk.TopKConfig(**kw)
    for kw in (dict(select_hi=-1), dict(finish_hi=-1), dict(fused_hi=-1), dict(fused_hi=0),
               dict(finish_hi=-4), dict(fused_hi=-4)):
        tk.TopKConfig(**kw)                   # the interpolating search, the one-launch override


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_sample_threshold_two_bits_per_step_is_the_same_threshold():
    """threshold_bits=2 (8 steps of three counts) finds the same 16-bit T as the 16-step search."""
    from opdispatch.backends.triton.topk_kernels import topk_sample_threshold_kernel
    g = torch.Generator().manual_seed(41)
    rows, cols = 5, 300
    starts = torch.zeros(rows, dtype=I32)
    ends = torch.full((rows,), cols, dtype=I32)
    for kind in KINDS:
        x = make_logits(kind, rows, cols, g)
        for k in (1, 10, 150):
            t = [torch.full((rows,), -1, dtype=I32) for _ in range(2)]
            for bits, t16 in zip((1, 2), t, strict=True):
                topk_sample_threshold_kernel[(rows,)](
                    x, cols, 1, starts, ends, starts, 1, cols, t16, k, IS_DECODE=False,
                    COL_CONTIG=True, SAMPLE=64, T_BITS=bits)
            assert (t[0] > 0).all() and torch.equal(t[0], t[1]), (kind, k, t)


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.parametrize("group", [1, 4, 8])
def test_sample_threshold_from_runs_of_columns(group):
    """The sample threshold is the top 16 bits of the r-th largest sampled key, the sample
    being SAMPLE single columns spread over the row (group 1) or SAMPLE / group runs of group
    adjacent columns, each run starting at a multiple of group (v11: 4). Checked against the
    positions and rank computed here, on row lengths that do and do not divide evenly."""
    from opdispatch.backends.triton.topk_kernels import topk_sample_threshold_kernel
    g = torch.Generator().manual_seed(42)
    sample = 64
    for kind in ("randn", "ties", "special"):
        for cols, k in ((300, 10), (1000, 37), (129, 100), (64, 5)):
            rows = 3
            x = make_logits(kind, rows, cols, g)
            starts = torch.zeros(rows, dtype=I32)
            ends = torch.full((rows,), cols, dtype=I32)
            t16 = torch.full((rows,), -1, dtype=I32)
            topk_sample_threshold_kernel[(rows,)](
                x, cols, 1, starts, ends, starts, 1, cols, t16, k, IS_DECODE=False,
                COL_CONTIG=True, SAMPLE=sample, T_BITS=2, T_GROUP=group)
            want = sample_threshold_ref(x, k, sample, group)
            assert torch.equal(t16.long(), want), (kind, cols, k, t16, want)


@triton.jit
def _runs_threshold_kernel(p_x, n, k, p_t16, SAMPLE: tl.constexpr, SIGMA: tl.constexpr,
                           RUN: tl.constexpr, DEFF_X8: tl.constexpr, MIN_RATIO: tl.constexpr):
    row = tl.program_id(0)
    t16 = tkk._sample_threshold_runs(p_x + row * n, 1, n, k, SAMPLE, True, 2, SIGMA, 0, RUN,
                                     DEFF_X8, MIN_RATIO)
    tl.store(p_t16 + row, t16)


def _runs_threshold_ref(x, k, sample, sigma, run, deff_x8, min_ratio):
    """What _sample_threshold_runs computes for the full rows of x, and per row whether the
    runs' threshold was kept (False: the single-column one, or a row too short for runs)."""
    n = x.shape[1]
    single = sample_threshold_ref(x, k, sample, 1, sigma)
    if n < min_ratio * sample:
        return single, torch.zeros(x.shape[0], dtype=torch.bool)
    nruns = sample // run
    g0 = torch.arange(nruns) * n // nruns // run * run
    pos = (g0[:, None] + torch.arange(run)[None, :]).reshape(-1)
    keys = order_key16(x[:, pos])
    e = sample / n * k
    r = min(math.ceil(e + sigma * math.sqrt(e) + 2.0), sample)
    t = keys.sort(dim=1, descending=True).values[:, r - 1]
    c = (keys >= t[:, None]).reshape(x.shape[0], nruns, run).sum(2)
    # the kernel's float32 arithmetic
    m = c.sum(1).float() / nruns
    var = (c * c).sum(1).float() / nruns - m * m
    keep = ~(var * 8.0 > deff_x8 * m * (1.0 - m / run))
    return torch.where(keep, t, single), keep


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_sample_threshold_runs_independence_check():
    """v44's run sample: the threshold of runs of 8 adjacent columns where their counts at it
    vary as independent columns' would, else (rows smoothed over 16 columns, rows too short
    for the runs) the single-column threshold; checked against the reference's positions,
    rank, counts and choice, and each choice is made on some rows."""
    g = torch.Generator().manual_seed(44)
    sample, sigma, run, deff_x8, min_ratio = 256, 8, 8, 12, 8
    rows = 6
    kept_any = False
    for cols in (1024, 4100):     # too short for runs (< min_ratio * sample), long enough
        iid = torch.randn(rows, cols, generator=g)
        smooth = torch.nn.functional.avg_pool1d(torch.randn(rows, 1, cols + 16, generator=g),
                                                16, 1)[:, 0, :cols] * 4.0
        for kind, x in (("iid", iid), ("smooth", smooth)):
            for k in (16, 100):
                t16 = torch.full((rows,), -1, dtype=I32)
                _runs_threshold_kernel[(rows,)](x.contiguous(), cols, k, t16, SAMPLE=sample,
                                                SIGMA=sigma, RUN=run, DEFF_X8=deff_x8,
                                                MIN_RATIO=min_ratio)
                want, keep = _runs_threshold_ref(x, k, sample, sigma, run, deff_x8, min_ratio)
                assert torch.equal(t16.long(), want), (kind, cols, k, t16, want)
                if kind == "smooth" or cols < min_ratio * sample:
                    assert not keep.any(), (kind, cols, k)
                else:
                    kept_any = kept_any or bool(keep.any())
    assert kept_any


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_sample_fused_runs_on_smooth_rows():
    """The one launch with the run sample (v44) on rows smoothed over 16 columns and on
    independent ones, ragged and full, both long enough for runs: exact either way."""
    g = torch.Generator().manual_seed(45)
    cfg = SMALL["sample_fused_runs"]
    assert tk.plan(4, 300, 9, torch.device("cpu"), cfg)["mode"] == "sample_rows"
    for x in (torch.randn(4, 300, generator=g),
              torch.nn.functional.avg_pool1d(torch.randn(4, 1, 316, generator=g), 16, 1)[:, 0, :300]):
        for starts, ends in ((torch.zeros(4, dtype=I32), torch.full((4,), 300, dtype=I32)),
                             _bounds(4, 300, g)):
            for k in (9, 40):
                out = _run(x, starts, ends, k, cfg)
                assert_topk_matches(x, starts, ends, k, out)


def test_fused_bracket_emit_applies():
    """The trial config's one launch takes the bracket emit at the test shapes: the select has
    the warp emit's tiles (2 warps), an interpolating search and a bucket."""
    cfg = SMALL["sample_fused_bemit"]
    cpu = torch.device("cpu")
    for rows, cols, k in [(5, 130, 7), (4, 300, 9)]:
        p = tk.plan(rows, cols, k, cpu, cfg)
        assert p["mode"] == "sample_rows", (rows, cols, k)
        lay = tk._select_layout(cfg, p["sample_lanes"], 2, k, cpu)
        assert lay["WARP"] == 2 and cfg.fused_hi < 0 and cfg.finish_small > 0, (p, lay)


def test_register_emit_plan():
    # v23 (the default): at 4096 columns the warp-emit select (k = 2048 > 4096 / 8) runs 8
    # warps of 16 keys under 64 registers; the 2-D select (k = 512) keeps 4 warps and 80.
    dev = torch.device("cpu")
    p = tk.plan(4096, 4096, 2048, dev, "v23")
    assert p["mode"] == "register" and p["num_warps"] == 8 and p["maxnreg"] == 64
    p = tk.plan(4096, 4096, 512, dev, "v23")
    assert p["mode"] == "register" and p["num_warps"] == 4 and p["maxnreg"] == 80
    p = tk.plan(4096, 4096, 2048, dev, "v22")
    assert p["num_warps"] == 4 and p["maxnreg"] == 80
    small = SMALL["register_emit8"]
    assert tk.plan(1, 257, 33, dev, small)["num_warps"] == 2      # 512 lanes / (32 x 8)
    assert tk.plan(5, 130, 7, dev, small)["num_warps"] == 4       # 256 lanes / (32 x 2)


@triton.jit
def _lean_and_key_hits(p_x, p_t, p_lean, p_key, N: tl.constexpr):
    """Program i: both hit tests of the values at p_x against the key half p_t[i]."""
    t16 = tl.load(p_t + tl.program_id(0))
    x = tl.load(p_x + tl.arange(0, N))
    lean = ((x < tkk._t16_float(t16)) == 0).to(tl.int32)
    key = ((tkk._order_key(x) >> 16).to(tl.int32) >= t16).to(tl.int32)
    o = tl.program_id(0) * N + tl.arange(0, N)
    tl.store(p_lean + o, lean)
    tl.store(p_key + o, key)


def test_lean_hit_test_is_the_key_prefix_test():
    """v32's one-compare hit test (``not x < _t16_float(t16)``) selects exactly the elements
    whose order key has top half >= t16, but for the cases _t16_float documents: -0.0 against
    +0.0's half, and +inf at halves above +inf's (only NaNs are there; t16 is clamped)."""
    g = torch.Generator().manual_seed(24)
    special = torch.tensor([0.0, -0.0, float("inf"), -float("inf"), float("nan"),
                            -float("nan"), 1e-45, -1e-45, 1.0, -1.0, 3.4e38, -3.4e38,
                            1.5, -1.5, 65504.0, 2.0 ** -126, -(2.0 ** -126)])
    vals = torch.cat([special, torch.randn(64, generator=g) * 10.0 ** torch.randint(
        -30, 30, (64,), generator=g).float(), torch.zeros(128 - 64 - special.numel())])
    # Halves around every special value's own, and at the ends of the key range.
    keys = vals.view(torch.int32).to(torch.int64) & 0xFFFFFFFF
    order = torch.where(keys >= 0x80000000, (~keys) & 0xFFFFFFFF, keys | 0x80000000)
    halves = {0, 1, 0x7F, 0x80, 0x7FFF, 0x8000, 0x8001, 0xFF7F, 0xFF80, 0xFF81, 0xFFFF}
    for h in (order >> 16).tolist():
        halves.update({max(h - 1, 0), h, min(h + 1, 0xFFFF)})
    t = torch.tensor(sorted(halves), dtype=I32)
    lean = torch.empty(t.numel(), 128, dtype=I32)
    key = torch.empty_like(lean)
    _lean_and_key_hits[(t.numel(),)](vals, t, lean, key, N=128)
    extra = (lean == 1) & (key == 0)
    assert not ((lean == 0) & (key == 1)).any()          # never fewer candidates
    neg_zero = (vals == 0) & (vals.view(torch.int32) < 0)
    ok_extra = (neg_zero[None, :] & (t[:, None] == 0x8000)) | \
        ((vals == float("inf"))[None, :] & (t[:, None] > 0xFF80))
    assert not (extra & ~ok_extra).any()


@triton.jit
def _gather_in_place_probe(p_k, p_i, p_seg, total, N_SEG: tl.constexpr, SEG_CAP: tl.constexpr,
                           LANES: tl.constexpr, CHUNK: tl.constexpr):
    tkk._gather_in_place(p_k, p_i, p_seg, SEG_CAP, N_SEG, total, LANES, CHUNK)


@pytest.mark.parametrize("counts", [(8, 0, 5, 3), (3, 8, 8, 8), (0, 0, 0, 7), (5, 5, 5, 5),
                                    (8, 8, 8, 8), (1, 0, 0, 0)])
def test_gather_in_place(counts):
    """The vector compaction's segments moved together in place (fused_vec_gather, a trial of
    session 31): 4 segments of 8 lanes, moved in chunks of 8 (every chunk boundary crossed);
    the lanes past the segments' counts hold other values, which must not be read."""
    seg_cap, n_seg = 8, 4
    keys = torch.arange(1000, 1000 + seg_cap * n_seg, dtype=I32)
    cols = torch.arange(seg_cap * n_seg, dtype=I32) * 7
    want_k = torch.cat([keys[j * seg_cap:j * seg_cap + c] for j, c in enumerate(counts)])
    want_i = torch.cat([cols[j * seg_cap:j * seg_cap + c] for j, c in enumerate(counts)])
    seg = torch.tensor(counts, dtype=I32)
    total = int(seg.sum())
    _gather_in_place_probe[(1,)](keys, cols, seg, total, N_SEG=n_seg, SEG_CAP=seg_cap, LANES=32,
                                 CHUNK=8)
    assert torch.equal(keys[:total], want_k) and torch.equal(cols[:total], want_i)


@triton.jit
def _tail_fit_probe(p_x, m, k, n_all, p_out, LANES: tl.constexpr):
    o = tl.arange(0, LANES)
    v = tl.load(p_x + o, mask=o < m, other=0.0)
    ks = tl.where(o < m, tkk._float_key(v), -2147483648)
    _, lo, hi, mm, mu, sd, q, dq = tkk._interp_fit(ks, k, 3, n_all)
    va, vb = tkk._first_probes(mu, sd, q, dq, 3)
    tl.store(p_out + tl.arange(0, 2), tl.where(tl.arange(0, 2) == 0, va, vb))


def test_tail_fit_brackets_the_kth_of_normal_tails():
    """The tail fit's first probes (finish_hi / fused_hi = -4, v48) on the top m of n normal
    values, as a sample threshold leaves them: the k-th largest lies between them in nearly
    every row, and they are a few dozen ranks apart (LEAN 2's normal fit of the candidates'
    own moments misses every such row: its first step only narrows the bracket's ends)."""
    g = torch.Generator().manual_seed(3)
    hits, widths = 0, []
    for n, m, k in ((32768, 1300, 512), (131072, 3648, 2048), (65536, 2400, 1024)) * 4:
        x = torch.randn(n, generator=g)
        top = torch.topk(x, m).values                       # the candidates, largest first
        out = torch.zeros(2)
        _tail_fit_probe[(1,)](top.clone(), m, k, n, out, LANES=4096)
        va, vb = float(out[0]), float(out[1])
        assert va < vb, (va, vb)
        kth = float(top[k - 1])
        hits += va <= kth <= vb
        # ranks between the probes, against 2 x 2.5 binomial sd + 2 of the model
        between = int(((top >= va) & (top <= vb)).sum())
        widths.append(between / (5 * math.sqrt(k * (1 - k / m)) + 2))
    assert hits >= 11, hits
    assert max(widths) < 2.0, widths
