"""Native tier: importing opdispatch initialises no CUDA context and compiles nothing (it does not
even import Triton or torch._dynamo's compiler). Run in a fresh interpreter: this process has
imported everything already."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.native

_PROBE = r"""
import json, sys
import torch
before = set(sys.modules)
import opdispatch
import opdispatch.ops
from opdispatch.warmup import register_warmup  # noqa: F401
from opdispatch.graph import GraphBuffers  # noqa: F401
new = set(sys.modules) - before
print(json.dumps({
    "cuda_initialized": torch.cuda.is_initialized(),
    "triton": sorted(m for m in new if m == "triton" or m.startswith("triton.")),
    "inductor": sorted(m for m in new if m.startswith("torch._inductor")),
    "ops": len(opdispatch.op_names()),
}))
"""


def test_import_initialises_no_cuda_and_compiles_nothing():
    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    proc = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["cuda_initialized"] is False, "import created a CUDA context"
    assert report["triton"] == [], f"import loaded Triton (kernels compile on import?): {report['triton'][:5]}"
    assert report["inductor"] == [], f"import loaded Inductor: {report['inductor'][:5]}"
    assert report["ops"] >= 2
