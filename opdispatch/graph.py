"""Persistent buffers for variable-size metadata used by captured CUDA graphs.

A captured graph replays the exact device addresses it saw at capture. Metadata whose size
changes from step to step (ragged indices, indptr, sequence lengths) must therefore live in
buffers allocated once at the largest size and updated *in place*; a fresh tensor per step would
leave the graph reading the stale one. :class:`GraphBuffers` owns such buffers: ``update`` copies
new contents into the front of a buffer (a device-side copy, no host sync, legal outside and
inside capture) and fills the tail with a padding rule, so the fixed-size view the graph reads is
always consistent.

Example::

    bufs = GraphBuffers(torch.device("cuda"))
    bufs.reserve("indptr", (max_batch + 1,), torch.int32, pad="edge")   # tail repeats the last
    bufs.reserve("indices", (max_tokens, 2048), torch.int32, pad=-1)    # tail is -1
    ...capture with bufs["indptr"], bufs["indices"] (or a fixed-size view of them)...
    for each step:
        bufs.update("indptr", indptr)      # indptr may be shorter than the buffer
        bufs.update("indices", indices)
        graph.replay()
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch

Pad = int | float | str | None  # a fill value, "edge" (repeat the last row) or None (leave)


@dataclass
class _Slot:
    buffer: torch.Tensor
    pad: Pad


class GraphBuffers:
    """Named, preallocated device buffers updated in place (fixed addresses for CUDA graphs)."""

    def __init__(self, device: torch.device | str) -> None:
        self.device = torch.device(device)
        self._slots: dict[str, _Slot] = {}

    def reserve(self, name: str, shape: Sequence[int], dtype: torch.dtype, *,
                pad: Pad = 0) -> torch.Tensor:
        """Allocate buffer ``name`` of the maximum ``shape`` (rows along dimension 0) once.

        ``pad`` says what rows past the current contents hold after :meth:`update`: a number
        (e.g. 0, or -1 for "no index"), ``"edge"`` (copies of the last row, the rule for an
        indptr so padded requests are empty), or None (left as they are). The buffer starts
        filled with the pad value (zeros for "edge"/None).
        """
        if name in self._slots:
            raise ValueError(f"buffer {name!r} is already reserved")
        shape = tuple(int(s) for s in shape)
        if not shape or any(s < 0 for s in shape):
            raise ValueError(f"shape of {name!r} must be a non-empty list of sizes >= 0, got {shape}")
        if isinstance(pad, str) and pad != "edge":
            raise ValueError(f"pad of {name!r} must be a number, 'edge' or None, got {pad!r}")
        fill = pad if isinstance(pad, (int, float)) and not isinstance(pad, bool) else 0
        buf = torch.full(shape, fill, dtype=dtype, device=self.device)
        self._slots[name] = _Slot(buf, pad)
        return buf

    def __getitem__(self, name: str) -> torch.Tensor:
        """The whole buffer (fixed address): what a captured graph should read."""
        return self._slot(name).buffer

    def __contains__(self, name: str) -> bool:
        return name in self._slots

    def __iter__(self) -> Iterator[str]:
        return iter(self._slots)

    def _slot(self, name: str) -> _Slot:
        try:
            return self._slots[name]
        except KeyError:
            raise KeyError(f"no buffer named {name!r}; reserved: {sorted(self._slots)}") from None

    def update(self, name: str, src: torch.Tensor) -> torch.Tensor:
        """Copy ``src`` into the first ``len(src)`` rows of buffer ``name`` and pad the rest.

        Returns the view of the valid rows (same storage and address as the buffer). Only shapes
        are checked (no device data is read); the copy is asynchronous (``non_blocking``: from
        pinned host memory or another device tensor it does not sync the host).
        """
        slot = self._slot(name)
        buf = slot.buffer
        if not isinstance(src, torch.Tensor):
            raise TypeError(f"src for {name!r} must be a torch.Tensor, got {type(src).__name__}")
        if src.dtype != buf.dtype:
            raise TypeError(f"src for {name!r} must have dtype {buf.dtype}, got {src.dtype}")
        if src.dim() != buf.dim() or tuple(src.shape[1:]) != tuple(buf.shape[1:]):
            raise ValueError(f"src for {name!r} must have shape [n, {', '.join(map(str, buf.shape[1:]))}]"
                             f" (trailing sizes of the buffer), got {list(src.shape)}")
        n = src.shape[0]
        if n > buf.shape[0]:
            raise ValueError(f"src for {name!r} has {n} rows; the buffer holds at most {buf.shape[0]}")
        if n:
            buf[:n].copy_(src, non_blocking=True)
        tail = buf[n:]
        if tail.shape[0]:
            if slot.pad == "edge":
                if n:
                    tail.copy_(buf[n - 1: n].expand_as(tail))
                else:
                    tail.zero_()
            elif slot.pad is not None:
                tail.fill_(slot.pad)
        return buf[:n]
