#!/usr/bin/env python3
"""numpy reference timings for bench/run.ts.

Reads a JSON list of {"id", "dtype", "reference": {...}} on stdin, times each reference with numpy using the
same rule as bench/harness.ts (one warm-up call, samples of at least 5 ms, best sample per call, ~0.6 s per
case, at least 5 samples), and writes {"blas": ..., "results": [{"id", "seconds"}]} as JSON on stdout.
The parent sets OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS = 1 so the reference is single-threaded.

Adding a reference kind: write a `prepare_<kind>(spec, dtype, rng)` returning a zero-argument callable, and add
it to PREPARE below.
"""
import json
import sys
import time

import numpy as np


def prepare_matmul(spec, dtype, rng):
    m, n, k, batch = spec["m"], spec["n"], spec["k"], spec["batch"]
    lead = () if batch is None else (batch,)
    # Stored transposed and viewed through .T (swapped strides), like Strata's transposed operands.
    a = rng.random(lead + ((k, m) if spec["transA"] else (m, k)), dtype=dtype) - 0.5
    b = rng.random(lead + ((n, k) if spec["transB"] else (k, n)), dtype=dtype) - 0.5
    if spec["transA"]:
        a = np.swapaxes(a, -1, -2)
    if spec["transB"]:
        b = np.swapaxes(b, -1, -2)
    out = np.empty(lead + (m, n), dtype=dtype)
    return lambda: np.matmul(a, b, out=out)


def prepare_einsum(spec, dtype, rng):
    operands = [rng.random(tuple(shape), dtype=dtype) - 0.5 for shape in spec["shapes"]]
    subscripts = spec["subscripts"]
    return lambda: np.einsum(subscripts, *operands, optimize=True)


def prepare_elementwise(spec, dtype, rng):
    a = rng.random(tuple(spec["shape"]), dtype=dtype) - 0.5
    b = rng.random(tuple(spec["shape_b"]), dtype=dtype) - 0.5 if spec.get("shape_b") else None
    op = spec["op"]
    if op == "add":
        return lambda: np.add(a, b)
    if op == "mul":
        return lambda: np.multiply(a, b)
    if op == "exp":
        return lambda: np.exp(a)
    if op == "tanh":
        return lambda: np.tanh(a)
    raise ValueError(f"unknown elementwise op {op}")


def prepare_reduce(spec, dtype, rng):
    a = rng.random(tuple(spec["shape"]), dtype=dtype) - 0.5
    axis = spec["axis"]
    if spec["op"] == "sum":
        return lambda: a.sum(axis=axis)
    if spec["op"] == "max":
        return lambda: a.max(axis=axis)
    if spec["op"] == "logsumexp":
        def lse():
            m = a.max(axis=axis, keepdims=True)
            return np.log(np.exp(a - m).sum(axis=axis)) + np.squeeze(m, axis=axis)
        return lse
    raise ValueError(f"unknown reduction {spec['op']}")


PREPARE = {"matmul": prepare_matmul, "einsum": prepare_einsum, "elementwise": prepare_elementwise, "reduce": prepare_reduce}


def time_best(fn, min_sample=0.005, budget=0.6, min_samples=5):
    fn()
    calls = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_sample or calls >= 1 << 20:
            break
        calls *= min(16, max(2, int(min_sample / dt) + 1)) if dt > 0 else 16
    best = float("inf")
    samples = 0
    start = time.perf_counter()
    while samples < min_samples or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - t0) / calls)
        samples += 1
        if samples >= 200:
            break
    return best


def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed (BLAS core unknown)"
    parts = []
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            parts.append("{} {} core={} threads={}".format(
                pool.get("internal_api"), pool.get("version"), pool.get("architecture"), pool.get("num_threads")))
    return "; ".join(parts) or "no BLAS pool reported by threadpoolctl"


def main():
    cases = json.load(sys.stdin)
    rng = np.random.default_rng(0)
    results = []
    for case in cases:
        spec = case["reference"]
        dtype = np.float32 if case["dtype"] == "float32" else np.float64
        fn = PREPARE[spec["kind"]](spec, dtype, rng)
        results.append({"id": case["id"], "seconds": time_best(fn)})
    json.dump({"numpy": np.__version__, "blas": blas_info(), "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
