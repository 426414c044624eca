"""Shared by the curation tests: random discrete laws and H^K by exact enumeration."""

import itertools
import math

import torch


def _random_law(g, m, spread=4.0):
    p = torch._standard_gamma(torch.full((m,), 0.5), generator=g)
    return p / p.sum(), -spread * torch.rand(m, generator=g)


def _enumerated_factor(p, r, k):
    """H^K(x) = sum over the (K-1)-tuples of other candidates of prob * K a_x / sum a."""
    a = r.exp().tolist()
    out = []
    for x in range(len(a)):
        total = 0.0
        for rest in itertools.product(range(len(a)), repeat=k - 1):
            total += math.prod(float(p[i]) for i in rest) * k * a[x] / (a[x] + sum(
                a[i] for i in rest))
        out.append(total)
    return torch.tensor(out)
