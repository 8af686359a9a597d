"""Platform detection and simulation; fp8 dtype and max by arch."""

from __future__ import annotations

import pytest
import torch

from opdispatch.dispatch import current_platform, fp8_max_of, override_flags
from opdispatch.dispatch.platform import FNUZ_ARCHS

pytestmark = pytest.mark.native


def test_detected_platform_matches_machine():
    p = current_platform()
    if torch.cuda.is_available():
        assert p.name == ("rocm" if torch.version.hip else "cuda") and not p.simulated
    else:
        assert p.name == "cpu" and p.is_cpu() and not p.is_cuda() and not p.is_rocm()
        assert p.device_type == "cpu" and p.device_capability is None and p.gfx_arch is None
        assert p.fp8_dtype == torch.float8_e4m3fn and p.fp8_max == 448.0


@pytest.mark.parametrize("arch,dtype,fmax", [
    ("gfx942", torch.float8_e4m3fnuz, 224.0),
    ("gfx940", torch.float8_e4m3fnuz, 224.0),
    ("gfx950", torch.float8_e4m3fn, 448.0),
    ("gfx90a", torch.float8_e4m3fn, 448.0),
])
def test_rocm_fp8_by_arch(arch, dtype, fmax):
    with override_flags(OPDISPATCH_PLATFORM="rocm", OPDISPATCH_ROCM_ARCH=arch):
        p = current_platform()
        assert p.is_rocm() and p.simulated and p.gfx_arch == arch
        assert p.fp8_dtype == dtype and p.fp8_max == fmax
        assert p.device_type == "cuda" and p.device_capability is None


def test_rocm_sim_defaults_to_gfx942(rocm_sim):
    assert rocm_sim.gfx_arch == "gfx942" and rocm_sim.fp8_dtype == torch.float8_e4m3fnuz
    assert "gfx942" in FNUZ_ARCHS


def test_cuda_sim(cuda_sim):
    assert cuda_sim.is_cuda() and cuda_sim.fp8_dtype == torch.float8_e4m3fn and cuda_sim.fp8_max == 448.0
    assert cuda_sim.device_capability >= (8, 0)
    assert "simulated" in cuda_sim.describe()


def test_platform_cached_per_generation():
    assert current_platform() is current_platform()
    with override_flags(OPDISPATCH_PLATFORM="rocm"):
        assert current_platform().is_rocm()
    assert not current_platform().simulated or current_platform().name != "rocm"


def test_fp8_max_of():
    assert fp8_max_of(torch.float8_e4m3fn) == 448.0
    assert fp8_max_of(torch.float8_e4m3fnuz) == 224.0
    with pytest.raises(TypeError, match="fp8 dtype must be torch.float8_e4m3fn or torch.float8_e4m3fnuz, got torch.bfloat16"):
        fp8_max_of(torch.bfloat16)

# Importing opdispatch initialising nothing is tested in tests/compile_graph/test_import_native.py.
