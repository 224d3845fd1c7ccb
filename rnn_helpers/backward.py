"""Backpropagation through time by hand (notebook 09).

The forward pass of one layer and direction is, for every step t::

    a_t = x_t @ w_ih.T + b_ih + h_{t-1} @ w_hh.T + b_hh     # pre-activation
    h_t = act(a_t)                                           # act: tanh or relu

Given ``g_t = dL/dh_t`` (what reaches h_t from the output *and* from step t+1),
the chain rule gives, with ``*`` elementwise::

    dL/da_t     = g_t * act'(a_t)      tanh: 1 - h_t**2    relu: (a_t > 0), i.e. (h_t > 0)
    dL/dw_ih   += dL/da_t.T @ x_t
    dL/dw_hh   += dL/da_t.T @ h_{t-1}
    dL/db_ih   += dL/da_t summed over the batch   (and dL/db_hh is the same)
    dL/dx_t     = dL/da_t @ w_ih
    dL/dh_{t-1} = dL/da_t @ w_hh   (+ the output's own gradient at step t-1)

``rnn_layer_backward`` walks one layer and direction backwards through time with
these lines; ``rnn_backward`` runs it over every direction and layer, top layer
first, exactly mirroring ``rnn_forward``. No autograd is involved, which is the point.

These lines are ``cells.Elman.backward_step``, and the walk over time is the layer engine's
``backward_layer`` (``engine.py``): the same backward pass that trains ``ManualRNN``. Only the
weight gradients are arranged differently there: instead of adding ``dL/da_t.T @ x_t`` at every
step, the engine stacks every step's ``dL/da_t`` and multiplies once (the same sum, one product).
``lstm_layer_backward`` does the same for an LSTM layer (notebook 13), with the cell state's path.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ._checks import check_nonlinearity, check_same_dtype, check_shape, fmt_shape
from .cells import LSTM, Elman, LayerWeights, LSTMWeights
from .engine import _Buffers, backward_layer, forward_layer
from .functional import check_weights, rnn_layer
from .weights import get_weights, param_name


def _grads_as_weights(grads: dict, weights) -> LayerWeights | LSTMWeights:
    values = [grads[k] if w is not None else None for k, w in zip(("w_ih", "w_hh", "b_ih", "b_hh", "w_hr"), weights)]
    return LSTMWeights(*values) if len(values) == 5 else LayerWeights(*values)


def rnn_layer_backward(
    x: Tensor,
    h0: Tensor,
    weights: LayerWeights,
    output: Tensor,
    grad_output: Tensor,
    grad_h_n: Tensor,
    nonlinearity: str = "tanh",
    reverse: bool = False,
    *,
    return_state_grads: bool = False,
) -> tuple[Tensor, Tensor, LayerWeights] | tuple[Tensor, Tensor, LayerWeights, Tensor]:
    """Backpropagation through time for one layer in one direction.

    x: (seq_len, batch, input_size), the layer's input (sequence first)
    h0: (batch, hidden_size), the state the layer started from
    weights: ``LayerWeights(w_ih, w_hh, b_ih, b_hh)`` of this layer and direction
    output: (seq_len, batch, hidden_size), the forward pass's ``h_t`` for every t
        (``rnn_layer``'s output)
    grad_output: (seq_len, batch, hidden_size), dL/d output[t] for every t
    grad_h_n: (batch, hidden_size), dL/d h_n: enters at the direction's last step
        (t = seq_len - 1 forwards, t = 0 in reverse)
    reverse: the layer ran from the last step to the first, so its backward pass
        runs from the first step to the last.

    Returns ``(grad_x, grad_h0, grads)``: grad_x (seq_len, batch, input_size),
    grad_h0 (batch, hidden_size), and ``grads``, a ``LayerWeights`` of the four
    parameter gradients (its b_ih/b_hh are None when the weights have no bias).
    With ``return_state_grads=True`` a fourth entry, (seq_len, batch, hidden_size):
    row t is the total ``dL/dh_t`` (direct plus through the recurrence; notebook 10).
    """
    check_nonlinearity(nonlinearity)
    cell = Elman(nonlinearity)
    hidden, _ = check_weights(cell, weights)
    check_shape("x", x, ("seq_len", "batch", weights[0].shape[1]))
    seq_len, batch, _ = x.shape
    check_shape("h0", h0, (batch, hidden))
    check_shape("output", output, (seq_len, batch, hidden))
    check_shape("grad_output", grad_output, (seq_len, batch, hidden))
    check_shape("grad_h_n", grad_h_n, (batch, hidden))
    check_same_dtype(x=x, h0=h0, output=output, grad_output=grad_output, grad_h_n=grad_h_n, w_ih=weights[0])

    sizes = [batch] * seq_len
    rows = output.reshape(seq_len * batch, hidden)  # the engine's layout: time-major rows
    with torch.no_grad():
        grads = backward_layer(
            cell, sizes, reverse, x.reshape(seq_len * batch, -1), *weights, None, (h0,),
            _Buffers(rows, [rows], {}, sizes), grad_output.reshape(seq_len * batch, hidden), (grad_h_n,),
            state_grads=return_state_grads,
        )
    result = (grads["x"].view_as(x), grads["state0"][0], _grads_as_weights(grads, weights))
    if return_state_grads:
        return (*result, grads["states"][0].view(seq_len, batch, hidden))
    return result


def lstm_layer_backward(
    x: Tensor,
    state0: tuple[Tensor, Tensor] | None,
    weights: LayerWeights | LSTMWeights,
    grad_output: Tensor,
    grad_h_n: Tensor | None = None,
    grad_c_n: Tensor | None = None,
    reverse: bool = False,
    *,
    return_state_grads: bool = False,
):
    """Backpropagation through time for one LSTM layer in one direction, by hand (notebook 13).

    x: (seq_len, batch, input_size); state0: ``(h0, c0)`` or None for zeros; weights: ``LayerWeights``
    (or ``LSTMWeights`` with w_hr); grad_output: (seq_len, batch, h width), dL/d output[t];
    grad_h_n, grad_c_n: dL/dh_n, dL/dc_n, (batch, ·), or None for zeros. The forward pass is run
    again (``engine.forward_layer``) to keep the gate activations, then walked backwards:
    ``cells.LSTM.backward_step`` at every step.

    Returns ``(grad_x, (grad_h0, grad_c0), grads)``, grads a ``LayerWeights``/``LSTMWeights`` of the
    parameter gradients. With ``return_state_grads=True`` a fourth entry ``(dh, dc)``, each
    (seq_len, batch, ·): row t is the total gradient reaching h_t and c_t. ``dc`` shows the cell
    state's additive path: ``dL/dc_{t-1} = dL/dc_t * f_t + ...``, no weight matrix in the way.
    """
    cell = LSTM()
    hidden, proj = check_weights(cell, weights)
    check_shape("x", x, ("seq_len", "batch", weights[0].shape[1]))
    seq_len, batch, _ = x.shape
    widths = cell.state_sizes(hidden, proj)
    if state0 is None:
        state0 = tuple(x.new_zeros(batch, w) for w in widths)
    for name, s, w in zip(("h0", "c0"), state0, widths):
        check_shape(name, s, (batch, w))
    check_shape("grad_output", grad_output, (seq_len, batch, widths[0]))
    for name, g, w in zip(("grad_h_n", "grad_c_n"), (grad_h_n, grad_c_n), widths):
        if g is not None:
            check_shape(name, g, (batch, w))
    check_same_dtype(x=x, h0=state0[0], c0=state0[1], grad_output=grad_output, w_ih=weights[0])

    sizes = [batch] * seq_len
    weights5 = (*weights, None)[:5]
    with torch.no_grad():
        flat_x = x.reshape(seq_len * batch, -1)
        _, _, buffers = forward_layer(cell, sizes, reverse, flat_x, *weights5, tuple(state0))
        grads = backward_layer(cell, sizes, reverse, flat_x, *weights5, tuple(state0), buffers,
                               grad_output.reshape(seq_len * batch, -1), (grad_h_n, grad_c_n),
                               state_grads=return_state_grads)
    result = (grads["x"].view_as(x), grads["state0"], _grads_as_weights(grads, weights))
    if return_state_grads:
        dh, dc = grads["states"]
        return (*result, (dh.view(seq_len, batch, -1), dc.view(seq_len, batch, -1)))
    return result


def _expect(name: str, tensor: Tensor, expected: tuple[int, ...], meaning: str) -> None:
    """ValueError naming expected and actual shape (and what the expected dimensions mean)."""
    if not hasattr(tensor, "shape"):
        raise TypeError(f"{name}: expected a tensor, got {type(tensor).__name__}")
    if tuple(tensor.shape) != tuple(expected):
        raise ValueError(
            f"{name}: expected shape {fmt_shape(expected)} = {meaning}, got {fmt_shape(tuple(tensor.shape))}"
        )


def rnn_backward(
    rnn: nn.Module,
    input: Tensor,
    hx: Tensor | None,
    grad_output: Tensor | None,
    grad_h_n: Tensor | None,
) -> dict[str, Tensor]:
    """Every gradient of an nn.RNN (or ManualRNN) forward pass, by hand, without autograd.

    rnn: an ``nn.RNN`` or a ``ManualRNN`` (any num_layers, tanh or relu, bias or not,
        batch_first, bidirectional). Dropout must be 0 or the module in eval mode.
    input: (seq_len, batch, input_size), or (batch, seq_len, input_size) if batch_first
    hx: (num_layers * num_directions, batch, hidden_size), or None for zeros
    grad_output: dL/d output, the shape of the forward pass's ``output``:
        (seq_len, batch, num_directions * hidden_size) (batch-first if the rnn is);
        None means zeros (the loss does not use ``output``)
    grad_h_n: dL/d h_n, (num_layers * num_directions, batch, hidden_size); None means zeros

    Returns a dict: one entry per name in ``rnn.named_parameters()`` (e.g.
    ``"weight_hh_l1_reverse"``), the gradient of that parameter, plus ``"input"``
    (the input's shape and layout) and ``"hx"`` (the shape of ``hx``, even when
    ``hx`` was None: then it is the gradient w.r.t. the zero initial state).

    The forward pass is recomputed (``rnn_layer`` per layer and direction, keeping
    every layer's input and hidden states), then ``rnn_layer_backward`` runs from the
    top layer down. Runs under ``torch.no_grad()``; raises ``ValueError`` for wrong
    shapes and for dropout that would be active (training mode, dropout > 0).
    """
    for attr in ("num_layers", "bidirectional", "batch_first", "nonlinearity", "dropout", "training"):
        if not hasattr(rnn, attr):
            raise TypeError(f"rnn: expected an nn.RNN or ManualRNN (with .{attr}), got {type(rnn).__name__}")
    check_nonlinearity(rnn.nonlinearity)
    if rnn.training and rnn.dropout > 0:
        raise ValueError(
            f"rnn: dropout={rnn.dropout} in training mode draws a random mask that this function cannot "
            "reproduce; call rnn.eval() (or build it with dropout=0) first"
        )
    num_layers = rnn.num_layers
    num_dirs = 2 if rnn.bidirectional else 1
    weights = get_weights(rnn)
    for w in weights:
        check_weights(Elman(rnn.nonlinearity), w)
    input_size, hidden_size = weights[0].input_size, weights[0].hidden_size

    layout = ("batch", "seq_len", input_size) if rnn.batch_first else ("seq_len", "batch", input_size)
    check_shape("input", input, layout)
    x = input.transpose(0, 1) if rnn.batch_first else input  # sequence first from here on
    seq_len, batch, _ = x.shape
    if seq_len == 0:
        raise ValueError("input: expected a sequence of at least one step, got seq_len 0")

    state_shape = (num_layers * num_dirs, batch, hidden_size)
    state_meaning = "(num_layers * num_directions, batch, hidden_size)"
    out_features = num_dirs * hidden_size
    if rnn.batch_first:
        out_shape, out_meaning = (batch, seq_len, out_features), "(batch, seq_len, num_directions * hidden_size)"
    else:
        out_shape, out_meaning = (seq_len, batch, out_features), "(seq_len, batch, num_directions * hidden_size)"
    if hx is not None:
        _expect("hx", hx, state_shape, state_meaning + " (never batch-first)")
    if grad_output is not None:
        _expect("grad_output", grad_output, out_shape, "output's shape " + out_meaning)
    if grad_h_n is not None:
        _expect("grad_h_n", grad_h_n, state_shape, "h_n's shape " + state_meaning + " (never batch-first)")
    check_same_dtype(input=input, hx=hx, grad_output=grad_output, grad_h_n=grad_h_n, weight_ih_l0=weights[0].w_ih)

    with torch.no_grad():
        if hx is None:
            hx = x.new_zeros(state_shape)
        if grad_h_n is None:
            grad_h_n = x.new_zeros(state_shape)
        if grad_output is None:
            grad_out = x.new_zeros(seq_len, batch, out_features)
        else:
            grad_out = grad_output.transpose(0, 1) if rnn.batch_first else grad_output

        # 1. Forward again, keeping what the backward pass needs: each layer's input
        #    and each direction's hidden states h_t.
        layer_inputs: list[Tensor] = []
        layer_outputs: list[list[Tensor]] = []
        layer_input = x
        for layer in range(num_layers):
            outputs = []
            for direction in range(num_dirs):
                k = layer * num_dirs + direction
                out, _ = rnn_layer(
                    layer_input, hx[k], *weights[k], nonlinearity=rnn.nonlinearity, reverse=direction == 1
                )
                outputs.append(out)
            layer_inputs.append(layer_input)
            layer_outputs.append(outputs)
            layer_input = torch.cat(outputs, dim=2)

        # 2. Backward, top layer first. grad_layer_output is dL/d(this layer's output):
        #    its first hidden_size features belong to the forward direction, the rest to
        #    the reverse one. Both directions read the same input, so their input
        #    gradients add up, and become dL/d(the layer below's output).
        grads: dict[str, Tensor] = {}
        grad_hx = torch.zeros_like(hx)
        grad_layer_output = grad_out
        for layer in reversed(range(num_layers)):
            grad_layer_input = torch.zeros_like(layer_inputs[layer])
            for direction in range(num_dirs):
                k = layer * num_dirs + direction
                features = slice(direction * hidden_size, (direction + 1) * hidden_size)
                grad_x, grad_h0, layer_grads = rnn_layer_backward(
                    layer_inputs[layer],
                    hx[k],
                    weights[k],
                    layer_outputs[layer][direction],
                    grad_layer_output[:, :, features],
                    grad_h_n[k],
                    nonlinearity=rnn.nonlinearity,
                    reverse=direction == 1,
                )
                grad_layer_input += grad_x
                grad_hx[k] = grad_h0
                for kind, grad in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), layer_grads):
                    if grad is not None:
                        grads[param_name(kind, layer, reverse=direction == 1)] = grad
            grad_layer_output = grad_layer_input

    result: dict[str, Tensor] = {}
    for name, _ in rnn.named_parameters():
        if name not in grads:
            raise ValueError(f"rnn: unexpected parameter {name!r}; expected only nn.RNN's parameter names")
        result[name] = grads[name]
    result["input"] = grad_layer_output.transpose(0, 1).contiguous() if rnn.batch_first else grad_layer_output
    result["hx"] = grad_hx
    return result
