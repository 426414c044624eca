"""Self-distillation of KRR: the closed form against literal retraining ([Borup2021]).

Every closed-form statement is checked against the procedure itself, run step by step with
:func:`learntheory.kernels.kernel_ridge_fit` (Cholesky), never against the eigenbasis code
it is derived from.

Tolerance (float64 round-off), used throughout as ``_tol``. With :math:`A = K + n\\lambda I`
and :math:`\\kappa = (d_1 + n\\lambda)/(n\\lambda)` its condition number:

* literal path: a Cholesky solve is backward stable, so one in-sample prediction
  :math:`Kc = r - n\\lambda c` is off by at most
  :math:`\\gamma n\\varepsilon\\kappa\\lVert r\\rVert_2`.
  An error in the teacher is passed on through :math:`(1-\\alpha)H` with
  :math:`\\lVert H\\rVert_2 \\le 1`, and the targets never exceed :math:`\\lVert y\\rVert_2`
  (:math:`0 \\le b \\le 1`), so after T steps the errors add up to at most
  :math:`T\\gamma n\\varepsilon\\kappa\\lVert y\\rVert_2`;
* closed form: ``eigh`` moves each :math:`d_j` by at most :math:`n\\varepsilon d_1` and the
  filter :math:`b^{(t)}(d)` has Lipschitz constant at most :math:`t/(n\\lambda)` in d
  (each step multiplies by :math:`a(d)`, whose slope is at most :math:`1/(n\\lambda)`), which
  is again :math:`T n\\varepsilon\\kappa\\lVert y\\rVert_2` at most;
* at test inputs the dual coefficients are multiplied by :math:`k(x)`, with
  :math:`\\lVert k(x)\\rVert_2 \\le \\sqrt n` (Gaussian kernel at most 1), and carry the extra
  factor :math:`1/(n\\lambda)` of :math:`A^{-1}`: the bound gains
  :math:`\\sqrt n/(n\\lambda)`.

We take :math:`\\gamma = 10`. Each test also asserts that the tolerance is below a
millionth of the compared values, so that it cannot pass vacuously.
"""

import pytest
import torch
from distill_common import EPS, RIDGE, H, N, _krr, _tol, make_problem  # noqa: F401

import learntheory as lt


@pytest.fixture
def problem():
    return make_problem()


@pytest.mark.parametrize("alpha", [0.0, 0.25, 0.7, 1.0])
def test_closed_form_diagonal_matches_literal_retraining(problem, alpha):
    """Theorem thm-distillation-closed-form (recursion of [Borup2021]): V diag(b^(t)) V^T y and
    its Nystrom extension to test inputs equal KRR retrained t times, for t = 1..6."""
    data, K, K_test = problem
    y, T = data.y_train, 6
    sd = lt.collapse.SelfDistillation(alpha=alpha, ridge=RIDGE)
    literal = sd.retrain(K, y, steps=T, K_test=K_test)
    closed = sd.predict(K, y, steps=T, K_test=K_test)
    tol, tol_test = _tol(K, y, T), _tol(K, y, T, test=True)
    assert tol < 1e-6 * float(literal.train.abs().max())
    assert tol_test < 1e-6 * float(literal.test.abs().max())
    torch.testing.assert_close(closed.train, literal.train, rtol=0, atol=tol)
    torch.testing.assert_close(closed.test, literal.test, rtol=0, atol=tol_test)
    assert (closed.alpha, closed.ridge, closed.steps) == (alpha, RIDGE, T)


