"""torch_ref semantics and input validation (native tier)."""

import pytest
import torch

import opdispatch
from opdispatch.backends.torch_ref import topk as ref
from opdispatch.ops.topk import TopKPerRowDecode, TopKPerRowPrefill

from .helpers import assert_topk_matches

pytestmark = pytest.mark.native

I32 = torch.int32


def _t(*v):
    return torch.tensor(v, dtype=I32)


def test_ref_short_rows_are_identity_then_minus_one():
    x = torch.randn(4, 10, generator=torch.Generator().manual_seed(0))
    out = ref.top_k_per_row_prefill(x, _t(0, 2, 5, 7), _t(3, 2, 4, 10), 4)
    assert out.tolist() == [[0, 1, 2, -1], [-1] * 4, [-1] * 4, [0, 1, 2, -1]]


def test_ref_selects_largest_local_to_start_and_sorted():
    x = torch.tensor([[9.0, 1.0, 5.0, 3.0, 7.0, 2.0]])
    out = ref.top_k_per_row_prefill(x, _t(1), _t(6), 2)     # columns 1..5: 1 5 3 7 2
    assert out.tolist() == [[3, 1]]                         # 7 at col 4 -> 3, 5 at col 2 -> 1


def test_ref_neg_inf_is_a_candidate_outside_columns_are_not():
    x = torch.tensor([[5.0, float("-inf"), float("-inf"), 1.0, 100.0]])
    out = ref.top_k_per_row_prefill(x, _t(0), _t(4), 3)     # col 4 (100) is outside
    assert sorted(out[0].tolist()) == [0, 1, 3] or sorted(out[0].tolist()) == [0, 2, 3]


def test_ref_nan_ranks_above_inf():
    x = torch.tensor([[1.0, float("inf"), float("nan"), 2.0]])
    out = ref.top_k_per_row_prefill(x, _t(0), _t(4), 2)
    assert sorted(out[0].tolist()) == [1, 2]


def test_ref_decode_row_ends():
    ends = ref.decode_row_ends(_t(10, 7), 2, 4)
    assert ends.tolist() == [9, 10, 6, 7]


def test_ref_bounds_are_clamped_to_logits():
    x = torch.arange(6, dtype=torch.float32).view(1, 6)
    out = ref.top_k_per_row_prefill(x, _t(-3), _t(100), 2)  # clamped to [0, 6)
    assert sorted(out[0].tolist()) == [4, 5]


def test_ref_is_vectorised_and_matches_per_row_topk():
    g = torch.Generator().manual_seed(3)
    x = torch.randn(33, 130, generator=g)
    starts = torch.randint(0, 40, (33,), generator=g, dtype=I32)
    ends = starts + torch.randint(-2, 90, (33,), generator=g, dtype=I32)
    out = ref.top_k_per_row_prefill(x, starts, ends, 7)
    for r in range(33):
        s, e = int(starts[r]), min(int(ends[r]), 130)
        if e - s > 7:
            want = torch.topk(x[r, s:e], 7).values
            assert torch.equal(x[r, s + out[r].long()], want), r


@pytest.mark.parametrize("sorted_", [False, True])
def test_public_functions_torch_ref(sorted_):
    g = torch.Generator().manual_seed(5)
    x = torch.randn(6, 50, generator=g)
    starts, ends = _t(0, 3, 10, 0, 49, 20), _t(50, 40, 12, 0, 50, 45)
    out = opdispatch.top_k_per_row_prefill(x, starts, ends, 5, sorted=sorted_)
    assert_topk_matches(x, starts, ends, 5, out, sorted_=sorted_)
    buf = torch.full((6, 5), 99, dtype=I32)
    assert opdispatch.top_k_per_row_prefill(x, starts, ends, 5, out=buf) is buf
    d = opdispatch.top_k_per_row_decode(x, 2, _t(50, 30, 9), 5, sorted=sorted_)
    assert d.shape == (6, 5) and d.dtype == I32


def test_empty_rows_give_empty_output():
    out = opdispatch.top_k_per_row_prefill(torch.randn(0, 8), _t(), _t(), 4)
    assert out.shape == (0, 4)
    out = opdispatch.top_k_per_row_decode(torch.randn(0, 8), 2, _t(), 4)
    assert out.shape == (0, 4)


class _Boom:
    """Provider stand-in proving validation runs before any launch."""
    def __call__(self, *a, **k):
        raise AssertionError("launched despite bad input")


@pytest.mark.parametrize("case, exc, words", [
    (dict(k=0), ValueError, "k must be > 0"),
    (dict(k=2.0), TypeError, "k must be an int"),
    (dict(logits=torch.randn(3, 8).half()), TypeError, "logits must have dtype float32"),
    (dict(logits=torch.randn(3, 8, 1)), ValueError, "logits must be 2-D"),
    (dict(row_starts=torch.zeros(3, dtype=torch.int64)), TypeError, "row_starts must have dtype int32"),
    (dict(row_ends=torch.zeros(2, dtype=I32)), ValueError, "row_ends must have shape [3]"),
    (dict(row_ends=torch.zeros(6, dtype=I32)[::2]), ValueError, "row_ends must be contiguous"),
    (dict(out=torch.zeros(3, 5, dtype=I32)), ValueError, "out must have shape [3, 4]"),
    (dict(out=torch.zeros(3, 4, dtype=torch.int64)), TypeError, "out must have dtype int32"),
    (dict(out=torch.zeros(4, 3, dtype=I32).t()), ValueError, "out must have a contiguous last"),
    (dict(sorted=1), TypeError, "sorted must be a bool"),
])
def test_prefill_validation(case, exc, words):
    op = TopKPerRowPrefill(provider="torch_ref")
    op.forward = _Boom()
    args = dict(logits=torch.randn(3, 8), row_starts=torch.zeros(3, dtype=I32),
                row_ends=torch.full((3,), 8, dtype=I32), k=4)
    args.update(case)
    kw = {n: args.pop(n) for n in ("out", "sorted") if n in args}
    with pytest.raises(exc, match=words.replace("[", r"\[").replace("]", r"\]")):
        op(args["logits"], args["row_starts"], args["row_ends"], args["k"], **kw)


@pytest.mark.parametrize("case, exc, words", [
    (dict(next_n=0), ValueError, "next_n must be > 0"),
    (dict(next_n=3), ValueError, "expected len\\(seq_lens\\) \\* next_n"),
    (dict(seq_lens=torch.zeros(2, dtype=torch.int64)), TypeError, "seq_lens must have dtype int32"),
    (dict(k=-1), ValueError, "k must be > 0"),
    (dict(logits=torch.randn(4, 8).to(torch.int32)), TypeError, "logits must have dtype float32"),
])
def test_decode_validation(case, exc, words):
    op = TopKPerRowDecode(provider="torch_ref")
    op.forward = _Boom()
    args = dict(logits=torch.randn(4, 8), next_n=2, seq_lens=torch.full((2,), 8, dtype=I32), k=4)
    args.update(case)
    with pytest.raises(exc, match=words):
        op(args["logits"], args["next_n"], args["seq_lens"], args["k"])
