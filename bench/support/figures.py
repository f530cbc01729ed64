"""Percentiles and the growth ratio, as every bench reports them."""

from __future__ import annotations

import statistics


def percentile(values, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def latency(samples_ms) -> dict:
    return {
        "n": len(samples_ms),
        "p50_ms": round(percentile(samples_ms, 0.50), 2),
        "p95_ms": round(percentile(samples_ms, 0.95), 2),
        "p99_ms": round(percentile(samples_ms, 0.99), 2),
    }


def growth(times_ms, early: int = 5, unit: str = "ms") -> dict:
    """Step `early` against the last step, each the median of five steps around it (`unit`
    names what was measured: milliseconds, or `calls`)."""

    def window(i):  # five steps centred on i, shifted inwards at either end
        start = max(0, min(i - 2, len(times_ms) - 5))
        return statistics.median(times_ms[start : start + 5])

    first, last = window(early - 1), window(len(times_ms) - 1)
    return {
        "steps": len(times_ms),
        f"step{early}_{unit}": round(first, 2),
        f"step{len(times_ms)}_{unit}": round(last, 2),
        "ratio": round(last / first, 2),
    }


def median_growth(runs: list[list[float]]) -> dict:
    """`growth` of each step's median over several runs made one after another, so a moment
    when the machine was slow in one of them does not read as growth."""
    medians = [statistics.median(step) for step in zip(*runs, strict=True)]
    return {**growth(medians), "runs": len(runs)}


def verdict(value, target, higher_is_better: bool = False) -> dict:
    met = value >= target if higher_is_better else value <= target
    return {"value": value, "target": target, "met": bool(met)}
