#!/usr/bin/env bash
# Session 22, call 7: v29 as the default: the top-k cuda tests that call 6's time limit cut
# (collection order, from the 321st), then the compile / CUDA-graph suite's top-k cases.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
python3 -m pytest -m cuda -p no:cacheprovider -q --collect-only tests/topk 2>/dev/null | grep "::" > /tmp/ids.txt
echo "collected $(wc -l < /tmp/ids.txt)"
tail -n +321 /tmp/ids.txt > /tmp/tail.txt
timeout 330 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q $(cat /tmp/tail.txt) 2>&1 | tail -4
timeout 220 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph -k "top_k" 2>&1 | tail -4
