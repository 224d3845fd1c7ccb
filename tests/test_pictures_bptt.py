"""rnn_helpers.pictures.bptt: the BPTT diagram draws every forward and gradient arrow, in the right colour and direction."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from rnn_helpers.pictures.bptt import FORWARD_COLOR, GRADIENT_COLOR, MAX_STEPS, draw_bptt  # noqa: E402


def arrows(fig):
    """{gid: (start, end, colour)} for every arrow of the diagram."""
    found = {}
    for child in fig.axes[0].get_children():
        if isinstance(child, matplotlib.text.Annotation) and child.arrow_patch is not None:
            found[child.get_gid()] = (child.xyann, child.xy, child.arrow_patch.get_edgecolor())
    return found


@pytest.mark.parametrize("T", [1, 3, 5])
def test_every_step_has_its_forward_and_gradient_arrows(T):
    fig = draw_bptt(T)
    got = arrows(fig)
    forward = {f"forward x{t}->h{t}" for t in range(T)} | {f"forward h{t - 1}->h{t}" for t in range(T)}
    grads = (
        {f"grad h{t}->x{t}" for t in range(T)}
        | {f"grad h{t}->h{t - 1}" for t in range(T)}
        | {f"grad output{t}->h{t}" for t in range(T)}
        | {f"grad h_n->h{T - 1}"}
    )
    assert set(got) == forward | grads
    for gid in forward:
        assert got[gid][2] == to_rgba(FORWARD_COLOR), gid
    for gid in grads:
        assert got[gid][2] == to_rgba(GRADIENT_COLOR), gid
    plt.close(fig)


def test_arrows_point_the_right_way():
    got = arrows(draw_bptt(4))
    for t in range(4):
        (sx, sy), (ex, ey), _ = got[f"forward x{t}->h{t}"]
        assert ey > sy  # x_t (bottom) up to h_t
        (sx, sy), (ex, ey), _ = got[f"grad h{t}->x{t}"]
        assert ey < sy  # the gradient goes back down to x_t
        (sx, sy), (ex, ey), _ = got[f"forward h{t - 1}->h{t}"]
        assert ex > sx  # time runs right
        (sx, sy), (ex, ey), _ = got[f"grad h{t}->h{t - 1}"]
        assert ex < sx  # the gradient runs left, to the previous step
        assert t - 1 < ex < sx < t
    (sx, _), (ex, _), _ = got["grad h_n->h3"]
    assert ex < sx and ex > 3  # enters the last state from its right
    plt.close("all")


def test_labels_every_state_and_input():
    fig = draw_bptt(3)
    texts = [t.get_text() for t in fig.axes[0].texts]
    for label in ["$h_{-1}$\n(h0)", "$h_{0}$", "$h_{2}$", "$x_{0}$", "$x_{2}$", "grad_output[0]", "grad_output[2]", "$\\partial L/\\partial h_n$"]:
        assert label in texts, label
    assert "$h_{3}$" not in texts
    plt.close(fig)


def test_draws_into_a_given_axes():
    fig, ax = plt.subplots()
    assert draw_bptt(2, ax=ax) is fig
    assert len(arrows(fig)) == 5 * 2 + 1
    plt.close(fig)


@pytest.mark.parametrize("bad", [0, MAX_STEPS + 1, 2.0, True, "5"])
def test_rejects_bad_seq_len(bad):
    with pytest.raises(ValueError, match="seq_len: expected"):
        draw_bptt(bad)
