"""show(fig, alt): a figure reaches the output as a PNG with its alt text in the output metadata, once."""

import matplotlib

matplotlib.use("Agg")  # no display needed; must come before pyplot is imported anywhere

import base64  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from IPython.core.formatters import DisplayFormatter  # noqa: E402

from rnn_helpers.pictures.output import MIN_ALT_WORDS, check_alt, show  # noqa: E402

ALT = "A straight line rising from the bottom left to the top right."


def _displayed(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    return shown


def test_show_displays_a_png_with_the_alt_text_in_its_metadata_and_closes_the_figure(monkeypatch):
    shown = _displayed(monkeypatch)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    show(fig, ALT)
    assert len(shown) == 1
    data, metadata = DisplayFormatter().format(shown[0])
    assert base64.b64decode(data["image/png"])[:4] == b"\x89PNG"
    assert metadata == {"image/png": {"alt": ALT}}
    assert data["text/plain"] == "<IPython.core.display.Image object>"  # what nbval compares: stable
    assert not plt.fignum_exists(fig.number), "the inline backend would show an open figure again, without alt"


def test_show_accepts_an_axes_and_normalises_whitespace(monkeypatch):
    shown = _displayed(monkeypatch)
    _, ax = plt.subplots()
    show(ax, "  A   heatmap of five steps\n by four hidden units.  ")
    _, metadata = DisplayFormatter().format(shown[0])
    assert metadata["image/png"]["alt"] == "A heatmap of five steps by four hidden units."


@pytest.mark.parametrize("alt", ["", "A plot.", "Figure 1 shows this"])
def test_alt_text_too_short_to_describe_anything_is_refused(alt):
    with pytest.raises(ValueError, match=f"at least {MIN_ALT_WORDS} words"):
        check_alt(alt)


def test_alt_text_must_be_a_string():
    with pytest.raises(TypeError, match="expected a sentence"):
        check_alt(None)


def test_the_module_is_reachable_from_the_package():
    import rnn_helpers

    assert rnn_helpers.show is show and rnn_helpers.pictures.show is show
