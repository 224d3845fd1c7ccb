"""Drop-in modules: ``ManualRNN``, ``ManualLSTM``, ``ManualGRU`` and their one-step ``...Cell`` twins.

Each has the constructor of its PyTorch counterpart, the same parameter names, shapes, registration
order and initialisation (so ``load_state_dict`` works both ways and the same seed gives the same
weights), and PyTorch's ``forward``: batched, ``batch_first``, unbatched or ``PackedSequence`` input,
state given or omitted, stacked, bidirectional, dropout in training. One base class holds all of it
(``ManualRNNBase``, like ``nn.RNNBase``); a subclass only names its cell. Arguments are checked once,
here, with nn.RNN's conditions and exception types and messages that name what was expected and what
arrived; the arithmetic is the layer engine's (``engine.py``), which calls no PyTorch RNN kernel.
"""

from __future__ import annotations

import math
import numbers
import warnings

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence

from ._checks import NONLINEARITIES, fmt_shape
from .cells import LSTM, make_cell
from .engine import run_stack
from .functional import step

# ---------------------------------------------------------------------------------------------
# Constructor checks: nn.RNNBase's conditions and exception types, clearer messages
# ---------------------------------------------------------------------------------------------


def _check_bool(name: str, value) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name}: expected a bool (True or False), got {type(value).__name__} {value!r}")


def _check_size(name: str, value) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name}: expected an int > 0, got {type(value).__name__} {value!r}")
    if value <= 0:
        raise ValueError(f"{name}: expected an int > 0, got {value}")


def _check_dropout(dropout) -> None:
    if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
        raise ValueError(
            "dropout: expected a number in [0, 1] (the probability of zeroing an element), "
            f"got {type(dropout).__name__} {dropout!r}"
        )


def _check_nonlinearity(nonlinearity) -> None:
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity: expected 'tanh' or 'relu', got {nonlinearity!r}")


def _check_proj_size(proj_size, hidden_size: int) -> None:
    if not isinstance(proj_size, int) or isinstance(proj_size, bool):
        raise TypeError(f"proj_size: expected an int (0 for no projection), got {type(proj_size).__name__} {proj_size!r}")
    if proj_size < 0:
        raise ValueError(f"proj_size: expected 0 (no projection) or a positive int, got {proj_size}")
    if proj_size >= hidden_size:
        raise ValueError(
            f"proj_size: expected proj_size < hidden_size = {hidden_size} (the projection maps each step's "
            f"hidden_size features down to proj_size), got proj_size={proj_size}"
        )


def _refuse_proj_size(cls_name: str, torch_name: str, extra: dict) -> None:
    if "proj_size" in extra:
        raise ValueError(
            f"proj_size: only an LSTM projects its hidden state; {cls_name} (like {torch_name}) takes no "
            f"proj_size, got proj_size={extra['proj_size']!r}"
        )
    if extra:
        raise TypeError(f"{cls_name}() got an unexpected keyword argument {next(iter(extra))!r}")


def _reset_uniform(module: nn.Module, hidden_size: int) -> None:
    """PyTorch's initialisation: every parameter, in registration order, from U(-1/sqrt(hidden), 1/sqrt(hidden))."""
    bound = 1.0 / math.sqrt(hidden_size)
    for parameter in module.parameters():
        nn.init.uniform_(parameter, -bound, bound)


def _check_dtype(name: str, tensor: Tensor, weight: Tensor) -> None:
    if tensor.dtype != weight.dtype:
        raise ValueError(
            f"{name}: expected dtype {weight.dtype} (the parameters' dtype), got {tensor.dtype}; "
            f"convert it with .to({weight.dtype}) or the model with .to({tensor.dtype})"
        )


