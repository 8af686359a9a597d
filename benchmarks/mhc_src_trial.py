"""A/B trials of source-level variants of the mHC pre kernel, without touching the library.

    PYTHONPATH=$PWD python3 benchmarks/mhc_src_trial.py REPS T VARIANT [VARIANT ...]

Each VARIANT is a name in ``VARIANTS`` (a list of (old, new) substitutions applied to the source
of ``opdispatch/backends/triton/mhc_kernels.py``), optionally followed by ``@knob=value,...``
(integer PreConfig fields replaced in the default config, e.g. ``base@ws_t=16``). The edited source is written to a temporary
module (Triton compiles from source files), and ``mhc._mhc_pre_kernel`` is pointed at it while
the variant runs under the shape's default config (or the overridden one). Variants run in turn, REPS times over
(alternated, so drift shows), for mhc_pre and hc_head; outputs are compared bit for bit with the
unmodified kernel (the variants here change cache hints and loop shapes, never the order of an
operation that reaches an output: no value may change; a config override that changes the add
order, such as other splits or finishing chunks, is reported as not identical).

Calls 2-4 of session 18 ran this against the default of that time (ws_t 8, out_cs off); that
default is now ``base@ws_t=8,out_cs=0``.
"""

from __future__ import annotations

import importlib.util
import pathlib
import statistics
import sys
import tempfile
from dataclasses import replace

import torch

from opdispatch.backends.triton import mhc as tmhc
from opdispatch.backends.triton import mhc_kernels
from opdispatch.dispatch.bench import graph_replay_us as graph_us

N, H = 4, 7168
_OUT_STORE = "tl.store(p_out + o_t[:, None] * s_out_t + o_h[None, :], b_y, mask=m_th)"
_FN_LOAD = "return tl.load(p_fn + o_r[:, None] * (2 * NP) + o_k[None, :], mask=m_h[:, None], other=0.0)"
_GEMM_LOAD = 'b_xr = tl.load(p_rj, mask=m_th, other=0.0, eviction_policy="evict_last")'
VARIANTS: dict[str, list[tuple[str, str]]] = {
    "base": [],
    # layer_input (117 MB at T=8192) stored as first to evict, so it does not take L2 space from
    # the streams that the weighted sums read again
    "out_ef": [(_OUT_STORE, _OUT_STORE[:-1] + ', eviction_policy="evict_first")')],
    "out_cs": [(_OUT_STORE, _OUT_STORE[:-1] + ', cache_modifier=".cs")')],
    # fn's hi|lo copy (3.7 MB, read by every tile) kept in L2
    "fn_el": [(_FN_LOAD, _FN_LOAD[:-1] + ', eviction_policy="evict_last")')],
    "out_ef_fn_el": [(_OUT_STORE, _OUT_STORE[:-1] + ', eviction_policy="evict_first")'),
                     (_FN_LOAD, _FN_LOAD[:-1] + ', eviction_policy="evict_last")')],
    # the GEMM's stream loads without evict_last (does the hint help?)
    "gemm_normal": [(_GEMM_LOAD, 'b_xr = tl.load(p_rj, mask=m_th, other=0.0)')],
}
VARIANTS["out_cs_gemm_normal"] = VARIANTS["out_cs"] + VARIANTS["gemm_normal"]
VARIANTS["out_cs_fn_el"] = VARIANTS["out_cs"] + VARIANTS["fn_el"]
# The weighted-sum item as one software-pipelined loop over its WS_T-token steps (tl.range with
# num_stages: the stream loads of later steps in flight while a step is summed), instead of
# unrolled steps that each wait for their own loads. Each step is the library's own
# (_ws_tokens, one block with WS_ONE_BLOCK, as in the T >= 4096 default): the same fmas in the
# same order. (Call 3 ran an inline copy of that step, before the library had it.)
_WS_UNROLLED = """        if UNROLL:
            for w0 in tl.static_range(0, BLOCK_T, WS_T):"""
_WS_PIPE = """        if UNROLL:
            for w0 in tl.range(0, BLOCK_T, WS_T, num_stages=STAGES):
                _ws_tokens(tw, w0, T, h_lo, h_hi, p_res, s_res_t, s_res_i, p_out, s_out_t, p_nw,
                           p_pre, norm_eps, N_STREAMS, BLOCK_T, OUT_BLOCK_H, WS_T, HAS_NORM, OUT_CS,
                           ONE_BLOCK)
        elif False:
            for w0 in tl.static_range(0, BLOCK_T, WS_T):"""
