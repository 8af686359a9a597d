"""Provider back ends: torch_ref (reference), triton, cuda (deep_gemm adapter), rocm (aiter adapter)."""
