"""A test-only op that exercises every dispatch rule end to end: ``toy_scale(x, alpha) = x * alpha``.

Providers: torch_ref, triton (a real kernel, run through the interpreter on CPU), aiter and
deep_gemm (adapters calling ``aiter.toy_scale`` / ``deep_gemm.toy_scale`` of a test double, with
a probe on the signature). It is registered when this module is imported and only then.
"""

from __future__ import annotations

import importlib
import inspect

import torch

from opdispatch.dispatch import CustomOp, kernel_op, register_impl
from opdispatch.dispatch.alloc import empty
from opdispatch.dispatch.validate import check_out, check_tensor

OP = "toy_scale"


class ToyScale(CustomOp):
    name = OP
    aiter_flag = "VLLM_ROCM_USE_AITER_QUANT"

    def __call__(self, x: torch.Tensor, alpha: float, *, out: torch.Tensor | None = None) -> torch.Tensor:
        check_tensor("x", x, dtypes=(torch.float32,), contiguous=True)
        check_out("out", out, tuple(x.shape), x.dtype, x.device)
        y = out if out is not None else empty(x.shape, x.dtype, x.device)
        self.forward(x, y, float(alpha))
        return y


def _ref(x: torch.Tensor, y: torch.Tensor, alpha: float) -> None:
    y.copy_(x * alpha)


def _triton(x: torch.Tensor, y: torch.Tensor, alpha: float) -> None:
    import triton
    import triton.language as tl

    global _kernel
    if _kernel is None:

        @triton.jit
        def toy_kernel(p_x, p_y, n, alpha, BLOCK: tl.constexpr):
            o = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
            m = o < n
            tl.store(p_y + o, tl.load(p_x + o, mask=m) * alpha, mask=m)

        _kernel = toy_kernel
    n = x.numel()
    if n:
        _kernel[(triton.cdiv(n, 256),)](x, y, n, alpha, BLOCK=256)


_kernel = None


def _vendor_call(module: str):
    def impl(x: torch.Tensor, y: torch.Tensor, alpha: float) -> None:
        importlib.import_module(module).toy_scale(x, y, alpha)

    return impl


def _vendor_probe(module: str):
    def probe() -> tuple[bool, str]:
        mod = importlib.import_module(module)
        fn = getattr(mod, "toy_scale", None)
        if fn is None:
            return False, f"{module}.toy_scale is missing (too old)"
        params = list(inspect.signature(fn).parameters)
        if params[:3] != ["x", "y", "alpha"]:
            return False, f"{module}.toy_scale has signature {params}, expected (x, y, alpha)"
        return True, f"{module}.toy_scale present"

    return probe


register_impl(OP, "torch_ref", _ref)
register_impl(OP, "triton", kernel_op("toy_scale_triton", _triton, mutates_args=("y",)))
register_impl(OP, "aiter", kernel_op("toy_scale_aiter", _vendor_call("aiter"), mutates_args=("y",)),
              probe=_vendor_probe("aiter"))
register_impl(OP, "deep_gemm", kernel_op("toy_scale_deep_gemm", _vendor_call("deep_gemm"), mutates_args=("y",)),
              probe=_vendor_probe("deep_gemm"))


def toy_scale(x: torch.Tensor, alpha: float, *, out: torch.Tensor | None = None) -> torch.Tensor:
    return ToyScale.default()(x, alpha, out=out)
