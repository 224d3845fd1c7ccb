"""rnn_helpers.text: vocabulary, the bracket language and its checkers, the loss by hand, stream batches,
the language model, and sampling (notebook 12)."""

import math
from collections import Counter

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from rnn_helpers import ManualGRU, ManualLSTM, ManualRNN
from rnn_helpers.text import (
    CharLM,
    Vocab,
    bracket_corpus,
    bracket_lines,
    closings,
    cross_entropy_by_hand,
    cross_entropy_grad_by_hand,
    detach_state,
    evaluate_loss,
    first_mistake,
    ideal_loss,
    judge,
    judge_all,
    log_softmax_by_hand,
    next_char_probs,
    perplexity,
    sample,
    sample_batch,
    stream_batches,
)

F64 = torch.float64
TIGHT = dict(atol=1e-12, rtol=1e-12)


# --- Vocab ------------------------------------------------------------------------------------


def test_vocab_sorts_the_distinct_characters_and_numbers_them():
    vocab = Vocab("ba(b\n")
    assert vocab.chars == ["\n", "(", "a", "b"]
    assert len(vocab) == 4
    assert vocab.encode("ab(").tolist() == [2, 3, 1]
    assert vocab.encode("ab(").dtype == torch.long
    assert repr(vocab) == "Vocab(4 characters: '\\n(ab')"


@given(st.text(alphabet="()[]ab\n", min_size=1, max_size=40))
def test_decode_inverts_encode(s):
    vocab = Vocab("()[]ab\n")
    ids = vocab.encode(s)
    assert ids.shape == (len(s),)
    assert vocab.decode(ids) == s
    assert vocab.decode(ids.tolist()) == s


def test_encode_names_the_unknown_character_and_where_it_is():
    with pytest.raises(ValueError, match=r"character '\{' at position 2 of '\(a\{b\}\)' is not in the vocabulary"):
        Vocab("()ab").encode("(a{b})")
    with pytest.raises(TypeError, match="expected a str"):
        Vocab("ab").encode(["a"])


@pytest.mark.parametrize(
    "ids, match",
    [
        (torch.tensor([[0, 1]]), "expected a 1-D tensor"),
        (torch.tensor([0.0, 1.0]), "integer ids"),
        (torch.tensor([0, 2]), r"expected ints from 0 to 1 \(the vocabulary\), got 2"),
        ([0, -1], "got -1"),
        ([True], "got True"),
    ],
)
def test_decode_rejects_what_is_not_an_id(ids, match):
    with pytest.raises(ValueError, match=match):
        Vocab("ab").decode(ids)


def test_an_empty_text_has_no_vocabulary():
    with pytest.raises(ValueError, match="at least one character"):
        Vocab("")


# --- the bracket language -----------------------------------------------------------------------


def _depths(line):
    depth, deepest = 0, 0
    for c in line:
        depth += c in "(["
        depth -= c in ")]"
        deepest = max(deepest, depth)
    return deepest


@pytest.mark.parametrize("max_len, max_depth", [(20, 4), (6, 1), (2, 3), (12, 2)])
def test_every_generated_line_is_well_formed_and_within_its_limits(max_len, max_depth):
    lines = bracket_lines(400, torch.Generator().manual_seed(0), max_len, max_depth)
    assert len(lines) == 400
    for line in lines:
        assert first_mistake(line) is None, line
        assert 1 <= len(line) <= max_len, line
        assert _depths(line) <= max_depth, line
        assert set(line) <= set("()[]ab"), line


def test_the_generator_uses_every_character_and_every_depth():
    lines = bracket_lines(2000, torch.Generator().manual_seed(1))
    assert set("".join(lines)) == set("()[]ab")
    assert {_depths(line) for line in lines} == {0, 1, 2, 3, 4}
    assert max(len(line) for line in lines) == 20