def test_retraining_is_diagonal_in_the_eigenbasis(problem):
    """Retraining on the n columns of the identity gives the hat matrices H^(t); in the
    eigenbasis of K they are diagonal (off-diagonal at round-off) with the closed-form
    b^(t) on the diagonal, for alpha = 0.25 and t = 1..5."""
    _, K, _ = problem
    T, alpha = 5, 0.25
    hats = lt.collapse.self_distill(K, torch.eye(N), alpha=alpha, ridge=RIDGE, steps=T).train
    d, V = lt.kernels.gram_eigh(K)
    in_basis = V.mT @ hats @ V                                    # (T, n, n)
    b = lt.collapse.distillation_diagonal(d, alpha=alpha, ridge=RIDGE, n=N, steps=T)
    # ||I||_2 = 1 per column; n columns of round-off add up in the off-diagonal at most
    tol = _tol(K, torch.ones(1), T) * N
    torch.testing.assert_close(torch.diagonal(in_basis, dim1=1, dim2=2), b, rtol=0, atol=tol)
    off = in_basis - torch.diag_embed(torch.diagonal(in_basis, dim1=1, dim2=2))
    assert float(off.abs().max()) < tol < 1e-6


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
def test_step_one_is_plain_krr(problem, alpha):
    """Convention: B^(0) = I, so b^(1) = a_j = d_j/(d_j + n lambda) and f^(1) is KRR on y."""
    data, K, K_test = problem
    y = data.y_train
    d, _ = lt.kernels.gram_eigh(K)
    b = lt.collapse.distillation_diagonal(d, alpha=alpha, ridge=RIDGE, n=N, steps=1)
    a = d.clamp_min(0) / (d.clamp_min(0) + N * RIDGE)
    torch.testing.assert_close(b[0], a, rtol=4 * EPS, atol=4 * EPS)  # a few roundings
    path = lt.collapse.self_distill_spectral(K, y, alpha=alpha, ridge=RIDGE, steps=1,
                                             K_test=K_test)
    torch.testing.assert_close(path.train[0], _krr(K, y), rtol=0, atol=_tol(K, y, 1))
    torch.testing.assert_close(path.test[0], _krr(K, y, K_out=K_test), rtol=0,
                               atol=_tol(K, y, 1, test=True))


def test_alpha_one_is_plain_krr_at_every_step(problem):
    """alpha = 1: the targets are the labels at every step, so f^(t) = KRR for all t."""
    data, K, K_test = problem
    y, T = data.y_train, 5
    path = lt.collapse.self_distill_spectral(K, y, alpha=1.0, ridge=RIDGE, steps=T,
                                             K_test=K_test)
    krr, krr_test = _krr(K, y), _krr(K, y, K_out=K_test)
    torch.testing.assert_close(path.train, krr.expand(T, -1), rtol=0, atol=_tol(K, y, T))
    torch.testing.assert_close(path.test, krr_test.expand(T, -1), rtol=0,
                               atol=_tol(K, y, T, test=True))


def test_alpha_zero_drives_the_fit_to_zero_at_rate_a_to_the_t(problem):
    """alpha = 0 ([Mobahi2020]): b_j^(t) = a_j^t. Retrained t times, the component of the fit
    along u_j is a_j^t (u_j^T y), so ||y^(t)|| <= a_1^t ||y|| -> 0; and for small alpha > 0
    the diagonal is within 2 t alpha of a^t (|(1-alpha)^t - 1| <= t alpha and the geometric
    sum is at most t alpha a)."""
    data, K, _ = problem
    y, T = data.y_train, 8
    d, V = lt.kernels.gram_eigh(K)
    a = d.clamp_min(0) / (d.clamp_min(0) + N * RIDGE)
    powers = a[None, :] ** torch.arange(1, T + 1)[:, None]
    b = lt.collapse.distillation_diagonal(d, alpha=0.0, ridge=RIDGE, n=N, steps=T)
    torch.testing.assert_close(b, powers, rtol=8 * T * EPS, atol=8 * T * EPS)
    literal = lt.collapse.self_distill(K, y, alpha=0.0, ridge=RIDGE, steps=T)
    torch.testing.assert_close(literal.train @ V, powers * (V.mT @ y), rtol=0,
                               atol=_tol(K, y, T))
    norms = torch.linalg.norm(literal.train, dim=1)
    assert bool((norms[1:] < norms[:-1]).all())
    assert bool((norms <= powers[:, 0] * torch.linalg.norm(y) + _tol(K, y, T)).all())
    far = lt.collapse.self_distill(K, y, alpha=0.0, ridge=RIDGE, steps=2000).train[-1]
    assert float(torch.linalg.norm(far)) <= float(a[0] ** 2000 * torch.linalg.norm(y)) + \
        _tol(K, y, 2000)
    small = 1e-6
    b_small = lt.collapse.distillation_diagonal(d, alpha=small, ridge=RIDGE, n=N, steps=T)
    steps = torch.arange(1, T + 1)[:, None]
    assert bool(((b_small - powers).abs() <= 2 * steps * small + 8 * T * EPS).all())
    assert float((b_small - powers).abs().max()) > 0


