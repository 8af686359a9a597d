#!/usr/bin/env bash
# Session 17, call 6 (after the review commit 2ca02a2): the indexer GPU tests of the ws kernel
# (the default against the tl.dot kernel bit for bit, every ws config against float64) and the
# top-k register-mode tests at 4096 columns.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 250 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/indexer -k "ws" 2>&1 | tail -2
timeout 200 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -k "4096 and not every_tuning_config" 2>&1 | tail -2
