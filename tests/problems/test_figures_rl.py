"""The figures of the reinforcement-learning types show the variant's own
numbers: the greedy arrows, their values and the episode's path of q-learning
where a Q-learning update written out here with plain loops puts them, and the
values, the greedy actions and the most likely moves of value-iteration where a
Bellman backup written out the same way puts them."""

import math

import numpy as np
import pytest
from matplotlib.colors import to_hex

from tutor import figures
from tutor.sheet import build_variant

CASES = [(seed, difficulty) for seed in range(20) for difficulty in (1, 2, 3)]
DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
DASHED = {"--": "dashed", "-": "solid"}
MOVE = {"left": (0, -1), "right": (0, 1), "up": (-1, 0), "down": (1, 0)}


def drawn(figure):
    """The figure drawn into fresh axes, styled as a page styles it."""
    from matplotlib import pyplot

    figures.svg(figure)
    fig, ax = pyplot.subplots(figsize=figure.size)
    figure.draw(ax)
    return fig, ax


def close(fig):
    from matplotlib import pyplot

    pyplot.close(fig)


def arrows(ax):
    """(start, tip, colour, line style) of every arrow drawn with annotate."""
    return [
        (
            np.array(a.xyann, dtype=float),
            np.array(a.xy, dtype=float),
            to_hex(a.arrow_patch.get_edgecolor()),
            DASHED.get(a.arrow_patch.get_linestyle(), a.arrow_patch.get_linestyle()),
        )
        for a in ax.texts
        if a.get_text() == ""
    ]


def number(label):
    """The number a plain text label shows, or None."""
    try:
        return float(label.replace("−", "-"))
    except ValueError:
        return None


def first_best(row):
    best = max(row)
    return next(j for j, v in enumerate(row) if abs(v - best) < 1e-9)


# --- q-learning ----------------------------------------------------------------------


def episode(params):
    """The final table, the cells visited (0-based, the start first) and the
    moves into the wall as (step, cell, action), by the update equation."""
    rows, cols = params["grid"]
    ends = {params["goal"] - 1: params["goal_reward"]}
    if params.get("trap") is not None:
        ends[params["trap"] - 1] = params["trap_reward"]
    table = [list(map(float, row)) for row in params["Q0"]]
    route, walls = [params["episode"][0][0] - 1], []
    for t, (cell, action) in enumerate(params["episode"]):
        s, a = cell - 1, params["actions"].index(action)
        r, c = divmod(s, cols)
        dr, dc = MOVE[action]
        if 0 <= r + dr < rows and 0 <= c + dc < cols:
            nxt = (r + dr) * cols + c + dc
        else:
            nxt = s
            walls.append((t, s, action))
        reward = ends.get(nxt, params["step_reward"])
        target = reward if nxt in ends else reward + params["gamma"] * max(table[nxt])
        table[s][a] += params["alpha"] * (target - table[s][a])
        route.append(nxt)
    return table, route, walls, ends


def cell_at(params, point):
    cols = params["grid"][1]
    return int(math.floor(point[1])) * cols + int(math.floor(point[0]))


def near_border(params, point, direction):
    """Whether a point lies against the outer wall on the side of ``direction``."""
    rows, cols = params["grid"]
    dr, dc = direction
    x, y = point
    if dc:
        return abs(x - (cols if dc > 0 else 0)) < 0.05
    return abs(y - (rows if dr > 0 else 0)) < 0.05


