"""torch_ref provider implementations, one module per op family."""
