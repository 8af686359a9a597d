"""The dispatch core: platform, flags, providers, CustomOp, torch.library registration."""

from opdispatch.dispatch.custom_op import CustomOp, op_class
from opdispatch.dispatch.flags import (
    FLAG_DOCS,
    FlagError,
    Flags,
    get_flags,
    override_flags,
    reload_flags,
)
from opdispatch.dispatch.known_bad import KNOWN_BAD, KnownBad
from opdispatch.dispatch.library import KERNEL_OPS, kernel_op
from opdispatch.dispatch.platform import Platform, current_platform, fp8_max_of, is_fp8_dtype
from opdispatch.dispatch.registry import (
    DispatchError,
    Selection,
    can_use,
    evaluate,
    explain,
    op_names,
    register_impl,
    select,
    should_use,
)

__all__ = [
    "CustomOp", "op_class", "FLAG_DOCS", "FlagError", "Flags", "get_flags", "override_flags",
    "reload_flags", "KNOWN_BAD", "KnownBad", "KERNEL_OPS", "kernel_op", "Platform",
    "current_platform", "fp8_max_of", "is_fp8_dtype", "DispatchError", "Selection", "can_use",
    "evaluate", "explain", "op_names", "register_impl", "select", "should_use",
]
