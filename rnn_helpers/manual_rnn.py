"""``ManualRNN`` and ``ManualRNNCell``: drop-in replacements for nn.RNN and nn.RNNCell (notebook 08).

Thin ``nn.Module`` wrappers around the functions the series derived: they own the
parameters (same names, shapes, registration order and initialisation as PyTorch's,
so ``load_state_dict`` works both ways and the same seed gives the same weights),
check their inputs the way nn.RNN does (with messages that name what was expected and
what arrived), and hand the arithmetic to ``rnn_forward`` / ``rnn_cell``. No PyTorch
RNN kernel is called; autograd differentiates the plain tensor operations.
"""

from __future__ import annotations

import math
import numbers
import warnings

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence

from ._checks import NONLINEARITIES, fmt_shape
from .cell import rnn_cell
from .sequence import rnn_forward
from .weights import get_weights, param_name

# ---------------------------------------------------------------------------
# Constructor checks: nn.RNN's conditions and exception types, clearer messages.
# ---------------------------------------------------------------------------


def _check_nonlinearity(nonlinearity) -> None:
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity: expected 'tanh' or 'relu', got {nonlinearity!r}")


def _check_bool(name: str, value) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name}: expected a bool (True or False), got {type(value).__name__} {value!r}")


def _check_size(name: str, value) -> None:
    if not isinstance(value, int):
        raise TypeError(f"{name}: expected an int > 0, got {type(value).__name__} {value!r}")
    if value <= 0:
        raise ValueError(f"{name}: expected an int > 0, got {value}")


def _check_dropout(dropout) -> None:
    if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
        raise ValueError(
            "dropout: expected a number in [0, 1] (the probability of zeroing an element), "
            f"got {type(dropout).__name__} {dropout!r}"
        )


def _reset_uniform(module: nn.Module, hidden_size: int) -> None:
    """nn.RNN's initialisation: every parameter, in registration order, from U(-1/sqrt(hidden), 1/sqrt(hidden))."""
    bound = 1.0 / math.sqrt(hidden_size)
    for parameter in module.parameters():
        nn.init.uniform_(parameter, -bound, bound)


def _check_dtype(name: str, tensor: Tensor, weight: Tensor) -> None:
    if tensor.dtype != weight.dtype:
        raise ValueError(
            f"{name}: expected dtype {weight.dtype} (the parameters' dtype), got {tensor.dtype}; "
            f"convert it with .to({weight.dtype}) or the model with .to({tensor.dtype})"
        )


# ---------------------------------------------------------------------------
# PackedSequence <-> padded, by hand (notebook 07 explains the layout).
# ---------------------------------------------------------------------------


def _real_steps(batch_sizes: Tensor) -> Tensor:
    """(seq_len, batch) bool: True where sequence b has a step t, for a packed batch (sorted by length)."""
    batch = int(batch_sizes[0])
    return torch.arange(batch).unsqueeze(0) < batch_sizes.unsqueeze(1)


def _unpack(data: Tensor, batch_sizes: Tensor) -> tuple[Tensor, Tensor]:
    """Packed data (total_steps, features) -> (padded (seq_len, batch, features), lengths (batch,)).

    The batch stays in the PackedSequence's sorted order (longest first). Packed data lists
    step 0 of every sequence, then step 1 of those still running, ...: exactly the order in
    which ``padded[real]`` enumerates the real steps, so one boolean assignment unpacks it.
    """
    real = _real_steps(batch_sizes)
    padded = data.new_zeros(real.shape[0], real.shape[1], data.shape[1])
    padded[real.to(data.device)] = data
    return padded, real.sum(dim=0)


