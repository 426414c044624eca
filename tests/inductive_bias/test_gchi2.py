"""The generalized chi-square law: cumulants, Laplace transform and sampling.

The one-component law is compared with SciPy's ``ncx2`` (exact to rounding); several
components are compared with their own samples at 5 standard errors.
"""

from __future__ import annotations

import math

import pytest
import torch
from scipy import stats

import learntheory as lt
from learntheory._core.testing import assert_close_mc

ib = lt.inductive_bias


def _law():
    return ib.GeneralizedChi2(torch.tensor([0.5, 0.1, 0.02]), torch.tensor([1.0, 3.0, 10.0]),
                              torch.tensor([2.0, 0.0, 7.5]), offset=0.3)


@pytest.mark.parametrize("df,nc,scale", [(1.0, 0.0, 1.0), (7.5, 3.0, 0.2), (200.0, 80.0, 1e-3)])
def test_one_component_is_scipys_ncx2(df, nc, scale):
    law = ib.scaled_ncx2(df, nc, scale)
    mean, var, skew = stats.ncx2.stats(df, nc, scale=scale, moments="mvs")
    assert law.mean == pytest.approx(float(mean), rel=1e-12)
    assert law.var == pytest.approx(float(var), rel=1e-12)
    assert law.cumulant(3) / law.var**1.5 == pytest.approx(float(skew), rel=1e-10)


def test_cumulants_and_laplace_transform_match_samples(gen):
    law = _law()
    S = 200_000
    e = law.sample(S, generator=gen, chunk_size=50_000)
    assert float(e.min()) >= law.floor
    assert_close_mc(e.mean(), torch.tensor(law.mean), e.std(), S)
    d2 = (e - e.mean()) ** 2
    assert_close_mc(d2.mean(), torch.tensor(law.var), d2.std(), S)
    for s in (0.3, 2.0, -0.5):  # -0.5 > -1/(2 max w) = -1: E e^{+0.5 X} is finite
        v = torch.exp(-s * (e - law.offset))
        got = torch.log(v.mean())
        want = law.log_mgf_neg(torch.tensor(s))
        # delta method: sd(log mean) = sd(v) / mean(v)
        assert_close_mc(got, want, v.std() / v.mean(), S)


def test_bad_parameters_name_the_field():
    one = torch.ones(2)
    with pytest.raises(ValueError, match="'weights'"):
        ib.GeneralizedChi2(torch.tensor([1.0, -1.0]), one, one)
    with pytest.raises(ValueError, match="'noncentralities'"):
        ib.GeneralizedChi2(one, one, torch.tensor([0.0, math.nan]))
    with pytest.raises(ValueError, match="one length"):
        ib.GeneralizedChi2(one, torch.ones(3), one)
    with pytest.raises(ValueError, match="'offset'"):
        ib.GeneralizedChi2(one, one, one, offset=-1.0)
    with pytest.raises(ValueError, match="integer 'dofs'"):
        ib.scaled_ncx2(2.5, 1.0, 1.0).sample(10)
    with pytest.raises(ValueError, match="'scale'"):
        ib.scaled_ncx2(2.0, 1.0, 0.0)