def test_the_same_seed_gives_the_same_lines_and_a_prefix_does_not_depend_on_n_lines():
    first = bracket_lines(50, torch.Generator().manual_seed(3))
    assert first == bracket_lines(50, torch.Generator().manual_seed(3))
    assert bracket_lines(20, torch.Generator().manual_seed(3)) == first[:20]
    assert first != bracket_lines(50, torch.Generator().manual_seed(4))


def test_the_corpus_is_the_lines_each_followed_by_a_newline():
    text = bracket_corpus(30, torch.Generator().manual_seed(5))
    assert text.endswith("\n")
    assert text.split("\n")[:-1] == bracket_lines(30, torch.Generator().manual_seed(5))


@pytest.mark.parametrize(
    "kwargs, match",
    [(dict(n_lines=0), "n_lines"), (dict(n_lines=2, max_len=1), "max_len"), (dict(n_lines=2, max_depth=0), "max_depth"),
     (dict(n_lines=2.0), "n_lines")],
)
def test_the_generator_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        bracket_lines(**kwargs)


@pytest.mark.parametrize(
    "line, mistake",
    [
        ("a(b[])b", None), ("[(a)[b]]", None), ("ab", None), ("", None),
        ("(]", "wrong type"), ("([)]", "wrong type"), ("a)", "nothing to close"), ("()]", "nothing to close"),
        ("((a)", "left open"), ("[", "left open"),
        ("(](", "wrong type"),   # the first mistake, reading left to right
    ],
)
def test_first_mistake(line, mistake):
    assert first_mistake(line) == mistake


def test_first_mistake_wants_one_line():
    with pytest.raises(ValueError, match="one line"):
        first_mistake("()\n()")
    with pytest.raises(TypeError, match="expected a str"):
        first_mistake(3)


def test_judge_scores_the_first_line_of_a_sample():
    assert judge("(a)\n((") == "valid"          # what follows the first newline is not judged
    assert judge("(a]\n()") == "wrong type"
    assert judge("((a)") == "unfinished"        # no newline: the line never ended
    assert judge("\n") == "valid"               # an empty line has no mistake
    assert judge_all(["()\n", "(]\n", "(", "a\n"]) == Counter(valid=2, **{"wrong type": 1, "unfinished": 1})


def test_closings_measures_the_distance_to_the_bracket_each_one_closes():
    distance, right = closings(["(ab[])", "(]", "a)", "[[]"])
    # "(ab[])": ']' at 4 closes '[' at 3 (1 back), ')' at 5 closes '(' at 0 (5 back); "(]": 1 back, wrong;
    # "a)": nothing to close, not listed; "[[]": ']' at 2 closes '[' at 1.
    assert distance.tolist() == [1, 5, 1, 1]
    assert right.tolist() == [True, True, False, True]
    assert distance.dtype == torch.long and right.dtype == torch.bool
    empty_distance, empty_right = closings([])
    assert empty_distance.shape == empty_right.shape == (0,)
    with pytest.raises(ValueError, match="without their newline"):
        closings(["()\n"])


def test_closings_counts_a_wrong_closer_as_closing_its_bracket():
    distance, right = closings(["([a)]"])
    assert distance.tolist() == [2, 4] and right.tolist() == [False, False]


# --- the generator's own probabilities ------------------------------------------------------


def test_next_char_probs_by_hand():
    # empty line: open or letter (no close, no end): 1/4 each for ( [ a b
    assert next_char_probs("") == {"(": 0.25, "[": 0.25, "a": 0.25, "b": 0.25}
    # after "(": open, close, letter
    assert next_char_probs("(") == pytest.approx({"(": 1 / 6, "[": 1 / 6, ")": 1 / 3, "a": 1 / 6, "b": 1 / 6})
    # after "a": open, letter, end
    assert next_char_probs("a") == pytest.approx({"(": 1 / 6, "[": 1 / 6, "a": 1 / 6, "b": 1 / 6, "\n": 1 / 3})
    # 18 characters, one open: only room to close it
    assert next_char_probs("[" + "a" * 18, max_len=20) == {"]": 1.0}
    # max_depth reached: no opening bracket
    assert "(" not in next_char_probs("((((", max_depth=4)