class ManualRNN(nn.Module):
    """A drop-in replacement for ``torch.nn.RNN``, computed by ``rnn_forward``.

    Same constructor, parameters (``weight_ih_l{k}[_reverse]``, ``weight_hh_l{k}[_reverse]``,
    ``bias_ih_l{k}[_reverse]``, ``bias_hh_l{k}[_reverse]``), initialisation and forward
    signature as nn.RNN::

        output, h_n = ManualRNN(input_size, hidden_size, num_layers)(input, hx)

    input: (seq_len, batch, input_size), or (batch, seq_len, input_size) if ``batch_first``,
        or unbatched (seq_len, input_size), or a PackedSequence
    hx: (num_layers * num_directions, batch, hidden_size) -- never batch-first --, or
        (num_layers * num_directions, hidden_size) for unbatched input, or None for zeros
    Returns output (like input, with num_directions * hidden_size features; a PackedSequence
    for packed input) and h_n, shaped like hx.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        # The same checks as nn.RNN, in the same order, with the same exception types.
        _check_nonlinearity(nonlinearity)
        _check_dropout(dropout)
        if dropout > 0 and num_layers == 1:
            warnings.warn(  # nn.RNN's exact message
                "dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                stacklevel=2,
            )
        _check_bool("bias", bias)
        _check_bool("batch_first", batch_first)
        _check_size("input_size", input_size)
        _check_size("hidden_size", hidden_size)
        _check_size("num_layers", num_layers)

        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.nonlinearity = nonlinearity
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        num_directions = 2 if bidirectional else 1

        # Register the parameters in nn.RNN's order: layer by layer, forward before reverse,
        # and within one layer and direction w_ih, w_hh, b_ih, b_hh.
        factory = {"device": device, "dtype": dtype}
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            layer_input_size = input_size if layer == 0 else hidden_size * num_directions
            for direction in range(num_directions):
                shapes = {"weight_ih": (hidden_size, layer_input_size), "weight_hh": (hidden_size, hidden_size)}
                if bias:
                    shapes.update(bias_ih=(hidden_size,), bias_hh=(hidden_size,))
                names = []
                for kind, shape in shapes.items():
                    name = param_name(kind, layer, reverse=direction == 1)
                    self.register_parameter(name, nn.Parameter(torch.empty(shape, **factory)))
                    names.append(name)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) for every parameter, in nn.RNN's order."""
        _reset_uniform(self, self.hidden_size)

    @property
    def all_weights(self) -> list[list[nn.Parameter]]:
        """The parameters grouped per layer and direction, as ``nn.RNN.all_weights``."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """Does nothing: there is no cuDNN weight buffer to compact (kept so nn.RNN code runs)."""

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.nonlinearity != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- forward -------------------------------------------------------------

    def forward(self, input, hx: Tensor | None = None):
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        self._check_tensor_input(input, hx)
        batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if batched:
            self._check_hx(hx, batch=input.shape[batch_dim])
        else:  # one sequence (seq_len, input_size): run it as a batch of one, then drop that dimension
            self._check_hx(hx, batch=None)
            input = input.unsqueeze(batch_dim)
            hx = None if hx is None else hx.unsqueeze(1)
        output, h_n = rnn_forward(
            input, get_weights(self), hx, self.nonlinearity, self.batch_first,
            self.bidirectional, self.dropout, self.training,
        )
        if not batched:
            output, h_n = output.squeeze(batch_dim), h_n.squeeze(1)
        return output, h_n

    def _forward_packed(self, packed: PackedSequence, hx: Tensor | None):
        data, batch_sizes, sorted_indices, unsorted_indices = packed
        self._check_features(data, expected_dim=2, layout="(total_steps, input_size)")
        padded, lengths = _unpack(data, batch_sizes)  # (seq_len, batch, input_size), sorted by length
        self._check_hx(hx, batch=padded.shape[1])
        if hx is not None and sorted_indices is not None:
            hx = hx.index_select(1, sorted_indices)  # the caller's batch order -> the packed order
        output, h_n = rnn_forward(
            padded, get_weights(self), hx, self.nonlinearity, False, self.bidirectional,
            self.dropout, self.training, lengths=lengths, packed_dropout=True,
        )
        output_data = output[_real_steps(batch_sizes).to(output.device)]  # pack again: (total_steps, features)
        if unsorted_indices is not None:
            h_n = h_n.index_select(1, unsorted_indices)  # back to the caller's batch order
        return PackedSequence(output_data, batch_sizes, sorted_indices, unsorted_indices), h_n

    # -- input checks (nn.RNN's conditions and exception types) ---------------

    def _layout(self, batched: bool = True) -> str:
        if not batched:
            return "(seq_len, input_size)"
        return "(batch, seq_len, input_size)" if self.batch_first else "(seq_len, batch, input_size)"

    def _check_features(self, input: Tensor, expected_dim: int, layout: str) -> None:
        _check_dtype("input", input, self.weight_ih_l0)
        if input.dim() != expected_dim:
            raise RuntimeError(
                f"input: expected a {expected_dim}-D tensor {layout}, "
                f"got a {input.dim()}-D tensor of shape {fmt_shape(tuple(input.shape))}"
            )
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input: expected input_size={self.input_size} features in the last dimension of {layout}, "
                f"got {input.shape[-1]} (input shape {fmt_shape(tuple(input.shape))})"
            )

    def _check_tensor_input(self, input, hx: Tensor | None) -> None:
        if not isinstance(input, Tensor):
            raise TypeError(f"input: expected a Tensor or a PackedSequence, got {type(input).__name__}")
        if input.dim() not in (2, 3):
            raise ValueError(
                f"input: expected a 3-D tensor {self._layout()} or an unbatched 2-D tensor "
                f"{self._layout(False)}, got a {input.dim()}-D tensor of shape {fmt_shape(tuple(input.shape))}"
            )
        if hx is not None and hx.dim() != input.dim():
            kind = "batched 3-D" if input.dim() == 3 else "unbatched 2-D"
            want = "(num_layers * num_directions, batch, hidden_size)" if input.dim() == 3 else (
                "(num_layers * num_directions, hidden_size)"
            )
            raise RuntimeError(
                f"hx: for {kind} input, expected a {input.dim()}-D hx {want}, "
                f"got a {hx.dim()}-D tensor of shape {fmt_shape(tuple(hx.shape))}"
            )
        self._check_features(input, input.dim(), self._layout(input.dim() == 3))
        seq_len = input.shape[1] if input.dim() == 3 and self.batch_first else input.shape[0]
        if seq_len == 0:
            raise RuntimeError(
                f"input: expected a sequence of at least one step, got seq_len 0 (input shape "
                f"{fmt_shape(tuple(input.shape))} read as {self._layout(input.dim() == 3)})"
            )

    def _check_hx(self, hx: Tensor | None, batch: int | None) -> None:
        """hx must be (num_layers * num_directions, batch, hidden_size); without the batch when ``batch`` is None."""
        if hx is None:
            return
        num_directions = 2 if self.bidirectional else 1
        if batch is None:
            expected = (self.num_layers * num_directions, self.hidden_size)
            meaning = "(num_layers * num_directions, hidden_size) for unbatched input"
        else:
            expected = (self.num_layers * num_directions, batch, self.hidden_size)
            meaning = "(num_layers * num_directions, batch, hidden_size)"
        if tuple(hx.shape) != expected:
            raise RuntimeError(
                f"hx: expected shape {fmt_shape(expected)} = {meaning}, got {fmt_shape(tuple(hx.shape))}"
                + (" (hx is never batch-first)" if self.batch_first and batch is not None else "")
            )
        _check_dtype("hx", hx, self.weight_ih_l0)


class ManualRNNCell(nn.Module):
    """A drop-in replacement for ``torch.nn.RNNCell``, computed by ``rnn_cell``.

    Parameters ``weight_ih`` (hidden_size, input_size), ``weight_hh`` (hidden_size, hidden_size),
    ``bias_ih``, ``bias_hh`` (hidden_size,) (None with ``bias=False``), initialised as nn.RNNCell.
    input: (batch, input_size) or unbatched (input_size,)
    hx: (batch, hidden_size) or unbatched (hidden_size,), or None for zeros
    Returns h': shaped like hx.

    The constructor checks its arguments as nn.RNN does (nn.RNNCell itself checks almost none).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        _check_size("input_size", input_size)
        _check_size("hidden_size", hidden_size)
        _check_bool("bias", bias)
        _check_nonlinearity(nonlinearity)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.nonlinearity = nonlinearity
        factory = {"device": device, "dtype": dtype}
        self.weight_ih = nn.Parameter(torch.empty(hidden_size, input_size, **factory))
        self.weight_hh = nn.Parameter(torch.empty(hidden_size, hidden_size, **factory))
        if bias:
            self.bias_ih = nn.Parameter(torch.empty(hidden_size, **factory))
            self.bias_hh = nn.Parameter(torch.empty(hidden_size, **factory))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) for every parameter, as nn.RNNCell."""
        _reset_uniform(self, self.hidden_size)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.nonlinearity != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        self._check(input, hx)
        if hx is None:
            hx = input.new_zeros(input.shape[:-1] + (self.hidden_size,))
        return rnn_cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.nonlinearity)

    def _check(self, input: Tensor, hx: Tensor | None) -> None:
        if input.dim() not in (1, 2):
            raise ValueError(
                "input: expected a 2-D tensor (batch, input_size) or an unbatched 1-D tensor (input_size,), "
                f"got a {input.dim()}-D tensor of shape {fmt_shape(tuple(input.shape))}"
            )
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(
                "hx: expected a 2-D tensor (batch, hidden_size) or an unbatched 1-D tensor (hidden_size,), "
                f"got a {hx.dim()}-D tensor of shape {fmt_shape(tuple(hx.shape))}"
            )
        _check_dtype("input", input, self.weight_ih)
        layout = "(batch, input_size)" if input.dim() == 2 else "(input_size,)"
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input: expected input_size={self.input_size} features in the last dimension of {layout}, "
                f"got {input.shape[-1]} (input shape {fmt_shape(tuple(input.shape))})"
            )
        if hx is None:
            return
        expected = input.shape[:-1] + (self.hidden_size,)
        if tuple(hx.shape) != tuple(expected):
            want = "(batch, hidden_size)" if input.dim() == 2 else "(hidden_size,) for unbatched input"
            raise RuntimeError(
                f"hx: expected shape {fmt_shape(tuple(expected))} = {want}, got {fmt_shape(tuple(hx.shape))}"
            )
        _check_dtype("hx", hx, self.weight_ih)
