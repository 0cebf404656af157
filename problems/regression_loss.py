"""MAE and MSE of a few predictions, and their gradients with respect to the
predictions (what backpropagation starts from)."""

import numpy as np

from tutor import tex
from tutor.answers import Misconception, Number, Vector
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    has_distinct_misconceptions,
    known_parameters,
    text,
    vector,
)
from tutor.solutions.linear import (
    mae,
    mae_prediction_gradient,
    mse,
    mse_prediction_gradient,
)

ID = "regression-loss"
TOPIC = "regression"
TITLE = text(
    "MAE, MSE and their gradients with respect to the predictions",
    "MAE、MSE 及其对预测值的梯度",
)
PARAMETERS = {
    "y": text("the labels y_n, a list of 1 to 12 numbers", "标签 y_n，1 到 12 个数的列表"),
    "y_hat": text(
        "the predictions ŷ_n, a list as long as y",
        "预测值 ŷ_n，与 y 等长的列表",
    ),
}

TOLERANCE = {"rtol": 1e-2, "atol": 3e-3}
DIGITS = 6  # inputs and errors are short decimals: show them exactly


def _n(x):
    return tex.num(x, DIGITS)


def generate(rng, difficulty=2):
    while True:
        params = _draw(rng, difficulty)
        errors = np.subtract(params["y_hat"], params["y"])
        # Errors of both signs: otherwise the mean of the signed errors is
        # ±MAE and that mistake cannot be told from the right answer.
        if not (np.any(errors > 0) and np.any(errors < 0)):
            continue
        if has_distinct_misconceptions(solve(params)):
            return params


def _draw(rng, difficulty):
    if difficulty <= 1:
        n = int(rng.integers(3, 5))
        y = rng.integers(0, 10, size=n).astype(float)
        errors = rng.integers(1, 4, size=n) * rng.choice([-1, 1], size=n)
        zeros = 0
    elif difficulty == 2:
        n = int(rng.integers(4, 6))
        y = rng.integers(0, 100, size=n) / 10
        errors = rng.integers(1, 21, size=n) * rng.choice([-1, 1], size=n) / 10
        zeros = int(rng.random() < 0.3)
    else:
        n = int(rng.integers(5, 7))
        y = rng.integers(-50, 100, size=n) / 10
        errors = rng.integers(1, 21, size=n) * rng.choice([-1, 1], size=n) / 10
        # One outlier: the squared error makes it dominate the MSE, not the MAE.
        errors[0] = rng.integers(30, 61) * rng.choice([-1, 1]) / 10
        zeros = int(rng.random() < 0.5)
    errors = errors.astype(float)
    if zeros:
        errors[-1] = 0.0
    order = rng.permutation(n)
    y, errors = y[order], errors[order]
    y_hat = np.round(y + errors, 1)
    return {"y": y.tolist(), "y_hat": y_hat.tolist()}


def _data(params):
    known_parameters(params, PARAMETERS)
    y = vector(params, "y", max_size=12)
    y_hat = vector(params, "y_hat", max_size=12)
    if y_hat.size != y.size:
        raise ParameterError("y_hat", f"expected {y.size} predictions (one per label)")
    return y, y_hat


def statement(params):
    y, y_hat = (np.asarray(params[k], dtype=float) for k in ("y", "y_hat"))
    n = len(y)
    header = " & ".join(str(i + 1) for i in range(n))
    table = (
        rf"$$\begin{{array}}{{c|{'c' * n}}} n & {header} \\ \hline "
        rf"y_n & {' & '.join(_n(v) for v in y)} \\ "
        rf"\hat{{y}}_n & {' & '.join(_n(v) for v in y_hat)} \end{{array}}$$"
    )
    return text(
        f"A regression model makes {n} predictions $\\hat{{y}}_n$ for samples with labels "
        f"$y_n$:\n{table}\nCompute the mean absolute error "
        r"$\text{MAE} = \frac{1}{N}\sum_n |\hat{y}_n - y_n|$, the mean squared error "
        r"$\text{MSE} = \frac{1}{N}\sum_n (\hat{y}_n - y_n)^2$, and the gradients of both "
        r"with respect to the predictions: the vectors of $\partial \text{MSE} / \partial "
        r"\hat{y}_n$ and $\partial \text{MAE} / \partial \hat{y}_n$ for $n = 1, \dots, N$ "
        r"(where $\hat{y}_n = y_n$, take the subgradient 0 of $|\hat{y}_n - y_n|$).",
        f"一个回归模型对标签为 $y_n$ 的 {n} 个样本给出预测值 $\\hat{{y}}_n$：\n{table}\n"
        r"求平均绝对误差 $\text{MAE} = \frac{1}{N}\sum_n |\hat{y}_n - y_n|$、均方误差 "
        r"$\text{MSE} = \frac{1}{N}\sum_n (\hat{y}_n - y_n)^2$，以及两者对各预测值的梯度，"
        r"即 $n = 1, \dots, N$ 时 $\partial \text{MSE} / \partial \hat{y}_n$ 与 "
        r"$\partial \text{MAE} / \partial \hat{y}_n$ 组成的向量（当 $\hat{y}_n = y_n$ 时，"
        r"$|\hat{y}_n - y_n|$ 取次梯度 0）。",
    )