def _as_state(is_lstm: bool, hx, what: str) -> tuple[Tensor, ...] | None:
    """hx as a tuple of tensors: ``(h,)``, or ``(h, c)`` for an LSTM (which must get a pair)."""
    if hx is None:
        return None
    if is_lstm:
        if not (isinstance(hx, (tuple, list)) and len(hx) == 2 and all(isinstance(s, Tensor) for s in hx)):
            got = f"a tensor of shape {fmt_shape(tuple(hx.shape))}" if isinstance(hx, Tensor) else (
                f"a {type(hx).__name__} of {len(hx)}" if isinstance(hx, (tuple, list)) else type(hx).__name__)
            raise TypeError(f"hx: an LSTM's state is a pair (h_0, c_0) of tensors {what}, got {got}")
        return tuple(hx)
    if not isinstance(hx, Tensor):
        raise TypeError(f"hx: expected a tensor {what} or None, got {type(hx).__name__}")
    return (hx,)


# ---------------------------------------------------------------------------------------------
# The sequence modules
# ---------------------------------------------------------------------------------------------


class ManualRNNBase(nn.Module):
    """What ``ManualRNN``, ``ManualLSTM`` and ``ManualGRU`` share, as ``nn.RNNBase`` for PyTorch's three.

    mode: ``"RNN_TANH"``, ``"RNN_RELU"``, ``"LSTM"`` or ``"GRU"``; the other arguments as ``nn.RNNBase``.
    Parameters, per layer k and direction (``_reverse`` for the second), registered in PyTorch's order:
    ``weight_ih_l{k}`` (gates * hidden_size, layer input), ``weight_hh_l{k}`` (gates * hidden_size,
    hidden_size or proj_size), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (gates * hidden_size,) unless
    ``bias=False``, and ``weight_hr_l{k}`` (proj_size, hidden_size) when ``proj_size > 0``.
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None) -> None:
        super().__init__()
        # nn.RNNBase's checks, in its order, with its exception types
        _check_dropout(dropout)
        if dropout > 0 and num_layers == 1:
            warnings.warn(  # nn.RNNBase's exact message
                "dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                stacklevel=3,
            )
        _check_bool("bias", bias)
        _check_bool("batch_first", batch_first)
        _check_size("input_size", input_size)
        _check_size("hidden_size", hidden_size)
        _check_size("num_layers", num_layers)
        _check_proj_size(proj_size, hidden_size)
        self.cell = make_cell(mode)
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size

        num_directions = 2 if bidirectional else 1
        gate_size = self.cell.gates * hidden_size
        real_hidden = proj_size or hidden_size
        factory = {"device": device, "dtype": dtype}
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else real_hidden * num_directions
            for direction in range(num_directions):
                shapes = {"weight_ih": (gate_size, layer_input), "weight_hh": (gate_size, real_hidden)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if proj_size:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                suffix = "_reverse" if direction else ""
                names = [f"{kind}_l{layer}{suffix}" for kind in shapes]
                for name, shape in zip(names, shapes.values()):
                    self.register_parameter(name, nn.Parameter(torch.empty(shape, **factory)))
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) for every parameter, in registration order."""
        _reset_uniform(self, self.hidden_size)

    @property
    def all_weights(self) -> list[list[nn.Parameter]]:
        """The parameters grouped per layer and direction, as ``nn.RNNBase.all_weights``."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """Does nothing: there is no cuDNN weight buffer to compact (kept so PyTorch code runs unchanged)."""

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity=relu"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- forward ---------------------------------------------------------------------------------

    def forward(self, input, hx=None):
        """input: (seq_len, batch, input_size), (batch, seq_len, input_size) if ``batch_first``,
        unbatched (seq_len, input_size), or a PackedSequence. hx: the initial state (an LSTM: a pair),
        (num_layers * num_directions, batch, width) -- never batch-first -- or without the batch
        dimension for unbatched input, or None for zeros. Returns ``(output, h_n)`` (an LSTM:
        ``(output, (h_n, c_n))``), output shaped like input with num_directions * (proj_size or
        hidden_size) features (a PackedSequence for packed input)."""
        is_lstm = isinstance(self.cell, LSTM)
        if isinstance(input, PackedSequence):
            output, state = self._forward_packed(input, _as_state(is_lstm, hx, "(in the caller's batch order)"))
        elif isinstance(input, Tensor):
            output, state = self._forward_tensor(input, _as_state(is_lstm, hx, "shaped (num_layers * num_directions, batch, features)"))
        else:
            raise TypeError(f"input: expected a Tensor or a PackedSequence, got {type(input).__name__}")
        return output, (state if is_lstm else state[0])

    def _widths(self) -> tuple[int, ...]:
        return self.cell.state_sizes(self.hidden_size, self.proj_size)

    def _weights(self) -> list[tuple[Tensor | None, ...]]:
        """Every layer's parameters, ``(w_ih, w_hh, b_ih, b_hh, w_hr)``, in h_n order."""
        result = []
        for names in self._all_weights:
            params = dict(zip((n.split("_l")[0] for n in names), (getattr(self, n) for n in names)))
            result.append(tuple(params.get(k) for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")))
        return result

    def _run(self, data: Tensor, sizes: list[int], state: tuple[Tensor, ...] | None):
        batch = sizes[0] if sizes else 0
        directions = 2 if self.bidirectional else 1
        if state is None:
            state = tuple(data.new_zeros(self.num_layers * directions, batch, w) for w in self._widths())
        return run_stack(self.cell, data, sizes, self._weights(), state, directions, self.dropout, self.training)

    def _forward_tensor(self, input: Tensor, state: tuple[Tensor, ...] | None):
        self._check_tensor_input(input, state)
        batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if batched:
            self._check_state(state, batch=input.shape[batch_dim])
        else:  # one sequence (seq_len, input_size): a batch of one, dropped again at the end
            self._check_state(state, batch=None)
            input = input.unsqueeze(batch_dim)
            state = None if state is None else tuple(s.unsqueeze(1) for s in state)
        x = input.transpose(0, 1) if self.batch_first else input  # sequence first inside
        seq_len, batch = x.shape[:2]
        output, final = self._run(x.reshape(seq_len * batch, self.input_size), [batch] * seq_len, state)
        output = output.view(seq_len, batch, output.shape[1])
        if self.batch_first:
            output = output.transpose(0, 1)
        if not batched:
            output, final = output.squeeze(batch_dim), tuple(s.squeeze(1) for s in final)
        return output, final

    def _forward_packed(self, packed: PackedSequence, state: tuple[Tensor, ...] | None):
        data, batch_sizes, sorted_indices, unsorted_indices = packed
        self._check_features(data, expected_dim=2, layout="(total_steps, input_size) of packed data")
        sizes = batch_sizes.tolist()
        self._check_state(state, batch=sizes[0])
        if state is not None and sorted_indices is not None:  # the caller's batch order -> the packed order
            state = tuple(s.index_select(1, sorted_indices) for s in state)
        output, final = self._run(data, sizes, state)
        if unsorted_indices is not None:  # back to the caller's batch order
            final = tuple(s.index_select(1, unsorted_indices) for s in final)
        return PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices), final

    # -- input checks (nn.RNN's conditions and exception types) ------------------------------------

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

    def _check_tensor_input(self, input: Tensor, state: tuple[Tensor, ...] | None) -> None:
        if input.dim() not in (2, 3):
            raise ValueError(
                f"input: expected a 3-D tensor {self._layout()} or an unbatched 2-D tensor "
                f"{self._layout(False)}, got a {input.dim()}-D tensor of shape {fmt_shape(tuple(input.shape))}"
            )
        for name, s in zip(self._state_names(), state or ()):
            if s.dim() != input.dim():
                kind = "batched 3-D" if input.dim() == 3 else "unbatched 2-D"
                want = "(num_layers * num_directions, batch, " if input.dim() == 3 else "(num_layers * num_directions, "
                raise RuntimeError(
                    f"{name}: for {kind} input, expected a {input.dim()}-D {name} {want}{self._width_name(name)}), "
                    f"got a {s.dim()}-D tensor of shape {fmt_shape(tuple(s.shape))}"
                )
        self._check_features(input, input.dim(), self._layout(input.dim() == 3))
        seq_len = input.shape[1] if input.dim() == 3 and self.batch_first else input.shape[0]
        if seq_len == 0:
            raise RuntimeError(
                f"input: expected a sequence of at least one step, got seq_len 0 (input shape "
                f"{fmt_shape(tuple(input.shape))} read as {self._layout(input.dim() == 3)})"
            )

    def _state_names(self) -> tuple[str, ...]:
        return ("hx[0] (h_0)", "hx[1] (c_0)") if isinstance(self.cell, LSTM) else ("hx",)

    def _width_name(self, name: str) -> str:
        if self.proj_size and "c_0" not in name:
            return "proj_size"
        return "hidden_size"

    def _check_state(self, state: tuple[Tensor, ...] | None, batch: int | None) -> None:
        """Each state tensor must be (num_layers * num_directions, batch, width); no batch if ``batch`` is None."""
        if state is None:
            return
        layers = self.num_layers * (2 if self.bidirectional else 1)
        for name, s, width in zip(self._state_names(), state, self._widths()):
            expected = (layers, width) if batch is None else (layers, batch, width)
            meaning = (f"(num_layers * num_directions, {self._width_name(name)})"
                       + (" for unbatched input" if batch is None else ""))
            if batch is not None:
                meaning = f"(num_layers * num_directions, batch, {self._width_name(name)})"
            if tuple(s.shape) != expected:
                hint = ""
                if self.proj_size and "h_0" in name and s.shape[-1] == self.hidden_size:
                    hint = f" (with proj_size={self.proj_size}, h_0 has proj_size features; c_0 keeps hidden_size)"
                elif self.batch_first and batch is not None:
                    hint = f" ({name.split(' ')[0]} is never batch-first)"
                raise RuntimeError(
                    f"{name}: expected shape {fmt_shape(expected)} = {meaning}, got {fmt_shape(tuple(s.shape))}{hint}"
                )
            _check_dtype(name, s, self.weight_ih_l0)


class ManualRNN(ManualRNNBase):
    """A drop-in replacement for ``torch.nn.RNN`` (notebook 08)::

        output, h_n = ManualRNN(input_size, hidden_size, num_layers, nonlinearity="tanh")(input, hx)

    Same constructor, parameters, initialisation and forward as nn.RNN (see ``ManualRNNBase.forward``).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None, **unsupported) -> None:
        _refuse_proj_size("ManualRNN", "nn.RNN", unsupported)
        _check_nonlinearity(nonlinearity)
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size,
                         num_layers, bias, batch_first, dropout, bidirectional, 0, device, dtype)


class ManualLSTM(ManualRNNBase):
    """A drop-in replacement for ``torch.nn.LSTM``, ``proj_size`` included (notebook 13)::

        output, (h_n, c_n) = ManualLSTM(input_size, hidden_size, num_layers, proj_size=0)(input, (h_0, c_0))

    h_0 and h_n have ``proj_size`` features when ``proj_size > 0`` (else hidden_size); c_0 and c_n
    always hidden_size.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)