@pytest.mark.parametrize("alpha", [0.1, 0.25, 0.6])
def test_steps_converge_geometrically_to_krr_with_ridge_over_alpha(problem, alpha):
    """The limit (book: eq-distillation-limit) is KRR with ridge lambda/alpha, solved by
    Cholesky independently of the eigenbasis: it is a fixed point of one retraining, and
    the literal path approaches it exactly as b^(t) - b^inf = r^t (1 - b^inf) with
    r_j = (1 - alpha) a_j (the linear rate)."""
    data, K, K_test = problem
    y, T = data.y_train, 40
    limit, limit_test = lt.collapse.distillation_limit(K, y, alpha=alpha, ridge=RIDGE,
                                                       K_test=K_test)
    torch.testing.assert_close(limit, _krr(K, y, RIDGE / alpha), rtol=0, atol=0)
    torch.testing.assert_close(limit_test, _krr(K, y, RIDGE / alpha, K_out=K_test), rtol=0,
                               atol=0)
    again = _krr(K, alpha * y + (1 - alpha) * limit)               # one more step
    torch.testing.assert_close(again, limit, rtol=0, atol=2 * _tol(K, y, 1))
    d, V = lt.kernels.gram_eigh(K)
    a = d.clamp_min(0) / (d.clamp_min(0) + N * RIDGE)
    b_inf = alpha * d.clamp_min(0) / (alpha * d.clamp_min(0) + N * RIDGE)
    torch.testing.assert_close(
        lt.collapse.distillation_limit_diagonal(d, alpha=alpha, ridge=RIDGE, n=N), b_inf,
        rtol=4 * EPS, atol=4 * EPS)
    rate = ((1 - alpha) * a)[None, :] ** torch.arange(1, T + 1)[:, None]
    literal = lt.collapse.self_distill(K, y, alpha=alpha, ridge=RIDGE, steps=T).train
    expected = rate * (1 - b_inf) * (V.mT @ y)
    tol = _tol(K, y, T) + _tol(K, y, 1, RIDGE / alpha)
    assert tol < 1e-6 * float(expected[0].abs().max())
    torch.testing.assert_close((literal - limit) @ V, expected, rtol=0, atol=tol)
    b = lt.collapse.distillation_diagonal(d, alpha=alpha, ridge=RIDGE, n=N, steps=T)
    torch.testing.assert_close(b - b_inf, rate * (1 - b_inf), rtol=0, atol=8 * T * EPS)


def test_alpha_zero_limit_is_the_zero_function(problem):
    data, K, K_test = problem
    limit, limit_test = lt.collapse.distillation_limit(K, data.y_train, alpha=0.0,
                                                       ridge=RIDGE, K_test=K_test)
    assert torch.equal(limit, torch.zeros(N)) and torch.equal(limit_test, torch.zeros(200))
    d, _ = lt.kernels.gram_eigh(K)
    assert torch.equal(lt.collapse.distillation_limit_diagonal(d, alpha=0.0, ridge=RIDGE, n=N),
                       torch.zeros(N))