def solve(params):
    y, y_hat = _data(params)
    n = y.size
    e = y_hat - y
    mae_value = mae(y, y_hat)
    mse_value = mse(y, y_hat)
    mse_grad = mse_prediction_gradient(y, y_hat)
    mae_grad = mae_prediction_gradient(y, y_hat)
    signed_mean = float(np.mean(e))
    exact = e == 0

    mae_gradient_mistakes = [
        Misconception(
            "no-divide-by-n",
            mae_grad * n,
            f"You left out the 1/N: each error enters the mean with weight 1/N = 1/{n}, "
            "so its derivative is sign(ŷₙ − yₙ)/N.",
            f"你漏掉了 1/N：每个误差在平均中的权重是 1/N = 1/{n}，所以导数是 sign(ŷₙ − yₙ)/N。",
        ),
        Misconception(
            "sign-flipped",
            -mae_grad,
            "The sign is flipped: you differentiated with respect to y (or used y − ŷ); "
            "increasing a prediction that is too high increases the error, so the "
            "derivative is +1/N there.",
            "符号反了：你对 y 求了导（或用了 y − ŷ）；预测值偏大时再增大它会增大误差，"
            "所以那里的导数是 +1/N。",
        ),
    ]
    if np.any(exact):
        mae_gradient_mistakes.append(
            Misconception(
                "sign-of-zero",
                np.where(exact, 1.0 / n, mae_grad),
                "Right except where ŷₙ = yₙ: |e| has a kink at 0, and the convention here "
                "takes the subgradient 0 there, not +1/N.",
                "除 ŷₙ = yₙ 处外都对：|e| 在 0 处不可导，这里约定取次梯度 0，而不是 +1/N。",
                score=0.5,
            )
        )

    parts = (
        Part(
            "mae",
            text("MAE", "MAE"),
            Number(
                mae_value,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "no-divide-by-n",
                        mae_value * n,
                        f"That is the sum of the absolute errors; the mean divides it by N = {n}.",
                        f"这是绝对误差之和；平均值还要除以 N = {n}。",
                    ),
                    Misconception(
                        "signed-errors",
                        signed_mean,
                        "You averaged the signed errors, so positive and negative errors "
                        "cancelled: take the absolute value |ŷₙ − yₙ| of each first.",
                        "你对带符号的误差求了平均，正负误差相互抵消了：应先对每个误差取绝对值 "
                        "|ŷₙ − yₙ|。",
                    ),
                    Misconception(
                        "signed-errors",
                        -signed_mean,
                        "You averaged the signed errors yₙ − ŷₙ, so positive and negative errors "
                        "cancelled: take the absolute value of each first.",
                        "你对带符号的误差 yₙ − ŷₙ 求了平均，正负误差相互抵消了：应先对每个误差"
                        "取绝对值。",
                    ),
                ),
            ),
        ),
        Part(
            "mse",
            text("MSE", "MSE"),
            Number(
                mse_value,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "no-divide-by-n",
                        mse_value * n,
                        f"That is the sum of the squared errors; the mean divides it by N = {n}.",
                        f"这是平方误差之和；平均值还要除以 N = {n}。",
                    ),
                    Misconception(
                        "rmse",
                        float(np.sqrt(mse_value)),
                        "That is the RMSE, the square root of the MSE: the MSE itself takes no "
                        "root.",
                        "这是 RMSE（MSE 的平方根）：MSE 本身不开根号。",
                    ),
                    Misconception(
                        "half-mse",
                        mse_value / 2,
                        "You divided by 2N: the ½ of the form ½·(1/N)Σ(…)² is a convenience for "
                        "derivations; the MSE asked for here is the plain mean (1/N)Σ(ŷₙ − yₙ)².",
                        "你除以了 2N：½·(1/N)Σ(…)² 中的 ½ 只是为了求导方便；这里的 MSE 是普通的"
                        "平均值 (1/N)Σ(ŷₙ − yₙ)²。",
                    ),
                    Misconception(
                        "missing-square",
                        mae_value,
                        "That is the MAE: square each error instead of taking its absolute value.",
                        "这是 MAE：应对每个误差求平方，而不是取绝对值。",
                    ),
                ),
            ),
        ),
        Part(
            "mse_gradient",
            text(
                r"$\partial \text{MSE} / \partial \hat{y}_n$, $n = 1, \dots, N$",
                r"$\partial \text{MSE} / \partial \hat{y}_n$，$n = 1, \dots, N$",
            ),
            Vector(
                mse_grad,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "no-divide-by-n",
                        mse_grad * n,
                        f"You left out the 1/N: the derivative of (1/N)Σ(ŷₙ − yₙ)² with respect "
                        f"to ŷₙ is 2(ŷₙ − yₙ)/N, with N = {n}.",
                        f"你漏掉了 1/N：(1/N)Σ(ŷₙ − yₙ)² 对 ŷₙ 的导数是 2(ŷₙ − yₙ)/N，N = {n}。",
                    ),
                    Misconception(
                        "missing-factor-2",
                        mse_grad / 2,
                        "The square brings down a factor 2: the derivative of (ŷₙ − yₙ)² is "
                        "2(ŷₙ − yₙ).",
                        "平方求导会带出因子 2：(ŷₙ − yₙ)² 的导数是 2(ŷₙ − yₙ)。",
                    ),
                    Misconception(
                        "sign-flipped",
                        -mse_grad,
                        "The sign is flipped: you used yₙ − ŷₙ, the derivative with respect to "
                        "the label. With respect to ŷₙ it is 2(ŷₙ − yₙ)/N (by the chain rule, "
                        "the inner derivative of yₙ − ŷₙ is −1).",
                        "符号反了：你用了 yₙ − ŷₙ，那是对标签的导数。对 ŷₙ 的导数是 2(ŷₙ − yₙ)/N"
                        "（链式法则：yₙ − ŷₙ 的内层导数是 −1）。",
                    ),
                ),
            ),
        ),
        Part(
            "mae_gradient",
            text(
                r"$\partial \text{MAE} / \partial \hat{y}_n$, $n = 1, \dots, N$",
                r"$\partial \text{MAE} / \partial \hat{y}_n$，$n = 1, \dots, N$",
            ),
            Vector(mae_grad, **TOLERANCE, misconceptions=tuple(mae_gradient_mistakes)),
        ),
    )

    squares = " + ".join(rf"{tex.paren(v, DIGITS)}^2" for v in e)
    absolutes = " + ".join(rf"|{_n(v)}|" for v in e)
    doubled = r" & ".join(rf"\frac{{2 \cdot {tex.paren(v, DIGITS)}}}{{{n}}}" for v in e)
    signs = r" & ".join(rf"\frac{{{_n(np.sign(v))}}}{{{n}}}" for v in e)
    steps = [
        Step(
            text(
                "The error of each prediction, $e_n = \\hat{y}_n - y_n$:",
                "每个预测的误差 $e_n = \\hat{y}_n - y_n$：",
            ),
            rf"e = {tex.row(e, DIGITS)}",
        ),
        Step(
            text(
                "The MAE averages the absolute errors:",
                "MAE 是绝对误差的平均值：",
            ),
            rf"\text{{MAE}} = \frac{{1}}{{N}}\sum_{{n=1}}^{{N}} |e_n| = \frac{{1}}{{{n}}}"
            rf"\left({absolutes}\right) = \frac{{{_n(mae_value * n)}}}{{{n}}} = "
            rf"{tex.num(mae_value)}",
        ),
        Step(
            text(
                "The MSE averages the squared errors:",
                "MSE 是平方误差的平均值：",
            ),
            rf"\text{{MSE}} = \frac{{1}}{{N}}\sum_{{n=1}}^{{N}} e_n^2 = \frac{{1}}{{{n}}}"
            rf"\left({squares}\right) = \frac{{{_n(mse_value * n)}}}{{{n}}} = "
            rf"{tex.num(mse_value)}",
        ),
        Step(
            text(
                "Only the n-th term of the sum depends on $\\hat{y}_n$; the square brings "
                "down a factor 2:",
                "求和中只有第 n 项含 $\\hat{y}_n$；平方求导带出因子 2：",
            ),
            rf"\frac{{\partial \text{{MSE}}}}{{\partial \hat{{y}}_n}} = "
            rf"\frac{{2(\hat{{y}}_n - y_n)}}{{N}} \;\Rightarrow\; "
            rf"\begin{{bmatrix}}{doubled}\end{{bmatrix}} = {tex.row(mse_grad)}",
        ),
        Step(
            text(
                "The derivative of $|e|$ is $\\text{sign}(e)$, and 0 at $e = 0$ (the "
                "subgradient chosen there):",
                "$|e|$ 的导数是 $\\text{sign}(e)$，在 $e = 0$ 处取次梯度 0：",
            ),
            rf"\frac{{\partial \text{{MAE}}}}{{\partial \hat{{y}}_n}} = "
            rf"\frac{{\text{{sign}}(\hat{{y}}_n - y_n)}}{{N}} \;\Rightarrow\; "
            rf"\begin{{bmatrix}}{signs}\end{{bmatrix}} = {tex.row(mae_grad)}",
        ),
    ]
    return Solution(parts, tuple(steps))