class ManualGRU(ManualRNNBase):
    """A drop-in replacement for ``torch.nn.GRU`` (notebook 14): ``output, h_n = ManualGRU(...)(input, hx)``."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None, **unsupported) -> None:
        _refuse_proj_size("ManualGRU", "nn.GRU", unsupported)
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         0, device, dtype)


# ---------------------------------------------------------------------------------------------
# The one-step modules
# ---------------------------------------------------------------------------------------------


class ManualRNNCellBase(nn.Module):
    """What ``ManualRNNCell``, ``ManualLSTMCell`` and ``ManualGRUCell`` share, as ``nn.RNNCellBase``.

    Parameters ``weight_ih`` (gates * hidden_size, input_size), ``weight_hh`` (gates * hidden_size,
    hidden_size), ``bias_ih``, ``bias_hh`` (gates * hidden_size,) (None with ``bias=False``), initialised as
    PyTorch's cells. The constructor checks its arguments (PyTorch's cells check almost none).
    """

    mode: str

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        _check_size("input_size", input_size)
        _check_size("hidden_size", hidden_size)
        _check_bool("bias", bias)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.cell = make_cell(self.mode)
        gate_size = self.cell.gates * hidden_size
        factory = {"device": device, "dtype": dtype}
        self.weight_ih = nn.Parameter(torch.empty(gate_size, input_size, **factory))
        self.weight_hh = nn.Parameter(torch.empty(gate_size, hidden_size, **factory))
        if bias:
            self.bias_ih = nn.Parameter(torch.empty(gate_size, **factory))
            self.bias_hh = nn.Parameter(torch.empty(gate_size, **factory))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) for every parameter, as PyTorch's cells."""
        _reset_uniform(self, self.hidden_size)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _check(self, input: Tensor, state: tuple[Tensor, ...] | None, names: tuple[str, ...]) -> None:
        if not isinstance(input, Tensor):
            raise TypeError(f"input: expected a tensor (batch, input_size), got {type(input).__name__}")
        if input.dim() not in (1, 2):
            raise ValueError(
                "input: expected a 2-D tensor (batch, input_size) or an unbatched 1-D tensor (input_size,), "
                f"got a {input.dim()}-D tensor of shape {fmt_shape(tuple(input.shape))}"
            )
        for name, s in zip(names, state or ()):
            if s.dim() not in (1, 2):
                raise ValueError(
                    f"{name}: expected a 2-D tensor (batch, hidden_size) or an unbatched 1-D tensor "
                    f"(hidden_size,), got a {s.dim()}-D tensor of shape {fmt_shape(tuple(s.shape))}"
                )
        _check_dtype("input", input, self.weight_ih)
        layout = "(batch, input_size)" if input.dim() == 2 else "(input_size,)"
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input: expected input_size={self.input_size} features in the last dimension of {layout}, "
                f"got {input.shape[-1]} (input shape {fmt_shape(tuple(input.shape))})"
            )
        expected = input.shape[:-1] + (self.hidden_size,)
        for name, s in zip(names, state or ()):
            if tuple(s.shape) != tuple(expected):
                want = "(batch, hidden_size)" if input.dim() == 2 else "(hidden_size,) for unbatched input"
                raise RuntimeError(
                    f"{name}: expected shape {fmt_shape(tuple(expected))} = {want}, got {fmt_shape(tuple(s.shape))}"
                )
            _check_dtype(name, s, self.weight_ih)

    def _zeros(self, input: Tensor) -> Tensor:
        return input.new_zeros(input.shape[:-1] + (self.hidden_size,))

    def _step(self, input: Tensor, state: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
        return step(self.cell, input, state, (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh))


class ManualRNNCell(ManualRNNCellBase):
    """A drop-in replacement for ``torch.nn.RNNCell``: ``h' = ManualRNNCell(...)(input, hx)`` (notebook 08).

    input: (batch, input_size) or unbatched (input_size,); hx: (batch, hidden_size) or (hidden_size,), or
    None for zeros. Returns h', shaped like hx.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None) -> None:
        _check_nonlinearity(nonlinearity)
        self.mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        state = _as_state(False, hx, "(batch, hidden_size)")
        self._check(input, state, ("hx",))
        (h,) = self._step(input, state or (self._zeros(input),))
        return h


class ManualLSTMCell(ManualRNNCellBase):
    """A drop-in replacement for ``torch.nn.LSTMCell``: ``h', c' = ManualLSTMCell(...)(input, (h, c))``."""

    mode = "LSTM"

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        state = _as_state(True, hx, "each (batch, hidden_size)")
        self._check(input, state, ("hx[0] (h)", "hx[1] (c)"))
        h, c = self._step(input, state or (self._zeros(input), self._zeros(input)))
        return h, c


class ManualGRUCell(ManualRNNCellBase):
    """A drop-in replacement for ``torch.nn.GRUCell``: ``h' = ManualGRUCell(...)(input, hx)``."""

    mode = "GRU"

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        state = _as_state(False, hx, "(batch, hidden_size)")
        self._check(input, state, ("hx",))
        (h,) = self._step(input, state or (self._zeros(input),))
        return h
