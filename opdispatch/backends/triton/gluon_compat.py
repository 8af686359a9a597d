"""Gluon (Triton's lower-level dialect) as the library's Hopper kernels import it, across the
Triton versions it runs on, and whether a device can run them.

``HAVE_GLUON`` is False where Gluon or its Hopper modules do not import (Triton < 3.5, odd
builds): the kernels written in it (``indexer_gluon.py``, ``mhc_gluon.py``) are then simply not
offered. ``tma_load`` is the TMA load under one name: ``async_copy_global_to_shared`` in Triton
3.6 (the GPU image), renamed ``async_load`` (same arguments) in 3.9, where the old name raises;
``thread_barrier`` likewise (``gl.thread_barrier`` in 3.6, ``gl.barrier`` in 3.9).
"""

from __future__ import annotations

import functools

import torch

from opdispatch.dispatch.platform import cuda_device_capability

try:  # Gluon ships with Triton >= 3.5; without it these paths are simply not offered.
    from triton.experimental import gluon  # noqa: F401 - re-exported
    from triton.experimental.gluon import language as gl  # noqa: F401 - re-exported
    from triton.experimental.gluon.language.nvidia.hopper import (  # noqa: F401 - re-exported
        fence_async_shared,
        mbarrier,
        tma,
        warpgroup_mma,
        warpgroup_mma_wait,
    )

    tma_load = getattr(tma, "async_load", None) or tma.async_copy_global_to_shared
    # a CTA (in a warp-specialized partition: the partition's warps) barrier: thread_barrier in
    # Triton 3.6, barrier in 3.9 (both a bar.sync)
    thread_barrier = getattr(gl, "thread_barrier", None) or gl.barrier
    HAVE_GLUON = True
except Exception:  # noqa: BLE001 - any import-time failure means "not available"
    HAVE_GLUON = False


@functools.cache
def hopper_gluon_capable(device: torch.device) -> bool:
    """Once per device: CUDA sm_90 (wgmma exists on Hopper only) with Gluon's Hopper modules."""
    return HAVE_GLUON and cuda_device_capability(device) == (9, 0)