def test_next_char_probs_sum_to_one_on_every_prefix():
    for line in bracket_lines(50, torch.Generator().manual_seed(6)):
        for i in range(len(line) + 1):
            assert math.isclose(sum(next_char_probs(line[:i]).values()), 1.0, rel_tol=1e-12)


def test_next_char_probs_are_the_frequencies_the_generator_writes():
    lines = bracket_lines(20000, torch.Generator().manual_seed(7))
    for prefix in ["", "(", "a", "[a"]:
        after = Counter(line[len(prefix)] if len(line) > len(prefix) else "\n" for line in lines if line.startswith(prefix))
        n = sum(after.values())
        assert n > 500
        for char, p in next_char_probs(prefix).items():
            assert abs(after[char] / n - p) < 4 * math.sqrt(p * (1 - p) / n) + 1e-9, (prefix, char)
        assert set(after) <= set(next_char_probs(prefix))


def test_next_char_probs_refuses_a_prefix_the_generator_cannot_write():
    with pytest.raises(ValueError, match=r"character '\]' at position 1 is not allowed"):
        next_char_probs("(]")
    with pytest.raises(ValueError, match="without a newline"):
        next_char_probs("a\n")


def test_ideal_loss_by_hand_and_on_a_corpus():
    # "a\n": 'a' first (1/4), then '\n' among open/letter/end (1/3)
    assert ideal_loss("a\n") == pytest.approx((math.log(4) + math.log(3)) / 2, rel=1e-12)
    text = bracket_corpus(500, torch.Generator().manual_seed(8))
    assert 1.0 < ideal_loss(text) < math.log(7)
    with pytest.raises(ValueError, match="whole lines"):
        ideal_loss("ab")
    with pytest.raises(ValueError, match="not allowed"):
        ideal_loss("(]\n")


# --- the loss by hand -----------------------------------------------------------------------------


@given(
    n=st.integers(1, 12), v=st.integers(1, 9), scale=st.sampled_from([1.0, 30.0, 1000.0]), seed=st.integers(0, 2**16)
)
def test_cross_entropy_and_its_gradient_match_pytorch(n, v, scale, seed):
    gen = torch.Generator().manual_seed(seed)
    logits = scale * torch.randn(n, v, dtype=F64, generator=gen)
    targets = torch.randint(0, v, (n,), generator=gen)
    torch.testing.assert_close(cross_entropy_by_hand(logits, targets), F.cross_entropy(logits, targets), **TIGHT)
    torch.testing.assert_close(log_softmax_by_hand(logits), F.log_softmax(logits, dim=1), **TIGHT)
    leaf = logits.clone().requires_grad_()
    F.cross_entropy(leaf, targets).backward()
    torch.testing.assert_close(cross_entropy_grad_by_hand(logits, targets), leaf.grad, **TIGHT)


def test_cross_entropy_is_finite_where_the_naive_formula_overflows():
    logits = torch.tensor([[1000.0, 10.0, 0.0], [0.0, 1000.0, 990.0]], dtype=F64)
    targets = torch.tensor([0, 2])
    naive = -(logits.exp() / logits.exp().sum(dim=1, keepdim=True))[torch.arange(2), targets].log().mean()
    assert torch.isnan(naive)
    assert cross_entropy_by_hand(logits, targets).item() == pytest.approx(5.0 + 0.5 * math.log1p(math.exp(-10)))


def test_the_gradient_rows_sum_to_zero_and_do_not_touch_their_input():
    logits = torch.randn(6, 5, dtype=F64)
    before = logits.clone()
    grad = cross_entropy_grad_by_hand(logits, torch.tensor([0, 1, 2, 3, 4, 0]))
    torch.testing.assert_close(grad.sum(dim=1), torch.zeros(6, dtype=F64), atol=1e-15, rtol=0)
    assert torch.equal(logits, before)


