"""rocm provider implementations, one module per op family."""