def test_device_and_dtype_follow_the_inputs(device):
    """CPU always, CUDA under the gpu marker: outputs stay on the inputs' device and dtype,
    and the closed form still matches retraining (float64 bound of the module docstring)."""
    x = torch.linspace(0, 1, 20, dtype=torch.float64, device=device)[:, None]
    K = lt.kernels.gaussian(x, bandwidth=0.2)
    y = torch.sin(6 * x[:, 0])
    sd = lt.collapse.SelfDistillation(alpha=0.4, ridge=1e-2)
    closed = sd.predict(K, y, steps=4, K_test=K[:5])
    literal = sd.retrain(K, y, steps=4, K_test=K[:5])
    for out in (closed.train, closed.test, literal.train, literal.test,
                sd.diagonal(torch.linalg.eigvalsh(K), n=20, steps=3), sd.limit(K, y)[0]):
        assert out.device.type == device.type and out.dtype == torch.float64
    torch.testing.assert_close(closed.train.cpu(), literal.train.cpu(), rtol=0,
                               atol=_tol(K.cpu(), y.cpu(), 4, 1e-2))
    assert sd.predict(K.float(), y.float(), steps=2).train.dtype == torch.float32
    a = lt.collapse.optimal_alpha(y, 2 * y, 1.5 * y, clip=False)
    assert a.device.type == device.type and float(a) == pytest.approx(0.5)


@pytest.mark.parametrize("kwargs, exc, name", [
    (dict(alpha=-0.1), ValueError, "alpha"),
    (dict(alpha=1.5), ValueError, "alpha"),
    (dict(alpha="half"), TypeError, "alpha"),
    (dict(ridge=-1.0), ValueError, "ridge"),
    (dict(ridge=0.0), ValueError, "ridge"),
    (dict(steps=0), ValueError, "steps"),
    (dict(K=torch.ones(4, 3)), ValueError, "K"),
    (dict(y=torch.ones(5)), ValueError, "y"),
    (dict(K_test=torch.ones(2, 5)), ValueError, "K_test"),
])
def test_bad_input_names_the_parameter(kwargs, exc, name):
    args = dict(K=torch.eye(4), y=torch.ones(4), alpha=0.5, ridge=1e-2, steps=2,
                K_test=None) | kwargs
    for fn in (lt.collapse.self_distill, lt.collapse.self_distill_spectral):
        with pytest.raises(exc, match=f"'{name}'"):
            fn(args["K"], args["y"], alpha=args["alpha"], ridge=args["ridge"],
               steps=args["steps"], K_test=args["K_test"])


def test_bad_input_of_the_other_entry_points():
    with pytest.raises(ValueError, match="'alpha' parameter of SelfDistillation must be in"):
        lt.collapse.SelfDistillation(alpha=2.0, ridge=1e-3)
    with pytest.raises(ValueError, match="'ridge'"):
        lt.collapse.SelfDistillation(alpha=0.5, ridge=-1e-3)
    with pytest.raises(ValueError, match="'f1'"):
        lt.collapse.optimal_alpha(torch.ones(3), torch.ones(4), torch.ones(3))
    with pytest.raises(ValueError, match="'z'"):
        lt.collapse.optimal_alpha(torch.ones(3), torch.ones(3), torch.ones(2, 3))
    with pytest.raises(ValueError, match="'eigvals'"):
        lt.collapse.distillation_diagonal(torch.ones(2, 2), alpha=0.5, ridge=1.0, n=2, steps=1)
    with pytest.raises(TypeError, match="'data'"):
        lt.collapse.distill_krr_1d(torch.ones(3), alpha=0.5, ridge=1e-3, bandwidth=0.1, steps=2)
    with pytest.raises(ValueError, match="'z_eval'"):
        lt.collapse.optimal_alpha_path(torch.eye(3), torch.ones(3), ridge=1.0, steps=2,
                                       K_eval=torch.ones(2, 3), z_eval=torch.ones(3))


def test_the_explorer_renders_and_redraws(problem):
    data, _, _ = problem
    ex = lt.widgets.explore_self_distillation(data, alphas=[0.0, 0.5], steps=[1, 3],
                                              ridge=RIDGE, bandwidth=H)
    frames = ex.frames()
    assert len(frames) == 4 and len(set(frames.values())) == 4
    box = ex.live()
    before = box.children[-1].value
    box.controls["step"].value = 1 if ex.defaults["step"] != 1 else 3
    assert box.children[-1].value != before
