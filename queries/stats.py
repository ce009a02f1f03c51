"""Pure statistics for the analyses: counts in, results out, no database.

Everything here is vectorised over numpy arrays or scipy sparse matrices; no function runs a
test per pair in a Python loop, so a 3,000 x 300 table is a few array operations.

- :func:`two_by_two` - chi-square, p-value and adjusted Pearson residual of the (present,
  present) cell of many 2x2 tables at once, given each table's cell count and margins.
- :func:`association_tests` - :func:`two_by_two` over every stored pair of a sparse co-occurrence
  matrix with at least ``min_count`` co-occurrences, with a Bonferroni correction over the number
  of tests run.
- :func:`bonferroni` - the Bonferroni-adjusted p-values.
- :func:`coefficient_of_variation` - each row's coefficient of variation of its relative
  frequency across the columns (contexts) of a sparse count matrix.

A 2x2 table for items A and B over N conversations, where O conversations have both, R have A
and C have B::

                 B          not B
    A            O          R - O          | R
    not A        C - O      N - R - C + O  | N - R
                 C          N - C          | N

E = R * C / N; the adjusted residual is (O - E) / sqrt(E * (1 - R/N) * (1 - C/N)), and for a
2x2 table Pearson's chi-square (without Yates' correction) is exactly its square.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.stats import chi2 as chi2_distribution

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike


@dataclass(frozen=True)
class TwoByTwo:
    """Statistics of many 2x2 tables, one entry per table (parallel arrays)."""

    expected: FloatArray
    chi2: FloatArray
    p_value: FloatArray
    adjusted_residual: FloatArray


def two_by_two(
    observed: ArrayLike, row_totals: ArrayLike, col_totals: ArrayLike, n: ArrayLike
) -> TwoByTwo:
    """Chi-square test of independence (no continuity correction) of many 2x2 tables.

    Arguments broadcast against each other. A degenerate table (an item present in no
    conversation or in all of them, or ``n == 0``) has no variance under independence: it gets
    chi-square 0, residual 0 and p-value 1 rather than a division by zero.
    """
    o = np.asarray(observed, dtype=np.float64)
    r = np.asarray(row_totals, dtype=np.float64)
    c = np.asarray(col_totals, dtype=np.float64)
    total = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(total > 0, r * c / total, 0.0)
        # E * (1 - R/N) * (1 - C/N), written as one product to keep every factor non-negative.
        variance = np.where(total > 0, r * c * (total - r) * (total - c) / total**3, 0.0)
        residual = np.where(variance > 0, (o - expected) / np.sqrt(variance), 0.0)
    chi2 = residual * residual
    p_value = chi2_distribution.sf(chi2, 1)
    return TwoByTwo(
        expected=np.asarray(expected, dtype=np.float64),
        chi2=np.asarray(chi2, dtype=np.float64),
        p_value=np.asarray(p_value, dtype=np.float64),
        adjusted_residual=np.asarray(residual, dtype=np.float64),
    )


def bonferroni(p_values: ArrayLike, tests: int) -> FloatArray:
    """p-values multiplied by the number of tests run, capped at 1."""
    return np.minimum(1.0, np.asarray(p_values, dtype=np.float64) * max(tests, 1))


@dataclass(frozen=True)
class PairTests:
    """One 2x2 test per pair (row item, column item); parallel arrays, in no particular order."""

    rows: IntArray
    cols: IntArray
    observed: IntArray
    expected: FloatArray
    chi2: FloatArray
    p_value: FloatArray
    p_adjusted: FloatArray
    adjusted_residual: FloatArray
    tests: int  # the Bonferroni family: pairs with at least min_count co-occurrences

    def __len__(self) -> int:
        return int(self.rows.size)

    def select(self, keep: npt.NDArray[np.bool_]) -> PairTests:
        """The pairs where ``keep`` is true (the family size stays that of all tests run)."""
        return PairTests(
            rows=self.rows[keep],
            cols=self.cols[keep],
            observed=self.observed[keep],
            expected=self.expected[keep],
            chi2=self.chi2[keep],
            p_value=self.p_value[keep],
            p_adjusted=self.p_adjusted[keep],
            adjusted_residual=self.adjusted_residual[keep],
            tests=self.tests,
        )


def association_tests(
    together: sparse.spmatrix | sparse.sparray,
    row_totals: ArrayLike,
    col_totals: ArrayLike,
    n: int,
    *,
    min_count: int = 1,
) -> PairTests:
    """A 2x2 test for every pair of ``together`` with at least ``min_count`` co-occurrences.

    ``together[i, j]`` is the number of conversations with row item i and column item j;
    ``row_totals[i]`` and ``col_totals[j]`` the conversations with each item, ``n`` all of
    them. Pairs that never co-occur are not tested (they cannot be positive associations).
    """
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    counts = sparse.coo_array(together)
    counts.sum_duplicates()
    keep = counts.data >= min_count
    rows = counts.row[keep].astype(np.int64)
    cols = counts.col[keep].astype(np.int64)
    observed = counts.data[keep].astype(np.int64)
    row_totals = np.asarray(row_totals, dtype=np.float64)
    col_totals = np.asarray(col_totals, dtype=np.float64)
    stats = two_by_two(observed, row_totals[rows], col_totals[cols], n)
    tests = int(observed.size)
    return PairTests(
        rows=rows,
        cols=cols,
        observed=observed,
        expected=stats.expected,
        chi2=stats.chi2,
        p_value=stats.p_value,
        p_adjusted=bonferroni(stats.p_value, tests),
        adjusted_residual=stats.adjusted_residual,
        tests=tests,
    )


def coefficient_of_variation(
    counts: sparse.spmatrix | sparse.sparray, context_totals: ArrayLike
) -> FloatArray:
    """Per row: the coefficient of variation of ``counts[i, j] / context_totals[j]`` over j.

    Every column is one context (a task, a human value) with ``context_totals[j] > 0``
    conversations; a row absent from a context has frequency 0 there, which counts. The
    standard deviation is the population one (ddof=0). A row with mean 0 gets NaN.
    """
    totals = np.asarray(context_totals, dtype=np.float64)
    if totals.size == 0 or np.any(totals <= 0):
        raise ValueError("every context needs at least one conversation")
    matrix = sparse.csr_array(counts, dtype=np.float64)
    contexts = totals.size
    frequency = sparse.csr_array(matrix.multiply(1.0 / totals[np.newaxis, :]))
    mean = np.asarray(frequency.sum(axis=1)).ravel() / contexts
    # Two passes for stability: squared deviations of the stored entries, plus the absent ones
    # (frequency 0), each contributing mean^2.
    stored_rows = np.repeat(np.arange(frequency.shape[0]), np.diff(frequency.indptr))
    deviation = frequency.data - mean[stored_rows]
    squared = np.bincount(stored_rows, weights=deviation * deviation, minlength=frequency.shape[0])
    absent = contexts - np.diff(frequency.indptr)
    variance = (squared + absent * mean * mean) / contexts
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, np.sqrt(variance) / mean, np.nan)
    return np.asarray(cv, dtype=np.float64)