for _st in (2, 3, 4):
    VARIANTS[f"ws_pipe{_st}"] = VARIANTS["out_cs"] + [(_WS_UNROLLED, _WS_PIPE.replace("STAGES", str(_st)))]
# Single-block steps unrolled (no loop around a step's loads; call 6): since call 9 the
# library's WS_ONE_BLOCK, so this is now the same kernel as base.
VARIANTS["ws_straight"] = []
# ... and the loop form that WS_ONE_BLOCK replaced (call 9)
VARIANTS["ws_loop"] = [("    if ONE_BLOCK and not HAS_NORM:", "    if False:")]

def load_variant(name: str, tmp: pathlib.Path):
    src = pathlib.Path(mhc_kernels.__file__).read_text()
    for old, new in VARIANTS[name]:
        if src.count(old) < 1:
            raise SystemExit(f"variant {name}: substitution target not found: {old!r}")
        src = src.replace(old, new)
    path = tmp / f"mhc_kernels_{name}.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location(f"mhc_kernels_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def config_of(name: str, t: int, head: bool):
    """A variant name may end in ``@knob=value,...``: the default config with those fields.
    Always the Triton kernel (whose source the variants edit): hc_head's default from T = 8192
    is the slice-resident Gluon kernel since session 19, so ``slice`` is switched off."""
    cfg = replace(tmhc.default_pre_config(t, N, H, head), slice=False)
    if "@" in name:
        kv = dict(item.split("=") for item in name.split("@", 1)[1].split(","))
        cfg = replace(cfg, **{k: type(getattr(cfg, k))(int(v)) for k, v in kv.items()})
    return cfg


def main(reps: int, t: int, names: list[str]) -> None:
    dev = "cuda"
    g = torch.Generator(device=dev).manual_seed(0)
    r = torch.randn(t, N, H, device=dev, generator=g).to(torch.bfloat16)
    fn = torch.randn((2 + N) * N, N * H, device=dev, generator=g) * 1e-3
    scale = torch.rand(3, device=dev, generator=g) + 0.5
    base = torch.randn((2 + N) * N, device=dev, generator=g) * 0.1
    sc = dict(rms_eps=1e-6, hc_pre_eps=1e-6, sinkhorn_eps=1e-6, post_mult=2.0, sinkhorn_iters=20,
              norm_eps=1e-6)
    y = torch.empty(t, H, dtype=torch.bfloat16, device=dev)
    post = torch.empty(t, N, 1, device=dev)
    comb = torch.empty(t, N, N, device=dev)
    tmp = pathlib.Path(tempfile.mkdtemp())
    mods = {n: load_variant(n.split("@")[0], tmp) for n in names}
    orig = tmhc._mhc_pre_kernel

    def call(head: bool, name: str = "base"):
        cfg = config_of(name, t, head)
        if head:
            return tmhc._launch_pre(r, fn[:N], scale, base, None, y, None, None, head=True,
                                    post_in=None, config=cfg, **sc)
        return tmhc._launch_pre(r, fn, scale, base, None, y, post, comb, head=False, post_in=None,
                                config=cfg, **sc)

    ref = {}
    for head in (False, True):
        tmhc._mhc_pre_kernel = orig
        call(head)
        ref[head] = (y.clone(), post.clone(), comb.clone())
    times: dict[tuple[str, bool], list[float]] = {}
    for rep in range(reps):
        for n in names:
            tmhc._mhc_pre_kernel = mods[n]._mhc_pre_kernel
            for head in (False, True):
                call(head, n)
                torch.cuda.synchronize()
                if rep == 0:
                    got = (y, post, comb)[:1 if head else 3]
                    same = all(torch.equal(a, b) for a, b in zip(got, ref[head][:len(got)], strict=True))
                    print(f"{n:14s} {'head' if head else 'pre ':4s} bit-identical to the library kernel: {same}",
                          flush=True)
                times.setdefault((n, head), []).append(graph_us(lambda h=head, n=n: call(h, n)))
    tmhc._mhc_pre_kernel = orig
    print(f"T={t}, n={N}, H={H}, default config, graph us, {reps} alternations (median [min-max])")
    for n in names:
        row = []
        for head in (False, True):
            v = times[(n, head)]
            row.append(f"{'head' if head else 'pre'} {statistics.median(v):7.1f} [{min(v):.1f}-{max(v):.1f}]")
        print(f"{n:14s} " + "   ".join(row), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:] or ["base"])
