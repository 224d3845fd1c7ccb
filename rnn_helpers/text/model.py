"""A character-level language model (notebook 12): embedding, RNN, a linear head over the vocabulary.

The recurrent layer may be a plain RNN, a GRU or an LSTM (notebook 15); an LSTM's state is the pair
``(h, c)``, which ``detach_state`` detaches like a single tensor.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._checks import fmt_shape
from .batches import stream_batches


class CharLM(nn.Module):
    """Next-character scores: ``nn.Embedding`` -> an RNN -> ``nn.Linear`` to the vocabulary.

    vocab_size: V, the number of characters.
    rnn: ``nn.RNN`` or ``ManualRNN`` with ``batch_first=True``; its ``input_size`` is the embedding
        size E and its ``hidden_size`` H. The embedding and the head are made in the rnn's dtype.
        ``nn.GRU``/``ManualGRU`` and ``nn.LSTM``/``ManualLSTM`` work the same way (notebook 15); for an
        LSTM with ``proj_size`` P > 0 the head reads P features instead of H.

    forward(x, hx=None): x: (batch, seq_len) character ids; hx: (num_layers, batch, H) or None
    (zeros); for an LSTM the pair ``(h, c)``, each (num_layers, batch, H) (h: P wide with proj_size), or None. Returns
    ``(logits, state)``: logits (batch, seq_len, V), the scores of the character that comes after
    each input; state, the rnn's final state (``h_n``; for an LSTM ``(h_n, c_n)``), to carry into
    the next chunk (``detach_state`` it first when training).

    Parameters ``embedding.weight`` (V, E), ``rnn.*``, ``head.weight`` (V, H), ``head.bias`` (V,):
    the same names whichever rnn, so ``load_state_dict`` moves weights between an ``nn.RNN`` model
    and a ``ManualRNN`` one (or ``nn.LSTM`` and ``ManualLSTM``, ``nn.GRU`` and ``ManualGRU``).
    """

    def __init__(self, vocab_size: int, rnn: nn.Module) -> None:
        super().__init__()
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size < 1:
            raise ValueError(f"vocab_size: expected an int >= 1, got {vocab_size!r}")
        if not getattr(rnn, "batch_first", False):
            raise ValueError("rnn: expected an RNN built with batch_first=True (chunks are (batch, seq_len)), got batch_first=False")
        if getattr(rnn, "bidirectional", False):
            raise ValueError("rnn: expected a one-direction RNN (a language model must not read the future), got bidirectional=True")
        weight = rnn.weight_ih_l0
        factory = {"dtype": weight.dtype, "device": weight.device}
        self.vocab_size = vocab_size
        self.embedding = nn.Embedding(vocab_size, rnn.input_size, **factory)
        self.rnn = rnn
        self.head = nn.Linear(getattr(rnn, "proj_size", 0) or rnn.hidden_size, vocab_size, **factory)

    def forward(self, x: Tensor, hx: Tensor | tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor, Tensor | tuple[Tensor, Tensor]]:
        if not isinstance(x, Tensor) or x.dim() != 2:
            shape = fmt_shape(tuple(x.shape)) if isinstance(x, Tensor) else type(x).__name__
            raise ValueError(f"x: expected a 2-D tensor of ids (batch, seq_len), got {shape}")
        if x.dtype != torch.long:
            raise ValueError(f"x: expected character ids of dtype torch.long, got dtype {x.dtype}")
        if x.numel() and (int(x.min()) < 0 or int(x.max()) >= self.vocab_size):
            bad = int(x.min()) if int(x.min()) < 0 else int(x.max())
            raise ValueError(f"x: expected ids from 0 to vocab_size - 1 = {self.vocab_size - 1}, got {bad}")
        output, state = self.rnn(self.embedding(x), hx)   # (batch, seq_len, H), h_n or (h_n, c_n)
        return self.head(output), state

    def extra_repr(self) -> str:
        return f"vocab_size={self.vocab_size}"


def detach_state(state: Tensor | tuple[Tensor, ...] | None) -> Tensor | tuple[Tensor, ...] | None:
    """The same state without its history, to carry into the next chunk (notebook 12, section 2).

    state: a tensor (``h_n`` of an RNN or a GRU), a tuple of tensors (an LSTM's ``(h_n, c_n)``), or
    None. Returns the same kind: ``state.detach()``, a tuple of each part detached, or None.
    """
    if state is None:
        return None
    if isinstance(state, Tensor):
        return state.detach()
    if isinstance(state, tuple) and all(isinstance(s, Tensor) for s in state):
        return tuple(s.detach() for s in state)
    raise TypeError(f"state: expected a tensor, a tuple of tensors (an LSTM's (h, c)) or None, got {type(state).__name__}")


def evaluate_loss(model: nn.Module, ids: Tensor, batch_size: int, seq_len: int) -> float:
    """The mean cross-entropy per character of ``model`` on the stream ``ids`` (n,), in nats.

    The text is read as ``stream_batches(ids, batch_size, seq_len)``, the hidden state carried from
    chunk to chunk as in training, without gradients. Each chunk's mean loss is weighted by its
    number of characters, so a shorter last chunk counts for what it holds.
    """
    total, count, h = 0.0, 0, None
    with torch.no_grad():
        for x, y in stream_batches(ids, batch_size, seq_len):
            logits, h = model(x, h)
            total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum").item()
            count += y.numel()
    return total / count
