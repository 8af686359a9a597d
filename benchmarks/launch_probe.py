"""Host cost of a Triton launch (GPU): Triton's JIT path against its compiled kernel's own
launcher, on a kernel with as many arguments as the library's (session 23 probe).

    python benchmarks/launch_probe.py

Prints the Triton version's ``JITFunction.run`` (the path every ``kernel[grid](...)`` takes),
then host microseconds per launch (``opdispatch.dispatch.bench.host_us``: the best of 5 runs
of 100 calls enqueued without waiting; session 23's calls 2 and 3 ran an earlier copy of
that loop, one run of 300 calls after 20 warm-up calls) for: the JIT path;
``CompiledKernel[grid](*all_args)`` (the launcher, no argument specialisation); the public
top-k op and its backend at a few-row decode shape; cProfile of the backend's calls.
"""

import cProfile
import inspect
import pstats

import torch
import triton
import triton.language as tl

from opdispatch.dispatch.bench import host_us


@triton.jit
def _probe_kernel(p0, p1, p2, p3, p4, p5, p6, p7, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9,
                  B0: tl.constexpr, B1: tl.constexpr, B2: tl.constexpr, B3: tl.constexpr,
                  B4: tl.constexpr, B5: tl.constexpr, B6: tl.constexpr, B7: tl.constexpr):
    i = tl.program_id(0)
    v = tl.load(p0 + i) + a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + B0 + B7
    tl.store(p1 + i, v)


def main() -> None:
    print(f"torch {torch.__version__} triton {triton.__version__}")
    src = inspect.getsource(triton.runtime.jit.JITFunction.run)
    print(src[:6000])
    try:
        print(inspect.getsource(triton.compiler.compiler.CompiledKernel.__getitem__))
    except Exception as e:     # noqa: BLE001
        print("no CompiledKernel.__getitem__:", e)
    ptrs = [torch.zeros(1024, device="cuda", dtype=torch.int32) for _ in range(8)]
    ints = [1000 + 3 * i for i in range(10)]
    cons = dict(B0=1, B1=2, B2=3, B3=4, B4=5, B5=6, B6=7, B7=8)
    grid = (64,)
    ck = _probe_kernel[grid](*ptrs, *ints, **cons)
    bound = inspect.signature(_probe_kernel.fn).bind(*ptrs, *ints, **cons)
    allargs = list(bound.arguments.values())
    print(f"JIT path:             {host_us(lambda: _probe_kernel[grid](*ptrs, *ints, **cons)):7.2f} us/launch")
    # The compiled kernel's own launcher: a 3-tuple grid (its runner indexes grid[0..2]) and
    # every parameter in order, constexprs included (as Triton's JIT path passes them).
    try:
        runner = ck[(64, 1, 1)]
        print(f"CompiledKernel[grid]: {host_us(lambda: runner(*allargs)):7.2f} us/launch (all args)")
    except Exception as e:     # noqa: BLE001
        print("CompiledKernel[grid](*all args) failed:", repr(e)[:300])
    print(f"torch.cuda.current_stream(): {host_us(lambda: torch.cuda.current_stream()):6.2f} us")
    drv = triton.runtime.driver.active
    print(f"driver get_current_device + stream: "
          f"{host_us(lambda: drv.get_current_stream(drv.get_current_device())):6.2f} us")
    print(f"tensor.data_ptr(): {host_us(lambda: ptrs[0].data_ptr()):6.2f} us; "
          f"slice ws[a:b]: {host_us(lambda: ptrs[0][10:500]):6.2f} us; "
          f"torch.empty(4096, int32): "
          f"{host_us(lambda: torch.empty(4096, dtype=torch.int32, device='cuda')):6.2f} us")

    import opdispatch
    from opdispatch.backends.triton import topk as tk
    for rows, cols, k in ((64, 131072, 2048), (8, 32768, 512), (4096, 4096, 2048)):
        x = torch.randn(rows, cols, device="cuda")
        starts = torch.zeros(rows, dtype=torch.int32, device="cuda")
        ends = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
        out = torch.empty(rows, k, dtype=torch.int32, device="cuda")
        p = tk.plan(rows, cols, k, x.device)
        print(f"{rows}x{cols} k={k} ({p['mode']}): op "
              f"{host_us(lambda: opdispatch.top_k_per_row_prefill(x, starts, ends, k, out=out)):7.1f}, "
              f"backend {host_us(lambda: tk.top_k_per_row_prefill(x, starts, ends, out, k)):7.1f}, "
              f"torch.topk {host_us(lambda: torch.topk(x, k, dim=1, sorted=False)):7.1f} us host/call")
    x = torch.randn(64, 131072, device="cuda")
    starts = torch.zeros(64, dtype=torch.int32, device="cuda")
    ends = torch.full((64,), 131072, dtype=torch.int32, device="cuda")
    out = torch.empty(64, 2048, dtype=torch.int32, device="cuda")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(200):
        tk.top_k_per_row_prefill(x, starts, ends, out, 2048)
    prof.disable()
    torch.cuda.synchronize()
    pstats.Stats(prof).sort_stats("tottime").print_stats(22)


if __name__ == "__main__":
    main()