def check_q_learning(params, figure):
    table, route, walls, ends = episode(params)
    actions = params["actions"]
    rows, cols = params["grid"]
    live = [c for c in range(rows * cols) if c not in ends]
    fig, ax = drawn(figure)
    try:
        greedy, tied = {}, {}
        for start, tip, colour, style in arrows(ax):
            if colour == figures.COLORS[1]:
                continue  # the heads along the episode's line
            cell = cell_at(params, (start + tip) / 2)
            direction = tuple(np.sign(tip - start)[::-1].astype(int))
            if colour == figures.COLORS[0]:
                assert style == "solid" and cell not in greedy, cell
                greedy[cell] = direction
            else:
                assert style == "dashed", style
                tied.setdefault(cell, set()).add(direction)
        assert sorted(greedy) == live
        for cell in live:
            row = table[cell]
            best = first_best(row)
            assert greedy[cell] == MOVE[actions[best]], (cell, row)
            others = {MOVE[actions[j]] for j, v in enumerate(row) if abs(v - max(row)) < 1e-9}
            assert tied.get(cell, set()) == others - {MOVE[actions[best]]}, (cell, row)

        values = {}
        for t in ax.texts:
            value = number(t.get_text())
            if value is not None:
                cell = cell_at(params, t.get_position())
                assert cell not in values, cell
                values[cell] = value
        assert sorted(values) == live
        for cell in live:
            assert values[cell] == pytest.approx(max(table[cell]), rel=1e-3, abs=1e-4)

        symbols = {t.get_text(): cell_at(params, t.get_position()) for t in ax.texts}
        assert symbols["★"] == params["goal"] - 1
        assert symbols.get("☠") == (None if params["trap"] is None else params["trap"] - 1)
        rewards = {
            cell_at(params, t.get_position()): number(t.get_text().removeprefix("r = "))
            for t in ax.texts
            if t.get_text().startswith("r = ")
        }
        assert rewards == pytest.approx(ends)
        hatched = [p for p in ax.patches if p.get_hatch()]
        assert sorted(cell_at(params, np.array(p.get_xy()) + 0.5) for p in hatched) == sorted(ends)

        (line,) = [line for line in ax.lines if line.get_linestyle() == ":"]
        points = np.column_stack(line.get_data())
        spikes = [i for i, p in enumerate(points) if min(p % 1) < 0.05 or max(p % 1) > 0.95]
        stops = [cell_at(params, p) for i, p in enumerate(points) if i not in spikes]
        assert stops == route
        assert len(spikes) == len(walls)
        for i, (_, cell, action) in zip(spikes, walls):
            assert cell_at(params, points[i]) == cell
            assert near_border(params, points[i], MOVE[action]), (points[i], action)
        markers = {line.get_marker(): np.column_stack(line.get_data()) for line in ax.lines}
        assert np.allclose(markers["o"], points[:1]) and np.allclose(markers["s"], points[-1:])
    finally:
        close(fig)


@pytest.mark.parametrize("seed, difficulty", CASES)
def test_q_learning_figure_puts_the_greedy_arrows_values_and_path_where_the_updates_do(
    seed, difficulty
):
    variant = build_variant("q-learning", seed, difficulty)
    check_q_learning(variant.params, variant.problem.figure(variant.params, variant.solution))


def test_q_learning_figure_of_a_hand_worked_corridor_with_a_wall_and_a_tie():
    # s1 left: wall, target 0.9·max(0, 1) = 0.9, Q(s1, left) = 0.45.
    # s1 right: to s2, target 0.9·2 = 1.8, Q(s1, right) = 1 + 0.5·0.8 = 1.4.
    # s2 right: to s3, target 0.9·3 = 2.7, Q(s2, right) = 2 + 0.5·0.7 = 2.35.
    # s3 is never updated and keeps its tie (3, 3).
    params = {
        "grid": [1, 4],
        "actions": ["left", "right"],
        "goal": 4,
        "goal_reward": 1,
        "trap": None,
        "trap_reward": None,
        "step_reward": 0,
        "Q0": [[0, 1], [0, 2], [3, 3], [0, 0]],
        "alpha": 0.5,
        "gamma": 0.9,
        "episode": [[1, "left"], [1, "right"], [2, "right"]],
        "dqn": [[1, "right"]],
        "q_online": [[1, 2]],
        "q_target": [[1, 2]],
    }
    variant = build_variant("q-learning", None, 2, params)
    figure = variant.problem.figure(variant.params, variant.solution)
    check_q_learning(variant.params, figure)
    fig, ax = drawn(figure)
    try:
        shown = sorted(t.get_text() for t in ax.texts if number(t.get_text()) is not None)
        assert shown == ["1.4", "2.35", "3"]
        dashed = [(s, t) for s, t, _, style in arrows(ax) if style == "dashed"]
        assert len(dashed) == 1 and dashed[0][1][0] > dashed[0][0][0], "s3: right, tied"
    finally:
        close(fig)
    assert "s1 → s1 (wall) → s2 → s3." in figure.alt["en"]
    assert "s1 right 1.4, s2 right 2.35, s3 left 3 (tied with right, dashed)" in figure.alt["en"]


# --- value-iteration -----------------------------------------------------------------


def backups(params):
    """V after the last backup and the greedy actions (0-based, ties to the first)."""
    P, R, gamma = params["P"], params["R"], params["gamma"]
    V = [float(v) for v in params["V0"]]
    for _ in range(params["backups"]):
        rows = []
        for s in range(len(P)):
            row = []
            for a in range(len(P[s])):
                total = 0.0
                for t in range(len(P)):
                    reward = R[s][a][t] if isinstance(R[s][a], list) else R[s][a]
                    total += P[s][a][t] * (reward + gamma * V[t])
                row.append(total)
            rows.append(row)
        V = [max(row) for row in rows]
    return V, [first_best(row) for row in rows]


