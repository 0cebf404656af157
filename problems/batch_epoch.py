"""Mini-batches and epochs: how many parameter updates a training run makes."""

from dataclasses import replace

from tutor.answers import Integer, Misconception
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    boolean,
    has_distinct_misconceptions,
    integer,
    known_parameters,
    text,
)
from tutor.solutions.optimizers import last_batch_size, total_updates, updates_per_epoch

ID = "batch-epoch"
TOPIC = "training"
TITLE = text("Batches, epochs and updates", "批量（batch）、回合（epoch）与更新次数")
PARAMETERS = {
    "n_samples": text("number of training samples N", "训练样本数 N"),
    "batch_size": text("samples per mini-batch B", "每个批量（batch）的样本数 B"),
    "epochs": text("number of epochs E", "回合（epoch）数 E"),
    "drop_last": text(
        "whether an incomplete last batch is dropped (true) or used (false)",
        "不满 B 个样本的最后一个批量是否丢弃（true 丢弃，false 照常使用）",
    ),
}

# Data-set sizes students meet: MNIST, CIFAR-10, and its test set.
_CLASSIC_SIZES = (60000, 50000, 10000)


def _pick(rng, options):
    """One of ``options`` as a plain Python value."""
    return options[int(rng.integers(len(options)))]


def generate(rng, difficulty=2):
    # The structure first (does B divide N? is the last batch dropped?), then
    # N drawn backwards as k·B + r with the chosen remainder.
    if difficulty <= 1:
        divisible, drop_last = bool(rng.random() < 0.3), False
    elif difficulty == 2:
        divisible, drop_last = bool(rng.random() < 0.25), bool(rng.random() < 0.3)
    else:
        divisible, drop_last = bool(rng.random() < 0.2), bool(rng.random() < 0.4)
    while True:
        params = _draw(rng, difficulty, divisible, drop_last)
        if has_distinct_misconceptions(solve(params)):
            return params


def _draw(rng, difficulty, divisible, drop_last):
    if difficulty <= 1:
        b = _pick(rng, [4, 5, 8, 10, 16, 20, 25, 32])
        k = int(rng.integers(2, 9))
        epochs = int(rng.integers(2, 6))
    elif difficulty == 2:
        b = _pick(rng, [16, 20, 32, 50, 64, 100, 128])
        k = int(rng.integers(5, 60))
        epochs = _pick(rng, [3, 4, 5, 6, 8, 10, 12, 15, 20])
    else:
        b = _pick(rng, [32, 64, 100, 128, 200, 256, 500])
        k = int(rng.integers(20, 400))
        epochs = _pick(rng, [5, 10, 20, 30, 50, 90, 100])
    n = k * b
    if difficulty >= 3 and rng.random() < 0.4:
        n = _pick(rng, list(_CLASSIC_SIZES))
    elif not divisible:
        n += int(rng.integers(1, b))
    return {"n_samples": n, "batch_size": b, "epochs": epochs, "drop_last": drop_last}


def _setting(params):
    known_parameters(params, PARAMETERS)
    n = integer(params, "n_samples", 1, 10**9)
    b = integer(params, "batch_size", 1, 10**9)
    epochs = integer(params, "epochs", 1, 10**6)
    drop_last = boolean(params, "drop_last") if params.get("drop_last") is not None else False
    return n, b, epochs, drop_last


def _last_words(drop_last):
    if drop_last:
        return (
            "a last batch with fewer than $B$ samples is dropped (not used for an update)",
            "不足 $B$ 个样本的最后一个批量被丢弃（不用于更新）",
        )
    return (
        "the last batch takes the samples that are left, even if fewer than $B$",
        "最后一个批量取剩下的样本，即使不足 $B$ 个也照常使用",
    )


def statement(params):
    n, b, epochs, drop_last = (params[k] for k in PARAMETERS)
    last_en, last_zh = _last_words(drop_last)
    return text(
        f"A training set has $N = {n}$ samples. In every epoch the samples are shuffled and "
        f"split into mini-batches of $B = {b}$ samples, and the parameters are updated once "
        f"per mini-batch; {last_en}. Training runs for $E = {epochs}$ epochs. "
        "(a) How many updates are made in one epoch? (b) How many updates in the whole run? "
        "(c) How many samples are in the last batch of an epoch that is used for an update?",
        f"训练集共有 $N = {n}$ 个样本。每个回合（epoch）先打乱样本，再分成每批 $B = {b}$ 个样本的"
        f"批量（batch），每个批量更新一次参数；{last_zh}。共训练 $E = {epochs}$ 个回合。"
        "(a) 一个回合中更新多少次？(b) 整个训练共更新多少次？"
        "(c) 一个回合中用于更新的最后一个批量有多少个样本？",
    )


