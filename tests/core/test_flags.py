"""Every flag: defaults, accepted values, and the error for each bad value."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

from opdispatch.dispatch import flags as F
from opdispatch.dispatch.flags import FlagError, get_flags, override_flags, parse_flags, reload_flags

pytestmark = pytest.mark.native


def test_defaults():
    f = parse_flags({})
    assert f.use_aiter is False
    assert all(f.aiter_subflags[n] for n in F.AITER_SUBFLAGS)
    assert f.use_deep_gemm is True
    assert f.disabled_kernels == frozenset()
    assert f.backend_all is None and dict(f.backend_per_op) == {}
    assert f.custom_ops.default_enabled is True
    assert f.platform is None and f.rocm_arch is None
    assert f.debug_checks is False


@pytest.mark.parametrize("value,expected", [
    ("1", True), ("0", False), ("true", True), ("FALSE", False), ("Yes", True), ("no", False),
    (" 1 ", True), ("", False),  # empty means unset: the default (off for the master switch)
])
def test_bool_values(value, expected):
    assert parse_flags({"VLLM_ROCM_USE_AITER": value}).use_aiter is expected


@pytest.mark.parametrize("name", ["VLLM_ROCM_USE_AITER", *F.AITER_SUBFLAGS, "VLLM_USE_DEEP_GEMM",
                                  "OPDISPATCH_DEBUG_CHECKS"])
@pytest.mark.parametrize("bad", ["maybe", "2", "on", "enabled"])
def test_bad_bool_names_the_variable(name, bad):
    with pytest.raises(FlagError, match=rf"^{name}='{bad}' is not a boolean; accepted values: 1/0/true/false/yes/no"):
        parse_flags({name: bad})


def test_subflags_parse_and_default_on():
    f = parse_flags({"VLLM_ROCM_USE_AITER": "1", "VLLM_ROCM_USE_AITER_TOPK": "0"})
    assert f.aiter_subflags["VLLM_ROCM_USE_AITER_TOPK"] is False
    assert f.aiter_subflags["VLLM_ROCM_USE_AITER_MHC"] is True


def test_inert_subflag_warns_once(caplog):
    F._warned_inert.discard("VLLM_ROCM_USE_AITER_MHC")
    with caplog.at_level(logging.WARNING, logger="opdispatch"):
        parse_flags({"VLLM_ROCM_USE_AITER_MHC": "0"})
        parse_flags({"VLLM_ROCM_USE_AITER_MHC": "0"})
    msgs = [r.getMessage() for r in caplog.records if "inert" in r.getMessage()]
    assert msgs == ["VLLM_ROCM_USE_AITER_MHC is set but inert: VLLM_ROCM_USE_AITER is off"]


def test_subflag_with_master_on_does_not_warn(caplog):
    F._warned_inert.discard("VLLM_ROCM_USE_AITER_QUANT")
    with caplog.at_level(logging.WARNING, logger="opdispatch"):
        parse_flags({"VLLM_ROCM_USE_AITER": "1", "VLLM_ROCM_USE_AITER_QUANT": "0"})
    assert not [r for r in caplog.records if "inert" in r.getMessage()]


def test_disabled_kernels():
    f = parse_flags({"VLLM_DISABLED_KERNELS": "triton.mhc_post, aiter"})
    assert f.disabled_kernels == {("triton", "mhc_post"), ("aiter", None)}
    assert f.kernel_disabled("triton", "mhc_post") and not f.kernel_disabled("triton", "mhc_pre")
    assert f.kernel_disabled("aiter", "anything")


@pytest.mark.parametrize("value,msg", [
    ("cutlass.mhc_post", r"VLLM_DISABLED_KERNELS: unknown provider 'cutlass' in 'cutlass.mhc_post'; providers: torch_ref, triton, aiter, deep_gemm"),
    ("triton.", r"VLLM_DISABLED_KERNELS: 'triton.' names no op after the '.'"),
])
def test_disabled_kernels_errors(value, msg):
    with pytest.raises(FlagError, match=msg):
        parse_flags({"VLLM_DISABLED_KERNELS": value})


def test_backend_global_and_per_op():
    f = parse_flags({"OPDISPATCH_BACKEND": "triton"})
    assert f.forced_backend("mhc_pre") == ("triton", "OPDISPATCH_BACKEND=triton")
    f = parse_flags({"OPDISPATCH_BACKEND": "mhc_pre=torch_ref, top_k_per_row_prefill=triton"})
    assert f.forced_backend("mhc_pre") == ("torch_ref", "OPDISPATCH_BACKEND=mhc_pre=torch_ref")
    assert f.forced_backend("mhc_post") is None
    f = parse_flags({"OPDISPATCH_BACKEND": "triton,mhc_pre=torch_ref"})
    assert f.forced_backend("mhc_pre")[0] == "torch_ref" and f.forced_backend("x")[0] == "triton"


@pytest.mark.parametrize("value,msg", [
    ("cuda", r"OPDISPATCH_BACKEND: unknown provider 'cuda'"),
    ("mhc_pre=fast", r"OPDISPATCH_BACKEND: unknown provider 'fast' in 'mhc_pre=fast'"),
    ("=triton", r"OPDISPATCH_BACKEND: '=triton' names no op before '='"),
    ("a=triton,a=torch_ref", r"OPDISPATCH_BACKEND: op 'a' is given twice"),
    ("triton,torch_ref", r"OPDISPATCH_BACKEND: two providers for every op"),
])
def test_backend_errors(value, msg):
    with pytest.raises(FlagError, match=msg):
        parse_flags({"OPDISPATCH_BACKEND": value})


def test_custom_ops():
    spec = parse_flags({"OPDISPATCH_CUSTOM_OPS": "none,+mhc_pre"}).custom_ops
    assert spec.is_enabled("mhc_pre") and not spec.is_enabled("mhc_post")
    spec = parse_flags({"OPDISPATCH_CUSTOM_OPS": "-mhc_pre"}).custom_ops
    assert not spec.is_enabled("mhc_pre") and spec.is_enabled("mhc_post")
    assert parse_flags({"OPDISPATCH_CUSTOM_OPS": "ALL"}).custom_ops.is_enabled("x")


@pytest.mark.parametrize("value,msg", [
    ("all,none", r"OPDISPATCH_CUSTOM_OPS: give at most one of 'all' / 'none'"),
    ("mhc_pre", r"OPDISPATCH_CUSTOM_OPS: 'mhc_pre' is not understood; expected 'all', 'none', '\+op' or '-op'"),
    ("+a,-a", r"OPDISPATCH_CUSTOM_OPS: \['a'\] both enabled and disabled"),
])
def test_custom_ops_errors(value, msg):
    with pytest.raises(FlagError, match=msg):
        parse_flags({"OPDISPATCH_CUSTOM_OPS": value})


def test_custom_ops_default_ignores_compile_mode(monkeypatch):
    # vLLM flips its default to 'none' under Inductor; we never do: the default is in the parser,
    # which has no input but the environment.
    monkeypatch.setenv("TORCHINDUCTOR_COMPILE_THREADS", "1")
    assert parse_flags(dict(os.environ)).custom_ops.default_enabled is True


def test_platform_and_arch():
    assert parse_flags({"OPDISPATCH_PLATFORM": "ROCm"}).platform == "rocm"
    assert parse_flags({"OPDISPATCH_ROCM_ARCH": "gfx950"}).rocm_arch == "gfx950"
    with pytest.raises(FlagError, match=r"OPDISPATCH_PLATFORM='tpu'; accepted values: cuda, rocm, cpu"):
        parse_flags({"OPDISPATCH_PLATFORM": "tpu"})
    with pytest.raises(FlagError, match=r"OPDISPATCH_ROCM_ARCH='mi300'; expected a gfx arch"):
        parse_flags({"OPDISPATCH_ROCM_ARCH": "mi300"})


def test_allow_known_bad():
    f = parse_flags({"OPDISPATCH_ALLOW_KNOWN_BAD": "aiter.mhc_pre"})
    assert f.known_bad_allowed("aiter", "mhc_pre") and not f.known_bad_allowed("aiter", "mhc_post")


def test_cached_until_reload(monkeypatch):
    reload_flags()
    before = get_flags()
    monkeypatch.setenv("VLLM_USE_DEEP_GEMM", "0")
    assert get_flags() is before and get_flags().use_deep_gemm is True  # nothing re-read on the hot path
    assert reload_flags().use_deep_gemm is False


def test_override_restores_env_and_flags():
    os.environ.pop("VLLM_ROCM_USE_AITER", None)
    reload_flags()
    gen = F.flags_generation()
    with override_flags(VLLM_ROCM_USE_AITER=True, OPDISPATCH_PLATFORM="rocm") as f:
        assert f.use_aiter and f.platform == "rocm"
        assert os.environ["VLLM_ROCM_USE_AITER"] == "1"
        assert F.flags_generation() > gen
    assert "VLLM_ROCM_USE_AITER" not in os.environ
    assert get_flags().use_aiter is False and get_flags().platform is None


def test_override_bad_value_restores(monkeypatch):
    monkeypatch.delenv("VLLM_USE_DEEP_GEMM", raising=False)
    with pytest.raises(FlagError, match="VLLM_USE_DEEP_GEMM"):
        with override_flags(VLLM_USE_DEEP_GEMM="perhaps"):
            pass
    assert "VLLM_USE_DEEP_GEMM" not in os.environ


def test_override_unknown_variable():
    with pytest.raises(FlagError, match=r"override_flags: unknown variable\(s\) \['VLLM_NOPE'\]"):
        with override_flags(VLLM_NOPE="1"):
            pass


def test_every_flag_documented_in_readme():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for name in F.FLAG_NAMES:
        assert re.search(rf"`{name}`", readme), f"{name} is not in README.md's flags table"


def _import_and_report(env_extra: dict) -> list[str]:
    import subprocess
    import sys
    code = ("import opdispatch\n"
            "from opdispatch.dispatch import flags\n"
            "print('parsed', flags._flags is not None)\n"
            "import torch\n"
            "try:\n"
            "    opdispatch.top_k_per_row_prefill(torch.zeros(1, 4), torch.zeros(1, dtype=torch.int32),\n"
            "                                     torch.full((1,), 4, dtype=torch.int32), 2)\n"
            "    print('call ok')\n"
            "except opdispatch.FlagError as e:\n"
            "    print('FlagError', e)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VLLM_", "OPDISPATCH_"))}
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()


def test_flags_parsed_at_import():
    """Importing opdispatch parses the flags, so that a first op call inside torch.compile
    never parses them under Dynamo (torch 2.11 could not trace that: a fullgraph error)."""
    assert _import_and_report({}) == ["parsed True", "call ok"]


def test_bad_flag_at_import_raises_at_first_call():
    """A bad value does not break the import; the first op call raises, naming the variable."""
    lines = _import_and_report({"VLLM_ROCM_USE_AITER": "maybe"})
    assert lines[0] == "parsed False"
    assert lines[1].startswith("FlagError VLLM_ROCM_USE_AITER='maybe'"), lines