@pytest.mark.parametrize(
    "logits, targets, error, match",
    [
        (torch.zeros(4, 3), torch.tensor([0, 1, 2, 3]), ValueError, r"class ids from 0 to V - 1 = 2, got 3"),
        (torch.zeros(4, 3), torch.tensor([0, -1, 2, 1]), ValueError, "got -1"),
        (torch.zeros(4, 3), torch.tensor([0, 1, 2]), ValueError, r"expected shape \(4,\)"),
        (torch.zeros(4, 3), torch.tensor([0.0, 1.0, 2.0, 1.0]), ValueError, "torch.long"),
        (torch.zeros(2, 4, 3), torch.tensor([0, 1]), ValueError, r"2-D tensor \(N, V\).*reshape\(-1, V\)"),
        (torch.zeros(4, 3, dtype=torch.long), torch.tensor([0, 1, 2, 1]), ValueError, "floating-point"),
        (torch.zeros(0, 3), torch.zeros(0, dtype=torch.long), ValueError, "N, V >= 1"),
        ([[0.0]], torch.tensor([0]), TypeError, "two tensors"),
    ],
)
def test_the_loss_rejects_bad_input_naming_expected_and_actual(logits, targets, error, match):
    with pytest.raises(error, match=match):
        cross_entropy_by_hand(logits, targets)
    with pytest.raises(error, match=match):
        cross_entropy_grad_by_hand(logits, targets)


def test_perplexity_of_uniform_guessing_is_the_vocabulary_size():
    for v in [1, 2, 7, 50]:
        loss = cross_entropy_by_hand(torch.zeros(5, v, dtype=F64), torch.zeros(5, dtype=torch.long))
        assert perplexity(loss) == pytest.approx(v, rel=1e-12)
    assert perplexity(0.0) == 1.0
    assert perplexity(torch.tensor(math.log(3.0))) == pytest.approx(3.0)
    for bad in [-0.1, float("nan"), torch.zeros(2), "1.0", True]:
        with pytest.raises(ValueError, match="loss"):
            perplexity(bad)


# --- stream_batches ---------------------------------------------------------------------------------


@given(n=st.integers(2, 120), batch_size=st.integers(1, 9), seq_len=st.integers(1, 12))
def test_stream_batches_lays_the_stream_out_in_rows_that_continue_across_chunks(n, batch_size, seq_len):
    ids = torch.arange(n)
    if n - 1 < batch_size:
        with pytest.raises(ValueError, match=f"at least batch_size \\+ 1 = {batch_size + 1} ids"):
            stream_batches(ids, batch_size, seq_len)
        return
    chunks = stream_batches(ids, batch_size, seq_len)
    per_row = (n - 1) // batch_size
    assert len(chunks) == math.ceil(per_row / seq_len)
    for k, (x, y) in enumerate(chunks):
        width = min(seq_len, per_row - k * seq_len)
        assert x.shape == y.shape == (batch_size, width)
        assert torch.equal(y, x + 1), "the target is the next id of the stream"
    rows = torch.cat([x for x, _ in chunks], dim=1)                       # (batch_size, per_row)
    for b in range(batch_size):
        assert torch.equal(rows[b], ids[b * per_row : (b + 1) * per_row]), "row b is the b-th piece of the stream"


