"""Training an RNN with a Linear head on small generated tasks (notebook 11).

Two tasks, generated from a ``torch.Generator`` so every run sees the same numbers:

- ``noisy_sine``: sine waves with a random frequency and phase, plus Gaussian noise, for
  next-step prediction (inputs ``series[:-1]``, targets ``series[1:]``).
- ``echo_batch``: random values; the target is the value seen ``delay`` steps before the
  last one, which a model must carry in its hidden state.

``RNNWithHead`` puts a ``nn.Linear`` on top of any ``nn.RNN``-like module (``nn.RNN`` or
``ManualRNN``; also ``nn.LSTM``/``ManualLSTM`` and ``nn.GRU``/``ManualGRU``, notebook 15): on every
step's output, or on the last layer's final state ``h_n[-1]``.
``train`` is the plain loop the notebook writes out once: zero the gradients, predict,
mean squared error, backward, one step of gradient descent, for each batch in turn.
``ManualAdam`` is the update of ``torch.optim.Adam`` written out (notebook 15), a drop-in with
``zero_grad()`` and ``step()``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ._checks import fmt_shape

#: Each noisy sine's angular frequency is drawn from U(FREQ_RANGE), in radians per step:
#: a period of about 13 to 31 steps, so a 30-step sequence holds one to two periods.
FREQ_RANGE: tuple[float, float] = (0.2, 0.5)


def _check_positive_int(name: str, value) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name}: expected an int > 0, got {value!r}")


def noisy_sine(
    batch: int,
    seq_len: int,
    noise: float = 0.1,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
) -> tuple[Tensor, Tensor]:
    """``batch`` noisy sine waves of ``seq_len + 1`` points each, for next-step prediction.

    Sequence b is ``s_t = sin(freq_b * t + phase_b) + noise * eps_t`` for t = 0 .. seq_len, with
    ``freq_b ~ U(FREQ_RANGE)`` (radians per step), ``phase_b ~ U(0, 2 pi)`` and ``eps_t ~ N(0, 1)``
    drawn independently for every point.

    Returns ``(series, clean)``, both ``(seq_len + 1, batch, 1)`` = (time, batch, features):
    the noisy values and the sine without noise. One point more than ``seq_len`` so that
    inputs ``series[:-1]`` and targets ``series[1:]`` both have ``seq_len`` steps.
    """
    _check_positive_int("batch", batch)
    _check_positive_int("seq_len", seq_len)
    if not noise >= 0:
        raise ValueError(f"noise: expected a standard deviation >= 0, got {noise!r}")
    low, high = FREQ_RANGE
    t = torch.arange(seq_len + 1, dtype=dtype).unsqueeze(1)                        # (seq_len + 1, 1)
    freq = low + (high - low) * torch.rand(1, batch, generator=generator, dtype=dtype)   # (1, batch)
    phase = 2 * math.pi * torch.rand(1, batch, generator=generator, dtype=dtype)         # (1, batch)
    clean = torch.sin(freq * t + phase).unsqueeze(-1)                              # (seq_len + 1, batch, 1)
    eps = torch.randn(clean.shape, generator=generator, dtype=dtype)
    return clean + noise * eps, clean


def echo_batch(
    batch: int,
    seq_len: int,
    delay: int,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
) -> tuple[Tensor, Tensor]:
    """The echo task: remember the value seen ``delay`` steps before the last one.

    Returns ``(x, y)``: ``x: (seq_len, batch, 1)``, values drawn from U(-1, 1), and
    ``y: (batch, 1) = x[seq_len - 1 - delay]``. ``delay=0`` asks for the last input, which is
    still in the final hidden state; larger delays must survive ``delay`` more steps of the
    recurrence. A model that remembers nothing predicts 0, for a mean squared error of
    Var(U(-1, 1)) = 1/3.
    """
    _check_positive_int("batch", batch)
    _check_positive_int("seq_len", seq_len)
    if not isinstance(delay, int) or isinstance(delay, bool) or not 0 <= delay < seq_len:
        raise ValueError(f"delay: expected an int with 0 <= delay < seq_len = {seq_len}, got {delay!r}")
    x = 2 * torch.rand(seq_len, batch, 1, generator=generator, dtype=dtype) - 1
    return x, x[seq_len - 1 - delay].clone()


class RNNWithHead(nn.Module):
    """An ``nn.RNN``-like module followed by a ``nn.Linear`` head.

    rnn: ``nn.RNN`` or ``ManualRNN`` (anything returning ``output, h_n`` with nn.RNN's layout);
        also ``nn.GRU``/``ManualGRU``, and ``nn.LSTM``/``ManualLSTM``, whose final state is the pair
        ``(h_n, c_n)``: the head reads ``h_n``, never the cell state ``c_n``.
    head: the ``nn.Linear`` to use, or None for a new ``nn.Linear(features, out_features)`` in the
        rnn's dtype, where ``features = hidden_size * num_directions`` (``proj_size * num_directions``
        for an LSTM with ``proj_size > 0``).
    every_step: True (a prediction per step: next-step prediction, notebook 11, section 2) applies the
        head to ``output``: ``(seq_len, batch, features) -> (seq_len, batch, out_features)`` (batch first
        if the rnn is). False (one prediction per sequence: the echo task, section 6) applies it to the last layer's
        final state ``h_n[-1]``: ``(batch, hidden_size) -> (batch, out_features)``; for a
        bidirectional rnn, to both directions' final states side by side, ``(batch, 2 * hidden_size)``.

    The parameters are ``rnn.*`` then ``head.*``, so ``load_state_dict`` moves weights between a
    model built on ``nn.RNN`` and one built on ``ManualRNN``.
    """

    def __init__(self, rnn: nn.Module, head: nn.Linear | None = None, out_features: int = 1,
                 every_step: bool = True) -> None:
        super().__init__()
        num_directions = 2 if rnn.bidirectional else 1
        features = (getattr(rnn, "proj_size", 0) or rnn.hidden_size) * num_directions
        if head is None:
            head = nn.Linear(features, out_features, dtype=rnn.weight_ih_l0.dtype,
                             device=rnn.weight_ih_l0.device)
        if head.in_features != features:
            raise ValueError(
                f"head: expected in_features = hidden_size * num_directions = {features}, got {head.in_features}"
            )
        self.rnn = rnn
        self.head = head
        self.every_step = every_step

    def forward(self, x: Tensor, hx: Tensor | tuple[Tensor, Tensor] | None = None) -> Tensor:
        output, h_n = self.rnn(x, hx)
        if isinstance(h_n, tuple):   # an LSTM returns (h_n, c_n): the head reads h_n
            h_n = h_n[0]
        if self.every_step:
            return self.head(output)
        if self.rnn.bidirectional:  # h_n[-2], h_n[-1]: the last layer's forward and reverse states
            return self.head(torch.cat([h_n[-2], h_n[-1]], dim=-1))
        return self.head(h_n[-1])

    def extra_repr(self) -> str:
        return f"every_step={self.every_step}"


def train(
    model: nn.Module,
    batches: Iterable[tuple[Tensor, Tensor]],
    lr: float,
    print_every: int | None = None,
    label: str = "",
) -> list[float]:
    """Train ``model`` by gradient descent on the mean squared error, one step per ``(x, y)`` batch.

    Each step: ``model.zero_grad()``; ``prediction = model(x)``; ``loss = mse_loss(prediction, y)``;
    ``loss.backward()``; then every parameter moves against its gradient, ``p -= lr * p.grad``
    (the formula of ``torch.optim.SGD(model.parameters(), lr).step()``; its fused ``add_`` may round the
    last bit differently). Returns the loss of
    every step (before its update), as Python floats. With ``print_every=n``, prints
    ``{label}step {k}: loss {loss:.4f}`` after every n-th step.

    Raises ``ValueError`` when a prediction's shape differs from its target's: ``mse_loss`` would
    broadcast, e.g. ``(batch, 1)`` against ``(batch,)`` into ``(batch, batch)``, and quietly
    train on the wrong loss.
    """
    if not lr > 0:
        raise ValueError(f"lr: expected a learning rate > 0, got {lr!r}")
    if print_every is not None:
        _check_positive_int("print_every", print_every)
    model.train()
    parameters = [p for p in model.parameters() if p.requires_grad]
    losses: list[float] = []
    for step, (x, y) in enumerate(batches, start=1):
        model.zero_grad()
        prediction = model(x)
        if prediction.shape != y.shape:
            raise ValueError(
                f"step {step}: the prediction has shape {fmt_shape(tuple(prediction.shape))} but the target has "
                f"{fmt_shape(tuple(y.shape))}; they must match (mse_loss would broadcast them)"
            )
        loss = F.mse_loss(prediction, y)
        loss.backward()
        with torch.no_grad():
            for p in parameters:
                if p.grad is not None:
                    p -= lr * p.grad
        losses.append(loss.item())
        if print_every is not None and step % print_every == 0:
            print(f"{label}step {step:4d}: loss {losses[-1]:.4f}")
    return losses


class ManualAdam:
    """The update of ``torch.optim.Adam`` written out (notebook 15): a drop-in with ``zero_grad`` and ``step``.

    params: the parameters to train, e.g. ``model.parameters()`` (at least one tensor).
    lr, betas = (beta1, beta2), eps: as ``torch.optim.Adam`` (defaults 1e-3, (0.9, 0.999), 1e-8); no
        weight decay, no AMSGrad.

    For every parameter ``p`` with a gradient ``g``, at its t-th step (t = 1, 2, ...)::

        m = beta1 * m + (1 - beta1) * g          # running mean of the gradient, m starts at 0
        v = beta2 * v + (1 - beta2) * g**2       # running mean of its square, v starts at 0
        m_hat = m / (1 - beta1**t)               # undo the pull towards the zeros they started from
        v_hat = v / (1 - beta2**t)
        p -= lr * m_hat / (sqrt(v_hat) + eps)    # every element: a step of about lr, whatever its scale

    in the order of PyTorch's own single-tensor loop (``_single_tensor_adam`` in ``torch/optim/adam.py``),
    so the results agree to the last bits (tests/test_training.py compares them step by step). A
    parameter whose ``.grad`` is None is skipped and its t does not advance, as in PyTorch. Why not
    ``torch.optim.Adam`` itself: creating any ``torch.optim`` optimizer imports ``torch._dynamo`` the
    first time, which takes longer than the small trainings it is used for in the notebooks.
    """

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("params: expected at least one parameter to train, got an empty list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor):
                raise TypeError(f"params[{i}]: expected a tensor (e.g. from model.parameters()), got {type(p).__name__}")
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
            raise ValueError(f"lr: expected a learning rate > 0, got {lr!r}")
        if (not isinstance(betas, (tuple, list)) or len(betas) != 2
                or not all(isinstance(b, (int, float)) and 0 <= b < 1 for b in betas)):
            raise ValueError(f"betas: expected a pair (beta1, beta2), each in [0, 1), got {betas!r}")
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps >= 0:
            raise ValueError(f"eps: expected a number >= 0, got {eps!r}")
        self.lr, self.betas, self.eps = float(lr), (float(betas[0]), float(betas[1])), float(eps)
        self.steps = [0] * len(self.params)                                      # t of every parameter
        self.m = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]
        self.v = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]

    def zero_grad(self) -> None:
        """Forget the gradients (``p.grad = None``), as ``torch.optim`` does by default."""
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        """One Adam step for every parameter that has a gradient."""
        beta1, beta2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g, m, v = p.grad, self.m[i], self.v[i]
            self.steps[i] += 1
            t = self.steps[i]
            m.lerp_(g, 1 - beta1)                                   # m = beta1 * m + (1 - beta1) * g
            v.mul_(beta2).addcmul_(g, g, value=1 - beta2)           # v = beta2 * v + (1 - beta2) * g**2
            denom = (v.sqrt() / math.sqrt(1 - beta2**t)).add_(self.eps)   # sqrt(v_hat) + eps
            p.addcdiv_(m, denom, value=-self.lr / (1 - beta1**t))   # p -= lr * m_hat / (sqrt(v_hat) + eps)

    def __repr__(self) -> str:
        return f"ManualAdam(lr={self.lr:g}, betas={self.betas}, eps={self.eps:g}, {len(self.params)} parameters)"
