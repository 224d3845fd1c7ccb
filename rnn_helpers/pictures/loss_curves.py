"""Training curves of a language model (notebook 12): the loss per step, and the gradient norm.

Left: the training loss at every step (one line per model, so two runs that should agree can be
drawn over each other), the validation loss where it was measured, and reference levels such as
"uniform guessing" (log V). Right: the total gradient norm that ``clip_grad_norm_`` returned at
every step, and the ``max_norm`` above which it scaled the gradient down.

matplotlib is imported inside the function, so ``import rnn_helpers`` stays light.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .style import LINE_COLORS, VERMILLION


def plot_loss_curves(
    train: Mapping[str, Sequence[float]],
    valid: tuple[Sequence[int], Sequence[float]] | None = None,
    grad_norms: Sequence[float] | None = None,
    max_norm: float | None = None,
    levels: Mapping[str, float] | None = None,
):
    """Draw training curves; return the Figure (one or two Axes).

    train: ``{name: losses}``, each the loss at steps 1, 2, ... (a later entry may be shorter and is
        drawn dashed over the first, e.g. a model trained only for the first steps).
    valid: ``(steps, losses)``: the validation loss measured after those steps (0 = before training).
    grad_norms: the total gradient norm at each step, before clipping; drawn in a second panel.
    max_norm: the clipping threshold, drawn as a line on the gradient panel (steps above it marked).
    levels: ``{label: loss}`` horizontal reference lines, e.g. ``{"uniform guessing, log V": 1.95}``.
    Raises ``ValueError`` for an empty ``train``, an empty curve, or ``valid`` steps and losses
    of different lengths.
    """
    import matplotlib.pyplot as plt

    if not train:
        raise ValueError("train: expected at least one curve {name: losses}, got none")
    for name, losses in train.items():
        if len(losses) == 0:
            raise ValueError(f"train[{name!r}]: expected at least one loss, got none")
    if valid is not None and len(valid[0]) != len(valid[1]):
        raise ValueError(f"valid: expected as many steps as losses, got {len(valid[0])} steps and {len(valid[1])} losses")
    if grad_norms is None:
        fig, ax = plt.subplots(figsize=(7, 3.6))
        axes = [ax]
    else:
        fig, axes = plt.subplots(1, 2, figsize=(12, 3.6), gridspec_kw={"width_ratios": [3, 2], "wspace": 0.25})
        ax = axes[0]
    for i, (name, losses) in enumerate(train.items()):
        steps = range(1, len(losses) + 1)
        style = {"lw": 3, "alpha": 0.45} if i == 0 else {"lw": 1.2, "ls": "--"}
        ax.plot(steps, losses, color=LINE_COLORS[i], label=f"training loss, {name}", **style)
    if valid is not None:
        ax.plot(valid[0], valid[1], "o-", color=VERMILLION, ms=5, lw=1.2, label="validation loss")
    longest = max(len(losses) for losses in train.values())
    for j, (label, value) in enumerate((levels or {}).items()):
        ax.axhline(value, color="0.35", lw=1, ls=(0, (1, 2 + 2 * j)))
        ax.text(0.55 * longest, value, label, va="bottom", fontsize=8, color="0.25")  # right of the legend
    ax.set_xlabel("training step")
    ax.set_ylabel("cross-entropy (nats per character)")
    ax.legend(fontsize=8, loc="lower left")   # a falling curve leaves the lower left empty
    ax.grid(alpha=0.3)
    if grad_norms is not None:
        norms_ax = axes[1]
        steps = list(range(1, len(grad_norms) + 1))
        norms_ax.plot(steps, grad_norms, color="0.2", lw=1, label="total gradient norm")
        if max_norm is not None:
            norms_ax.axhline(max_norm, color=VERMILLION, lw=1, ls="--", label=f"max_norm = {max_norm:g}")
            above = [(s, n) for s, n in zip(steps, grad_norms) if n > max_norm]
            if above:
                norms_ax.plot(*zip(*above), "o", color=VERMILLION, ms=4, label="clipped")
        norms_ax.set_ylim(bottom=0)
        norms_ax.set_xlabel("training step")
        norms_ax.set_title("gradient norm before clipping", fontsize=10)
        norms_ax.legend(fontsize=8)
        norms_ax.grid(alpha=0.3)
    return fig