@pytest.mark.parametrize(
    "ids, batch_size, seq_len, match",
    [
        (torch.arange(10), 2, 0, r"seq_len: expected an int >= 1, got 0"),
        (torch.arange(10), 0, 3, r"batch_size: expected an int >= 1, got 0"),
        (torch.arange(10), 2, 2.5, "seq_len"),
        (torch.arange(10).view(2, 5), 2, 3, r"1-D tensor \(n,\).*\(2, 5\)"),
        (torch.arange(10.0), 2, 3, "integer token ids"),
        (torch.arange(3), 3, 2, r"at least batch_size \+ 1 = 4 ids.*got 3"),
    ],
)
def test_stream_batches_rejects_bad_arguments(ids, batch_size, seq_len, match):
    with pytest.raises(ValueError, match=match):
        stream_batches(ids, batch_size, seq_len)


# --- CharLM and evaluate_loss ---------------------------------------------------------------------


def _model(rnn_class=nn.RNN, vocab_size=7, seed=0, **kwargs):
    torch.manual_seed(seed)
    return CharLM(vocab_size, rnn_class(5, 6, batch_first=True, dtype=F64, **kwargs))


def test_charlm_shapes_and_parameter_names():
    model = _model()
    x = torch.randint(0, 7, (3, 4))
    logits, h_n = model(x)
    assert logits.shape == (3, 4, 7) and h_n.shape == (1, 3, 6)
    assert logits.dtype == F64
    assert [name for name, _ in model.named_parameters()] == [
        "embedding.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
        "head.weight", "head.bias",
    ]


def test_charlm_is_embedding_then_rnn_then_head():
    model = _model()
    x = torch.randint(0, 7, (2, 5))
    h0 = torch.randn(1, 2, 6, dtype=F64)
    output, h_n = model.rnn(model.embedding.weight[x], h0)
    logits, state = model(x, h0)
    torch.testing.assert_close(logits, output @ model.head.weight.T + model.head.bias, **TIGHT)
    torch.testing.assert_close(state, h_n, **TIGHT)


def test_charlm_on_manual_rnn_equals_charlm_on_nn_rnn():
    reference, manual = _model(nn.RNN), _model(ManualRNN, seed=1)
    manual.load_state_dict(reference.state_dict())
    x = torch.randint(0, 7, (3, 8))
    torch.testing.assert_close(manual(x)[0], reference(x)[0], atol=1e-10, rtol=1e-10)


@pytest.mark.parametrize(
    "rnn, match",
    [
        (nn.RNN(4, 5), "batch_first=True"),
        (nn.RNN(4, 5, batch_first=True, bidirectional=True), "one-direction"),
    ],
)
def test_charlm_rejects_an_rnn_it_cannot_use(rnn, match):
    with pytest.raises(ValueError, match=match):
        CharLM(7, rnn)
    with pytest.raises(ValueError, match="vocab_size"):
        CharLM(0, nn.RNN(4, 5, batch_first=True))


@pytest.mark.parametrize(
    "x, match",
    [
        (torch.tensor([1, 2, 3]), r"2-D tensor of ids \(batch, seq_len\), got \(3,\)"),
        (torch.zeros(2, 3), "torch.long"),
        (torch.tensor([[0, 7]]), r"ids from 0 to vocab_size - 1 = 6, got 7"),
        (torch.tensor([[0, -2]]), "got -2"),
    ],
)
def test_charlm_rejects_bad_input(x, match):
    with pytest.raises(ValueError, match=match):
        _model()(x)


def test_evaluate_loss_equals_the_loss_of_the_whole_rows_read_at_once():
    model = _model()
    ids = torch.randint(0, 7, (101,), generator=torch.Generator().manual_seed(2))
    got = evaluate_loss(model, ids, batch_size=4, seq_len=7)              # 25 per row: chunks of 7, 7, 7, 4
    per_row = 100 // 4
    x, y = ids[: 4 * per_row].view(4, per_row), ids[1 : 4 * per_row + 1].view(4, per_row)
    with torch.no_grad():
        logits, _ = model(x)
    want = F.cross_entropy(logits.reshape(-1, 7), y.reshape(-1)).item()
    assert got == pytest.approx(want, rel=1e-12)
    assert torch.is_grad_enabled()