def _with_mistakes(answer, candidates):
    """The answer with the candidate mistakes that give a wrong value here.
    Two values count as the same when either is within the other's slack (an
    unrounded N/B is matched within half a percent, which can swallow the
    neighbouring whole numbers); when two slips give the same number, one
    entry names both."""
    kept = []

    def same(a, b):
        return answer.close(a, b) or answer.close(b, a)

    for tag, value, en, zh in candidates:
        if same(value, answer.value):
            continue
        for i, earlier in enumerate(kept):
            if same(value, earlier.value_or_expr):
                kept[i] = Misconception(
                    earlier.tag,
                    earlier.value_or_expr,
                    f"{earlier.feedback_en} (Another slip gives the same number: {en})",
                    f"{earlier.feedback_zh}（另一种错误也会得到同样的数：{zh}）",
                )
                break
        else:
            kept.append(Misconception(tag, value, en, zh))
    return replace(answer, misconceptions=tuple(kept))


def _quotient(n, b):
    """N/B for the worked steps: exact when it is a short decimal, else to four
    significant digits with an approximately-equal sign in front."""
    quotient = n / b
    shown = f"{quotient:.6g}"
    if float(shown) == quotient:
        return shown, "="
    return f"{quotient:.4g}", r"\approx"


def _per_epoch_mistakes(n, b, epochs, drop_last):
    """Candidates for updates_per_epoch and total_updates, in that order."""
    full, remainder = divmod(n, b)
    ceil = -(-n // b)
    shown, _ = _quotient(n, b)
    if drop_last:
        tag, wrong, total_wrong = "ceil-instead-of-floor", ceil, epochs * ceil
        rounding_en = (
            f"The incomplete last batch of {remainder} samples is dropped and makes no update: "
            f"round N/B down, ⌊{shown}⌋ = {full}."
        )
        rounding_zh = (
            f"最后那个只有 {remainder} 个样本的不完整批量被丢弃，不产生更新："
            f"N/B 应向下取整，⌊{shown}⌋ = {full}。"
        )
        stream = n * epochs // b
        brackets, direction_en, direction_zh = ("⌊", "⌋"), "down", "向下"
    else:
        tag, wrong, total_wrong = "floor-instead-of-ceil", full, epochs * full
        rounding_en = (
            f"The last, partial batch of {remainder} samples is still a batch and makes an "
            f"update: round N/B up, ⌈{shown}⌉ = {ceil}."
        )
        rounding_zh = (
            f"最后那个只有 {remainder} 个样本的不完整批量也是一个批量，同样更新一次："
            f"N/B 应向上取整，⌈{shown}⌉ = {ceil}。"
        )
        stream = -(-n * epochs // b)
        brackets, direction_en, direction_zh = ("⌈", "⌉"), "up", "向上"
    per_epoch = [
        (tag, wrong, rounding_en, rounding_zh),
        (
            "one-update-per-sample",
            n,
            f"The parameters are updated once per mini-batch, not once per sample: the {n} "
            f"samples form N/B = {shown} batches, rounded {direction_en}.",
            f"参数每个批量更新一次，而不是每个样本一次：{n} 个样本组成 N/B = {shown} 个批量，"
            f"再{direction_zh}取整。",
        ),
        (
            "no-rounding",
            n / b,
            f"A number of updates is a whole number: round N/B = {shown} {direction_en}.",
            f"更新次数必须是整数：N/B = {shown} 应{direction_zh}取整。",
        ),
    ]
    total = [
        (tag, total_wrong, f"In each epoch: {rounding_en}", f"每个回合中：{rounding_zh}"),
        (
            "rounded-once",
            stream,
            "Each epoch splits the data into batches afresh, so the rounding happens in every "
            f"epoch: E·{brackets[0]}N/B{brackets[1]}, not one rounding of E·N/B over the whole "
            "run.",
            f"每个回合都重新分批，因此每个回合都要取整：E·{brackets[0]}N/B{brackets[1]}，"
            "而不是对整个训练的 E·N/B 只取一次整。",
        ),
        (
            "forgot-epochs",
            None,  # filled in by solve: the right count of one epoch
            f"That is one epoch; the run has E = {epochs} epochs: multiply by E.",
            f"这只是一个回合的更新次数；共有 E = {epochs} 个回合，应乘以 E。",
        ),
        (
            "epochs-as-updates",
            epochs,
            "An epoch is one pass over the data, made of many updates (one per batch), not a "
            "single update.",
            "一个回合是把数据完整过一遍，其中包含许多次更新（每个批量一次），而不是一次更新。",
        ),
        (
            "no-rounding",
            epochs * n / b,
            f"E·N/B = {epochs} × {shown} is not a count of updates: round the batches of an "
            "epoch first, then multiply by E.",
            f"E·N/B = {epochs} × {shown} 不是更新次数：先对一个回合的批量数取整，再乘以 E。",
        ),
    ]
    return per_epoch, total


def _last_mistakes(n, b, drop_last):
    full, remainder = divmod(n, b)
    if remainder == 0:
        return [
            (
                "remainder-zero",
                0,
                f"B divides N here, so nothing is left over: every batch, the last included, "
                f"holds B = {b} samples (N mod B = 0 does not make an empty batch).",
                f"这里 N 能被 B 整除，没有剩余：包括最后一个在内的每个批量都有 B = {b} 个样本"
                "（N mod B = 0 并不意味着有一个空批量）。",
            )
        ]
    if drop_last:
        return [
            (
                "dropped-remainder",
                remainder,
                f"The {remainder} samples left over are dropped; the last batch that is used is "
                f"a full one, with B = {b} samples.",
                f"剩下的 {remainder} 个样本被丢弃了；真正用于更新的最后一个批量是满的，"
                f"有 B = {b} 个样本。",
            )
        ]
    return [
        (
            "full-last-batch",
            b,
            f"{full} full batches use {full * b} samples; the last batch only gets the "
            f"{remainder} left over: N − {full}·B.",
            f"{full} 个满批量用掉 {full * b} 个样本；最后一个批量只有剩下的 {remainder} 个："
            f"N − {full}·B。",
        )
    ]


def solve(params):
    n, b, epochs, drop_last = _setting(params)
    if drop_last and n < b:
        raise ParameterError(
            "batch_size", f"B = {b} > N = {n} with drop_last: no batch is ever used"
        )
    try:
        per_epoch = updates_per_epoch(n, b, drop_last)
        total = total_updates(n, b, epochs, drop_last)
        last = last_batch_size(n, b, drop_last)
    except ValueError as error:
        raise ParameterError("n_samples", str(error)) from None
    full, remainder = divmod(n, b)

    per_epoch_candidates, total_candidates = _per_epoch_mistakes(n, b, epochs, drop_last)
    total_candidates = [
        (tag, per_epoch if value is None else value, en, zh)
        for tag, value, en, zh in total_candidates
    ]
    parts = (
        Part(
            "updates_per_epoch",
            text("updates per epoch", "每个回合的更新次数"),
            _with_mistakes(Integer(per_epoch), per_epoch_candidates),
        ),
        Part(
            "total_updates",
            text("total updates in $E$ epochs", "$E$ 个回合的总更新次数"),
            _with_mistakes(Integer(total), total_candidates),
        ),
        Part(
            "last_batch_size",
            text("size of the last batch used", "用于更新的最后一个批量的大小"),
            _with_mistakes(Integer(last), _last_mistakes(n, b, drop_last)),
        ),
    )

    shown, relation = _quotient(n, b)
    if remainder == 0:
        left, right = "", ""
        words = text(
            f"B divides N: exactly {full} full batches, nothing to round:",
            f"N 能被 B 整除：正好 {full} 个满批量，无需取整：",
        )
    elif drop_last:
        left, right = r"\left\lfloor", r"\right\rfloor"
        words = text(
            "The incomplete last batch is dropped, so round down:",
            "不完整的最后一个批量被丢弃，因此向下取整：",
        )
    else:
        left, right = r"\left\lceil", r"\right\rceil"
        words = text(
            "The last batch counts even when it is not full, so round up:",
            "最后一个批量即使不满也要算上，因此向上取整：",
        )
    steps = [
        Step(
            words,
            rf"{left} \frac{{N}}{{B}} {right} = {left} \frac{{{n}}}{{{b}}} {right} = {per_epoch}"
            if remainder == 0
            else rf"{left} \frac{{N}}{{B}} {right} = {left} \frac{{{n}}}{{{b}}} {right} "
            rf"{relation} {left} {shown} {right} = {per_epoch}",
        ),
        Step(
            text(
                "Every epoch is split into batches afresh, so multiply by the number of epochs:",
                "每个回合都重新分批，因此乘以回合数：",
            ),
            rf"E \times {per_epoch} = {epochs} \times {per_epoch} = {total}",
        ),
    ]
    if remainder == 0:
        steps.append(
            Step(
                text(
                    "Nothing is left over, so the last batch is full too:",
                    "没有剩余样本，因此最后一个批量也是满的：",
                ),
                rf"{n} = {full} \times {b} \;\Rightarrow\; B = {last}",
            )
        )
    elif drop_last:
        steps.append(
            Step(
                text(
                    f"{full} full batches use {full * b} samples; the {remainder} left over are "
                    "dropped, so the last batch used is a full one:",
                    f"{full} 个满批量用掉 {full * b} 个样本；剩下的 {remainder} 个被丢弃，"
                    "所以最后一个被使用的批量是满的：",
                ),
                rf"{n} - {full} \times {b} = {remainder} < B \;\Rightarrow\; B = {last}",
            )
        )
    else:
        steps.append(
            Step(
                text(
                    f"The first {full} batches are full; the last one gets what is left:",
                    f"前 {full} 个批量是满的；最后一个批量得到剩下的样本：",
                ),
                rf"N - \left({per_epoch} - 1\right) B = {n} - {full} "
                rf"\times {b} = {last}",
            )
        )
    return Solution(parts, tuple(steps))