def check_value_iteration(params, figure):
    V, actions = backups(params)
    P, R = params["P"], params["R"]
    n = len(V)
    fig, ax = drawn(figure)
    try:
        frames = sorted((p for p in ax.patches if not p.get_fill()), key=lambda p: p.get_xy()[0])
        assert len(frames) == n
        boxes = [(*p.get_xy(), p.get_width(), p.get_height()) for p in frames]
        centres = np.array([x + w / 2 for x, _, w, _ in boxes])

        def box_of(x):
            return int(np.argmin(abs(centres - x)))

        inside, outside = {}, []
        for t in ax.texts:
            value = number(t.get_text())
            if value is None:
                continue
            x, y = t.get_position()
            s = box_of(x)
            bx, by, w, h = boxes[s]
            if bx < x < bx + w and by < y < by + h:
                inside[s] = value
            else:
                outside.append(value)
        assert sorted(inside) == list(range(n))
        for s in range(n):
            assert inside[s] == pytest.approx(V[s], rel=1e-3, abs=1e-4)

        shown = {}
        for t in ax.texts:
            if t.get_text().startswith("a"):
                x, y = t.get_position()
                assert y < boxes[0][1], "under the boxes"
                shown[box_of(x)] = int(t.get_text()[1:].translate(DIGITS)) - 1
        assert shown == dict(enumerate(actions))

        expected = []
        for s, a in enumerate(actions):
            top = max(P[s][a])
            expected += [(s, t, p) for t, p in enumerate(P[s][a]) if abs(p - top) < 1e-9]
        moves = sorted((box_of(start[0]), box_of(tip[0])) for start, tip, *_ in arrows(ax))
        assert moves == sorted((s, t) for s, t, _ in expected)
        for start, tip, *_ in arrows(ax):
            if box_of(start[0]) != box_of(tip[0]):
                top = boxes[0][1] + boxes[0][3]
                assert start[1] >= top and tip[1] >= top, "arcs run above the boxes"
        assert sorted(outside) == pytest.approx(sorted(p for *_, p in expected))

        ending = [
            s
            for s in range(n)
            if all(P[s][a][s] == 1 for a in range(len(P[s])))
            and all(np.all(np.asarray(R[s][a]) == 0) for a in range(len(P[s])))
        ]
        hatched = [box_of(p.get_xy()[0] + p.get_width() / 2) for p in ax.patches if p.get_hatch()]
        assert sorted(hatched) == ending
    finally:
        close(fig)


@pytest.mark.parametrize("seed, difficulty", CASES)
def test_value_iteration_figure_shows_the_backed_up_values_actions_and_likely_moves(
    seed, difficulty
):
    variant = build_variant("value-iteration", seed, difficulty)
    figure = variant.problem.figure(variant.params, variant.solution)
    check_value_iteration(variant.params, figure)
    V = variant.solution.answers()[f"v{variant.params['backups']}"]
    assert all(f"{v:.4g}" in figure.alt["en"] for v in V)


def test_value_iteration_figure_of_a_hand_worked_mdp_with_a_loop_and_a_tie():
    # One backup from V0 = 0 is max_a R(s, a): V1 = (1, 2), greedy (a1, a2).
    # s1 under a1 most likely reaches s2 (0.7); s2 under a2 is a coin flip
    # between s1 and staying.
    params = {
        "P": [[[0.3, 0.7], [1, 0]], [[0, 1], [0.5, 0.5]]],
        "R": [[1, 0], [0, 2]],
        "V0": [0, 0],
        "gamma": 0.9,
        "backups": 1,
    }
    variant = build_variant("value-iteration", None, 2, params)
    figure = variant.problem.figure(variant.params, variant.solution)
    check_value_iteration(variant.params, figure)
    fig, ax = drawn(figure)
    try:
        loops = [(s, t) for s, t, *_ in arrows(ax) if abs(s[0] - t[0]) < 1e-9]
        assert len(loops) == 1
        (start, tip), frame = loops[0], max(ax.patches, key=lambda p: p.get_xy()[0])
        right_edge = frame.get_xy()[0] + frame.get_width()
        assert start[0] == pytest.approx(right_edge) and start[1] > tip[1], "down the right side"
    finally:
        close(fig)
    assert "V1 = (1, 2)" in figure.alt["en"] and "s2 → s2 (0.5)" in figure.alt["en"]