def test_charlm_on_an_lstm_carries_the_pair_and_its_head_reads_h():
    model = _model(nn.LSTM)
    x = torch.randint(0, 7, (3, 5))
    h0, c0 = torch.randn(1, 3, 6, dtype=F64), torch.randn(1, 3, 6, dtype=F64)
    output, (h_n, c_n) = model.rnn(model.embedding.weight[x], (h0, c0))
    logits, state = model(x, (h0, c0))
    assert isinstance(state, tuple) and len(state) == 2
    torch.testing.assert_close(logits, output @ model.head.weight.T + model.head.bias, **TIGHT)
    torch.testing.assert_close(state[0], h_n, **TIGHT)
    torch.testing.assert_close(state[1], c_n, **TIGHT)


def test_charlm_on_a_projected_lstm_has_a_head_of_proj_size():
    model = _model(nn.LSTM, proj_size=3)
    assert model.head.in_features == 3
    logits, (h_n, c_n) = model(torch.randint(0, 7, (2, 4)))
    assert logits.shape == (2, 4, 7) and h_n.shape == (1, 2, 3) and c_n.shape == (1, 2, 6)


@pytest.mark.parametrize("manual_class, torch_class", [(ManualLSTM, nn.LSTM), (ManualGRU, nn.GRU)])
def test_charlm_on_manual_gated_cells_equals_charlm_on_pytorchs(manual_class, torch_class):
    reference, manual = _model(torch_class), _model(manual_class, seed=1)
    manual.load_state_dict(reference.state_dict())
    x = torch.randint(0, 7, (3, 8))
    torch.testing.assert_close(manual(x)[0], reference(x)[0], atol=1e-10, rtol=1e-10)


def test_a_state_carried_chunk_to_chunk_equals_whole_rows_for_every_cell():
    ids = torch.randint(0, 7, (3, 12), generator=torch.Generator().manual_seed(4))
    for rnn_class in (nn.RNN, nn.GRU, nn.LSTM):
        model = _model(rnn_class)
        with torch.no_grad():
            whole, _ = model(ids)
            first, state = model(ids[:, :5])
            second, _ = model(ids[:, 5:], detach_state(state))
        torch.testing.assert_close(torch.cat([first, second], dim=1), whole, **TIGHT)


def test_detach_state_keeps_the_values_and_drops_the_history():
    h = torch.randn(1, 2, 3, dtype=F64, requires_grad=True) * 2
    pair = (h * 3, h + 1)
    assert detach_state(None) is None
    assert not detach_state(h).requires_grad and torch.equal(detach_state(h), h)
    detached = detach_state(pair)
    assert isinstance(detached, tuple) and len(detached) == 2
    assert all(not d.requires_grad and torch.equal(d, s) for d, s in zip(detached, pair))
    with pytest.raises(TypeError, match=r"tuple of tensors .* got list"):
        detach_state([h, h])


def test_evaluate_loss_and_sampling_carry_an_lstms_pair():
    model = _model(nn.LSTM)
    ids = torch.randint(0, 7, (60,), generator=torch.Generator().manual_seed(5))
    got = evaluate_loss(model, ids, batch_size=2, seq_len=7)     # chunks of 7, the state (h, c) carried
    per_row = 59 // 2
    x, y = ids[: 2 * per_row].view(2, per_row), ids[1 : 2 * per_row + 1].view(2, per_row)
    with torch.no_grad():
        logits, _ = model(x)
    assert got == pytest.approx(F.cross_entropy(logits.reshape(-1, 7), y.reshape(-1)).item(), rel=1e-12)
    vocab = Vocab("abcdefg")
    samples = sample_batch(model, vocab, "ab", 6, 3, 1.0, torch.Generator().manual_seed(1))
    assert len(samples) == 3 and all(len(s) == 6 for s in samples)


# --- sampling --------------------------------------------------------------------------------------


