"""queries.stats against scipy and against an independent, exact computation."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import sparse
from scipy.stats import chi2_contingency

from valuegraph.queries.stats import (
    association_tests,
    bonferroni,
    coefficient_of_variation,
    two_by_two,
)

TOLERANCE = 1e-9


def random_incidence(rng: np.random.Generator, n: int, items: int, density: float) -> np.ndarray:
    """conversations x items, True where a conversation has the item; rates vary per item."""
    rates = rng.uniform(0.0, density, size=items)
    return rng.random((n, items)) < rates[np.newaxis, :]


def exact_residual(o: int, r: int, c: int, n: int) -> float:
    """The adjusted residual from the four cells, in exact arithmetic until the square root."""
    table = [[o, r - o], [c - o, n - r - c + o]]
    rows = [sum(row) for row in table]
    cols = [table[0][j] + table[1][j] for j in range(2)]
    expected = Fraction(rows[0] * cols[0], n)
    variance = expected * (1 - Fraction(rows[0], n)) * (1 - Fraction(cols[0], n))
    return float((o - expected) / Fraction(math.sqrt(variance)))


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


@pytest.mark.parametrize("seed", range(5))
def test_pairs_agree_with_scipy_and_exact_residuals(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(40, 400))
    a_items = random_incidence(rng, n, int(rng.integers(2, 12)), 0.6)
    b_items = random_incidence(rng, n, int(rng.integers(2, 9)), 0.7)
    together = sparse.csr_array(a_items.T.astype(np.int64) @ b_items.astype(np.int64))
    result = association_tests(together, a_items.sum(axis=0), b_items.sum(axis=0), n)
    assert result.tests == together.count_nonzero()
    for k in range(len(result)):
        i, j = int(result.rows[k]), int(result.cols[k])
        o = int(np.sum(a_items[:, i] & b_items[:, j]))
        r, c = int(a_items[:, i].sum()), int(b_items[:, j].sum())
        assert result.observed[k] == o
        table = np.array([[o, r - o], [c - o, n - r - c + o]])
        if min(r, c, n - r, n - c) == 0:
            # scipy refuses tables with a zero margin; ours reports no evidence.
            assert result.chi2[k] == 0 and result.p_value[k] == 1
            continue
        chi2, p, _, expected = chi2_contingency(table, correction=False)
        assert close(result.chi2[k], chi2)
        assert close(result.p_value[k], p)
        assert close(result.expected[k], expected[0, 0])
        assert close(result.adjusted_residual[k], exact_residual(o, r, c, n))
        assert close(result.p_adjusted[k], min(1.0, p * result.tests))


def test_chi2_is_the_squared_residual_and_sign_follows_the_excess() -> None:
    stats = two_by_two([30, 2], [40, 40], [50, 50], 200)
    assert stats.adjusted_residual[0] > 0 > stats.adjusted_residual[1]
    np.testing.assert_allclose(stats.chi2, stats.adjusted_residual**2, rtol=1e-12)


def test_paper_scale_counts_keep_their_precision() -> None:
    # Margins the size of the study's: products reach 1e20, far inside float64's range.
    n, r, c, o = 308_210, 72_000, 2_500, 1_200
    table = np.array([[o, r - o], [c - o, n - r - c + o]])
    chi2, _, _, _ = chi2_contingency(table, correction=False)
    stats = two_by_two(o, r, c, n)
    assert close(float(stats.chi2), chi2)
    assert close(float(stats.adjusted_residual), exact_residual(o, r, c, n))


@pytest.mark.parametrize(
    ("r", "c", "n"),
    [(0, 5, 10), (5, 0, 10), (10, 5, 10), (5, 10, 10), (0, 0, 0)],
    ids=["empty-row", "empty-column", "full-row", "full-column", "no-conversations"],
)
def test_degenerate_tables_have_no_evidence(r: int, c: int, n: int) -> None:
    o = min(r, c) if r == n or c == n else 0
    stats = two_by_two(o, r, c, n)
    assert float(stats.chi2) == 0.0
    assert float(stats.adjusted_residual) == 0.0
    assert float(stats.p_value) == 1.0
    assert np.isfinite(stats.expected).all()


def test_zero_rows_and_columns_in_the_sparse_matrix_are_ignored() -> None:
    together = sparse.csr_array(np.array([[0, 0, 0], [0, 4, 0], [0, 0, 0], [3, 0, 2]]))
    result = association_tests(together, [0, 6, 0, 9], [5, 7, 0], 20)
    assert result.tests == 3
    assert sorted(zip(result.rows.tolist(), result.cols.tolist(), strict=True)) == [
        (1, 1),
        (3, 0),
        (3, 2),
    ]


def test_min_count_limits_the_tests_and_the_bonferroni_family() -> None:
    together = sparse.csr_array(np.array([[1, 8], [5, 0]]))
    result = association_tests(together, [9, 5], [6, 8], 30, min_count=5)
    assert result.tests == 2
    assert set(result.observed.tolist()) == {8, 5}
    np.testing.assert_allclose(result.p_adjusted, np.minimum(1, result.p_value * 2))


def test_empty_matrix() -> None:
    result = association_tests(sparse.csr_array((3, 2), dtype=np.int64), [0, 0, 0], [0, 0], 0)
    assert len(result) == 0 and result.tests == 0


def test_bonferroni_caps_at_one() -> None:
    np.testing.assert_allclose(bonferroni([0.01, 0.2, 1e-300], 10), [0.1, 1.0, 1e-299])


def test_coefficient_of_variation_matches_numpy() -> None:
    rng = np.random.default_rng(3)
    counts = rng.poisson(0.8, size=(20, 15)) * (rng.random((20, 15)) < 0.4)
    counts[4] = 0  # a row absent everywhere
    totals = rng.integers(20, 60, size=15)
    cv = coefficient_of_variation(sparse.csr_array(counts), totals)
    frequency = counts / totals[np.newaxis, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = frequency.std(axis=1) / frequency.mean(axis=1)
    np.testing.assert_allclose(cv, expected, rtol=1e-12, equal_nan=True)
    assert np.isnan(cv[4])


def test_coefficient_of_variation_of_a_constant_share_is_zero() -> None:
    cv = coefficient_of_variation(sparse.csr_array(np.array([[2, 4, 8]])), [10, 20, 40])
    assert cv[0] == pytest.approx(0.0, abs=1e-15)


def test_coefficient_of_variation_refuses_empty_contexts() -> None:
    with pytest.raises(ValueError):
        coefficient_of_variation(sparse.csr_array(np.ones((2, 2))), [3, 0])
