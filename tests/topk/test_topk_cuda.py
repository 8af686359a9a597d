"""Real kernels on an NVIDIA GPU (cuda tier): the sweep, every tuning config, >2^31-element
offsets, CUDA graph capture and torch.compile."""

import pytest
import torch

from opdispatch.backends.triton import topk as tk
from opdispatch.ops.topk import TopKPerRowDecode, TopKPerRowPrefill

from .helpers import assert_topk_matches_fast, decode_bounds, make_logits

pytestmark = pytest.mark.cuda

I32 = torch.int32
DEV = "cuda"


def _full_rows(rows, cols):
    return torch.zeros(rows, dtype=I32, device=DEV), torch.full((rows,), cols, dtype=I32, device=DEV)


def _ragged_rows(rows, cols, gen):
    starts = torch.randint(0, cols // 4 + 1, (rows,), generator=gen, dtype=I32)
    ends = starts + torch.randint(0, cols - cols // 4, (rows,), generator=gen, dtype=I32)
    return starts.to(DEV), ends.to(DEV)


SWEEP = [(r, c) for r in (1, 8, 64, 512) for c in (4096, 32768, 131072, 262144)
         if r * c <= 512 * 131072] + [(4096, 4096), (4096, 32768)]


@pytest.mark.parametrize("rows, cols", SWEEP)
@pytest.mark.parametrize("k", [512, 2048])
def test_sweep_full_rows(rows, cols, k):
    g = torch.Generator().manual_seed(rows * 7 + cols + k)
    x = make_logits("randn", rows, cols, g, DEV)
    starts, ends = _full_rows(rows, cols)
    out = TopKPerRowPrefill(provider="triton")(x, starts, ends, k)
    assert_topk_matches_fast(x, starts, ends, k, out)


@pytest.mark.parametrize("kind", ["randn", "ties", "special", "narrow", "wide"])
@pytest.mark.parametrize("rows, cols", [(1, 131072), (8, 32768), (64, 131072), (600, 4096)])
@pytest.mark.parametrize("k", [1, 512, 2048, 3000])
def test_kinds_ragged_rows(kind, rows, cols, k):
    g = torch.Generator().manual_seed(rows + cols + k)
    x = make_logits(kind, rows, cols, g, DEV)
    starts, ends = _ragged_rows(rows, cols, g)
    out = TopKPerRowPrefill(provider="triton")(x, starts, ends, k)
    assert_topk_matches_fast(x, starts, ends, k, out)


# The default's one-warp rows with the streamed emit (v39-v41: rows of 1024 lanes, and of
# 256-2048 lanes where k * 8 <= lanes) and its 4-warp rows at 4096 lanes (v40, >= 512 rows):
# ragged rows of every kind, with unit and strided columns.
@pytest.mark.parametrize("kind", ["randn", "ties", "special", "narrow", "wide"])
@pytest.mark.parametrize("rows, cols, k", [(600, 1024, 256), (600, 1024, 64), (700, 2048, 128),
                                           (300, 512, 32), (50, 256, 16), (520, 4096, 1024)])
@pytest.mark.parametrize("strided", [False, True])
def test_register_stream_and_fat_rows(kind, rows, cols, k, strided):
    g = torch.Generator().manual_seed(rows + cols + k + strided)
    x = make_logits(kind, rows, cols * (2 if strided else 1), g, DEV)
    if strided:
        x = x[:, ::2]
    starts, ends = _ragged_rows(rows, cols, g)
    out = TopKPerRowPrefill(provider="triton")(x, starts, ends, k)
    assert_topk_matches_fast(x, starts, ends, k, out)


# v12's one launch (>= 528 rows of one slice) with v44's run sample: ragged and full rows of
# every kind, and rows smoothed over 16 columns (their runs fail the independence check: the
# single-column sample).
@pytest.mark.parametrize("kind", ["randn", "ties", "special", "narrow", "wide", "smooth"])
@pytest.mark.parametrize("rows, cols, k", [(600, 32768, 2048), (600, 32768, 512),
                                           (560, 65536, 1024)])
@pytest.mark.parametrize("ragged", [False, True])
def test_one_launch_rows(kind, rows, cols, k, ragged):
    assert tk.plan(rows, cols, k, torch.device(DEV))["mode"] == "sample_rows"
    g = torch.Generator().manual_seed(rows + cols + k + ragged)
    if kind == "smooth":
        x = torch.nn.functional.avg_pool1d(torch.randn(rows, 1, cols + 16, generator=g), 16,
                                           1)[:, 0, :cols].to(DEV)
    else:
        x = make_logits(kind, rows, cols, g, DEV)
    starts, ends = _ragged_rows(rows, cols, g) if ragged else _full_rows(rows, cols)
    out = TopKPerRowPrefill(provider="triton")(x, starts, ends, k)
    assert_topk_matches_fast(x, starts, ends, k, out)


@pytest.mark.parametrize("config", list(tk.CONFIGS))
@pytest.mark.parametrize("rows, cols, k", [(1, 131072, 2048), (64, 131072, 512),
                                           (512, 32768, 2048), (4096, 4096, 2048)])
def test_every_tuning_config(config, rows, cols, k):
    g = torch.Generator().manual_seed(3)
    x = make_logits("randn", rows, cols, g, DEV)
    starts, ends = _ragged_rows(rows, cols, g)
    out = torch.full((rows, k), -7, dtype=I32, device=DEV)
    tk.top_k_per_row_prefill(x, starts, ends, out, k, config=config)
    assert_topk_matches_fast(x, starts, ends, k, out)


@pytest.mark.parametrize("next_n", [1, 2, 4])
@pytest.mark.parametrize("batch, cols, k", [(1, 131072, 2048), (16, 65536, 512), (64, 8192, 3000)])
def test_decode(next_n, batch, cols, k):
    g = torch.Generator().manual_seed(next_n + batch)
    x = make_logits("randn", batch * next_n, cols, g, DEV)
    seq_lens = torch.randint(next_n, cols + 1, (batch,), generator=g, dtype=I32).to(DEV)
    seq_lens[0] = cols
    out = TopKPerRowDecode(provider="triton")(x, next_n, seq_lens, k)
    starts, ends = decode_bounds(seq_lens, next_n, batch * next_n)
    assert_topk_matches_fast(x, starts.to(DEV), ends.to(DEV), k, out)


def test_offsets_beyond_int32():
    """Row starts past 2^31 elements and column offsets past 2^31 (stride 32768)."""
    big = torch.empty(2**31 + 2**22, dtype=torch.float32, device=DEV)
    big.normal_(generator=torch.Generator(device=DEV).manual_seed(0))
    rows_far = big.as_strided((3, 65536), (2**30, 1))             # row 2 starts at 2^31
    starts, ends = _full_rows(3, 65536)
    for config in ("default", "nosplit"):
        out = torch.full((3, 2048), -7, dtype=I32, device=DEV)
        tk.top_k_per_row_prefill(rows_far, starts, ends, out, 2048, config=config)
        assert_topk_matches_fast(rows_far, starts, ends, 2048, out)
    cols_far = big.as_strided((2, 65600), (1, 32768))             # last column at ~2.15e9
    starts, ends = _full_rows(2, 65600)
    for config in ("default", "nosplit"):
        out = torch.full((2, 1024), -7, dtype=I32, device=DEV)
        tk.top_k_per_row_prefill(cols_far, starts, ends, out, 1024, config=config)
        assert_topk_matches_fast(cols_far, starts, ends, 1024, out)
    del big


@pytest.mark.parametrize("rows, cols", [(1, 131072), (64, 131072), (1024, 8192), (512, 32768),
                                        (600, 4096)])
def test_cuda_graph_capture_and_replay(rows, cols):
    g = torch.Generator().manual_seed(9)
    x = make_logits("randn", rows, cols, g, DEV)
    seq_lens = torch.full((rows,), cols, dtype=I32, device=DEV)
    out = torch.full((rows, 2048), -7, dtype=I32, device=DEV)
    op = TopKPerRowDecode(provider="triton")
    op(x, 1, seq_lens, 2048, out=out)            # compile outside the capture
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        op(x, 1, seq_lens, 2048, out=out)
    for _ in range(3):                           # new data and lengths, same addresses
        x.copy_(make_logits("randn", rows, cols, g, DEV))
        seq_lens.copy_(torch.randint(1, cols + 1, (rows,), generator=g, dtype=I32).to(DEV))
        out.fill_(-7)
        graph.replay()
        starts, ends = decode_bounds(seq_lens, 1, rows)
        assert_topk_matches_fast(x, starts.to(DEV), ends.to(DEV), 2048, out)


def test_torch_compile_fullgraph_dynamic():
    import opdispatch

    def indexer_tail(logits, starts, ends, seq_lens):
        a = opdispatch.top_k_per_row_prefill(logits * 2.0, starts, ends, 512)
        b = opdispatch.top_k_per_row_decode(logits, 1, seq_lens, 512)
        return a, b + 0

    compiled = torch.compile(indexer_tail, fullgraph=True, dynamic=True)
    g = torch.Generator().manual_seed(10)
    for rows, cols in [(8, 32768), (33, 8192), (3, 131072)]:
        x = make_logits("randn", rows, cols, g, DEV)
        starts, ends = _ragged_rows(rows, cols, g)
        seq_lens = ends.clone()
        a, b = compiled(x, starts, ends, seq_lens)
        assert_topk_matches_fast(x * 2.0, starts, ends, 512, a)
        zs, es = decode_bounds(seq_lens, 1, rows)
        assert_topk_matches_fast(x, zs.to(DEV), es.to(DEV), 512, b)


@pytest.mark.parametrize("config", ["v22", "v32", "v33"])
@pytest.mark.parametrize("kind", ["randn", "ties", "special"])
@pytest.mark.parametrize("rows, cols, k", [(1, 131072, 2048), (8, 131072, 2048), (64, 131072, 512),
                                           (64, 131072, 2048), (512, 131072, 2048)])
def test_pdl_config_back_to_back_and_graph(kind, rows, cols, k, config):
    """v22: programmatic dependent launch between the v3 kernels (threshold -> compaction ->
    finish). A device-side wait in the wrong place would read a stale threshold, stale
    candidates or stale counts: so several calls run back to back on fresh data (each call's
    kernels overlap the previous kernel of the same call only), then under CUDA-graph replay.
    'ties' and 'special' send rows down the finish kernel's full-row fallback. v32 adds the
    lean compaction (and, at 512 rows, its next-tile loads) to v22's launches, v33 the
    threshold kernel for the two-slice rows of 512 x 131072."""
    if torch.cuda.get_device_capability() < (9, 0):
        pytest.skip("programmatic dependent launch needs sm_90")
    p = tk.plan(rows, cols, k, torch.device(DEV), config)
    assert p["mode"] == "split" and p["sample"], p   # the path PDL applies to
    # 512 rows: two slices, no threshold kernel (but for v33, which gives them one)
    assert p["t_given"] == (rows <= 64 or tk.CONFIGS[config].sample_pair_threshold), p
    g = torch.Generator().manual_seed(rows + k)
    seq_lens = torch.full((rows,), cols, dtype=I32, device=DEV)
    xs = [make_logits(kind, rows, cols, g, DEV) for _ in range(3)]
    outs = [torch.full((rows, k), -7, dtype=I32, device=DEV) for _ in range(3)]
    for x, out in zip(xs, outs, strict=True):      # back to back, no sync in between
        tk.top_k_per_row_decode(x, seq_lens, out, 1, k, config=config)
    starts, ends = decode_bounds(seq_lens, 1, rows)
    for x, out in zip(xs, outs, strict=True):
        assert_topk_matches_fast(x, starts.to(DEV), ends.to(DEV), k, out)
    x, out = xs[0].clone(), torch.full((rows, k), -7, dtype=I32, device=DEV)
    tk.top_k_per_row_decode(x, seq_lens, out, 1, k, config=config)
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        tk.top_k_per_row_decode(x, seq_lens, out, 1, k, config=config)
    for _ in range(2):
        x.copy_(make_logits(kind, rows, cols, g, DEV))
        seq_lens.copy_(torch.randint(k // 2, cols + 1, (rows,), generator=g, dtype=I32).to(DEV))
        out.fill_(-7)
        graph.replay()
        starts, ends = decode_bounds(seq_lens, 1, rows)
        assert_topk_matches_fast(x, starts.to(DEV), ends.to(DEV), k, out)