class NextLetter(nn.Module):
    """A fake language model that is sure the next id is (current id + 1) mod V."""

    def __init__(self, vocab_size, sureness=50.0):
        super().__init__()
        self.vocab_size, self.sureness = vocab_size, sureness

    def forward(self, x, state=None):
        logits = self.sureness * F.one_hot((x + 1) % self.vocab_size, self.vocab_size).to(F64)
        return logits, state


def test_sampling_feeds_each_drawn_character_back_in():
    vocab = Vocab("abcd")
    assert sample(NextLetter(4), vocab, "ab", 6, 1.0, torch.Generator().manual_seed(0)) == "cdabcd"
    assert sample_batch(NextLetter(4), vocab, "d", 3, 5, 1.0) == ["abc"] * 5


def test_sampling_is_reproducible_from_the_generator_and_varies_with_its_seed():
    model, vocab = _model(), Vocab("()[]ab\n")
    a = sample(model, vocab, "\n", 40, 1.0, torch.Generator().manual_seed(3))
    assert a == sample(model, vocab, "\n", 40, 1.0, torch.Generator().manual_seed(3))
    assert a != sample(model, vocab, "\n", 40, 1.0, torch.Generator().manual_seed(4))
    assert len(a) == 40 and set(a) <= set(vocab.chars)


def test_sample_is_the_loop_written_out():
    model, vocab = _model(), Vocab("()[]ab\n")
    gen = torch.Generator().manual_seed(9)
    with torch.no_grad():
        logits, h = model(vocab.encode("(a").unsqueeze(0))
        drawn = []
        for _ in range(25):
            probs = F.softmax(logits[:, -1] / 0.7, dim=-1)
            next_id = torch.multinomial(probs, 1, generator=gen)
            drawn.append(next_id.item())
            logits, h = model(next_id, h)
    assert sample(model, vocab, "(a", 25, 0.7, torch.Generator().manual_seed(9)) == vocab.decode(drawn)


def test_temperature_zero_is_argmax_and_a_small_temperature_approaches_it():
    model, vocab = _model(), Vocab("()[]ab\n")
    with torch.no_grad():
        logits, h = model(vocab.encode("[").unsqueeze(0))
        greedy = []
        for _ in range(20):
            next_id = logits[:, -1].argmax(dim=-1, keepdim=True)
            greedy.append(next_id.item())
            logits, h = model(next_id, h)
    assert sample(model, vocab, "[", 20, 0) == vocab.decode(greedy)
    assert sample_batch(model, vocab, "[", 20, 3, 0) == [vocab.decode(greedy)] * 3
    cold = sample(NextLetter(4, sureness=0.05), Vocab("abcd"), "a", 30, 1e-4, torch.Generator().manual_seed(0))
    assert cold == ("bcda" * 8)[:30]


def test_a_high_temperature_approaches_uniform_noise():
    drawn = "".join(sample_batch(NextLetter(4, sureness=3.0), Vocab("abcd"), "a", 1, 4000, 1000.0,
                                 torch.Generator().manual_seed(1)))
    counts = Counter(drawn)
    assert all(abs(counts[c] / 4000 - 0.25) < 4 * math.sqrt(0.25 * 0.75 / 4000) for c in "abcd")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(prompt="(x"), r"character 'x' at position 1 of '\(x' is not in the vocabulary"),
        (dict(prompt=""), "non-empty"),
        (dict(length=0), r"length: expected an int >= 1, got 0"),
        (dict(num_samples=0), r"num_samples: expected an int >= 1, got 0"),
        (dict(temperature=-1.0), "temperature: expected a number >= 0"),
        (dict(temperature=True), "temperature"),
    ],
)
def test_sampling_rejects_bad_arguments(kwargs, match):
    args = dict(prompt="(", length=5, num_samples=2, temperature=1.0) | kwargs
    with pytest.raises(ValueError, match=match):
        sample_batch(_model(), Vocab("()[]ab\n"), **args)
