"""The ``opdispatch`` command: explain, check, bench, flags."""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
from collections.abc import Sequence


def _die(msg: str, code: int = 2) -> int:
    print(f"opdispatch: error: {msg}", file=sys.stderr)
    return code


def _cmd_explain(args: argparse.Namespace) -> int:
    from opdispatch.dispatch import explain

    entries = explain(args.ops or None)
    if args.json:
        print(json.dumps(entries, indent=1))
    else:
        for e in entries:
            print(f"{e['op']}  [{e['platform']}]  -> {e['selected'] or 'ERROR'}")
            for c in e["candidates"]:
                mark = "*" if c["provider"] == e["selected"] else ("+" if c["usable"] else "-")
                print(f"   {mark} {c['provider']:10s} {c['reason']}")
                if c.get("kernels"):
                    print(f"     {'':10s} kernels: {c['kernels']}")
    failed = [e["op"] for e in entries if e["selected"] is None]
    if failed:
        return _die(f"no provider can run {', '.join(failed)} as configured (see the reasons above)", 1)
    return 0


def _fmt(x: float, spec: str = ".2e") -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def _cmd_check(args: argparse.Namespace) -> int:
    import torch

    from opdispatch.dispatch import current_platform, op_names
    from opdispatch.dispatch.checks import run_checks

    platform = current_platform()
    rows = run_checks(args.ops or None, args.providers or None)
    print(f"opdispatch check on {platform.describe()}"
          f" (device: {'cuda' if platform.has_real_gpu else 'cpu'}, torch {torch.__version__},"
          f" TRITON_INTERPRET={os.environ.get('TRITON_INTERPRET', '0')})")
    header = f"{'op':36s} {'provider':10s} {'case':30s} {'max err':>9s} {'tol':>9s} {'result':6s} {'ms':>9s}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r.op:36s} {r.provider:10s} {r.label[:30]:30s} {_fmt(r.max_err):>9s} {_fmt(r.tol):>9s} "
              f"{'pass' if r.ok else 'FAIL':6s} {_fmt(r.time_ms, '.1f'):>9s}" + (f"  {r.detail}" if r.detail else ""))
    covered = {r.op for r in rows}
    for op in args.ops or op_names():
        if op not in covered:
            print(f"{op:36s} {'-':10s} {'(only torch_ref is usable here: nothing to compare)'}")
    failed = [r for r in rows if not r.ok]
    print(f"{len(rows) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from opdispatch.dispatch.bench import bench_cases, format_row, run_bench, write_results

    cases = bench_cases(args.ops or None, args.label, args.tags or None)
    if not cases:
        return _die("no benchmark case matches", 2)
    env, rows = run_bench(cases, compile_baseline=not args.no_compile, progress=print)
    if args.commit:
        env["commit"] = args.commit
    paths = write_results(env, rows, args.out)
    print("env: " + ", ".join(f"{k}={v}" for k, v in env.items()))
    for r in rows:
        print(format_row(r))
    print("wrote " + ", ".join(str(p) for p in paths))
    return 1 if any(r.error for r in rows) else 0


def _cmd_flags(args: argparse.Namespace) -> int:
    from opdispatch.dispatch import FLAG_DOCS, current_platform, get_flags

    get_flags()  # validate
    print(f"platform: {current_platform().describe()}")
    for d in FLAG_DOCS:
        print(f"{d.name:30s} = {os.environ.get(d.name, '')!r:16s} default {d.default}: {d.doc}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="opdispatch", description=__doc__)
    p.add_argument("-v", "--verbose", action="store_true", help="log dispatch decisions (INFO)")
    sub = p.add_subparsers(dest="cmd", required=True)

    e = sub.add_parser("explain", help="which provider each op runs, and why")
    e.add_argument("--json", action="store_true", help="print only a JSON list on stdout")
    e.add_argument("ops", nargs="*", metavar="OP")
    e.set_defaults(func=_cmd_explain)

    c = sub.add_parser("check", help="run every usable provider against torch_ref on small inputs")
    c.add_argument("ops", nargs="*", metavar="OP")
    c.add_argument("--provider", dest="providers", action="append", help="only this provider (repeatable)")
    c.set_defaults(func=_cmd_check)

    b = sub.add_parser("bench", help="benchmark each op against PyTorch eager and torch.compile (GPU)")
    b.add_argument("ops", nargs="*", metavar="OP")
    b.add_argument("--label", help="only cases whose label contains this text")
    b.add_argument("--tag", dest="tags", action="append", help="run tagged cases (e.g. sweep)")
    b.add_argument("--out", default="bench_results", help="folder for bench.csv / bench.json / bench.png")
    b.add_argument("--no-compile", action="store_true", help="skip the torch.compile baseline")
    b.add_argument("--commit", help="record this commit (where the checkout has no .git)")
    b.set_defaults(func=_cmd_bench)

    f = sub.add_parser("flags", help="every environment variable, its value and default")
    f.set_defaults(func=_cmd_flags)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(name)s: %(message)s",
                        stream=sys.stderr)
    if args.cmd == "check" and "TRITON_INTERPRET" not in os.environ:
        import torch

        if not torch.cuda.is_available():
            # Triton kernels run through the interpreter on CPU tensors. Must be set before any
            # kernel module is imported (triton reads it when a kernel is decorated).
            os.environ["TRITON_INTERPRET"] = "1"
    from opdispatch.dispatch import DispatchError, FlagError, reload_flags

    try:
        reload_flags()  # read the environment as it is now (main() may be called in-process)
        return args.func(args)
    except FlagError as exc:
        return _die(str(exc), 2)
    except DispatchError as exc:
        return _die(str(exc), 1)
    except KeyError as exc:
        return _die(str(exc.args[0]) if exc.args else str(exc), 2)


if __name__ == "__main__":
    sys.exit(main())
