"""The one place that names the repository, the revision notebooks install from, and the series' titles.

tools/headers.py builds every notebook's header from this file; tests fail if a header drifts.
"""

# The GitHub repository the badges and the Colab install point at (owner/name).
REPO = "rnns-by-hand/rnns-by-hand"
# The revision Colab badges open *and* the Colab setup cell installs rnn_helpers from, so the
# notebook and the helper package always come from the same revision.
REF = "main"

# Notebook file -> title, in reading order.
TITLES = {
    "01_nn_rnn_tour.ipynb": "The nn.RNN API tour",
    "02_single_cell.ipynb": "A single recurrent cell by hand",
    "03_unrolled_sequence.ipynb": "Unrolling the cell over a sequence",
    "04_stacked_layers.ipynb": "Stacked layers",
    "05_concat_and_hoisted.ipynb": "One matmul, and the input projection hoisted out of the loop",
    "06_bidirectional.ipynb": "Bidirectional RNNs",
    "07_variable_length.ipynb": "Variable-length sequences: padding and packing",
    "08_all_options_drop_in.ipynb": "Every remaining option, and ManualRNN as a drop-in for nn.RNN",
    "09_backprop_through_time.ipynb": "Backpropagation through time by hand",
    "10_gradients_over_time.ipynb": "Gradients over time: vanishing, exploding, clipping",
    "11_training.ipynb": "Training an RNN",
    "12_char_language_model.ipynb": "A character-level language model, trained and sampled",
    "13_lstm_by_hand.ipynb": "LSTM by hand",
    "14_gru_by_hand.ipynb": "GRU by hand",
    "15_why_gates.ipynb": "Why gates: RNN, LSTM and GRU side by side",
    "16_three_cells_one_text.ipynb": "One text, three cells: what two seeds can settle",
}
