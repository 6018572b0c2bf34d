"""Hand-laid stacked panels: what `make_subplots` would give, shared x axis included."""

import plotly.graph_objects as go
import pytest

from reports.chart_layout import money_format, panel_axes, right_axes, stacked_panels, translucent


def test_stacked_panels_share_the_bottom_x_axis_and_do_not_overlap():
    fig = stacked_panels(["a", "b", "c"], 0.1)
    domains = [fig.layout[name].domain for name in ("yaxis", "yaxis2", "yaxis3")]
    assert domains[0][1] == pytest.approx(1) and domains[2][0] == pytest.approx(0)
    assert all(upper[0] > lower[1] for upper, lower in zip(domains[:-1], domains[1:], strict=True))
    assert fig.layout.xaxis.matches == "x3" and fig.layout.xaxis2.matches == "x3"
    assert fig.layout.xaxis3.showticklabels is True and fig.layout.xaxis.showticklabels is False
    assert [a.text for a in fig.layout.annotations] == ["a", "b", "c"]


def test_a_right_axis_overlays_its_own_panel():
    fig = stacked_panels(["a", "b"], 0.1, {2: "value"})
    fig.add_trace(go.Scatter(x=["2026-01-01"], y=[1], **right_axes(2, 2)))
    assert fig.data[0].yaxis == "y4"
    assert fig.layout.yaxis4.overlaying == "y2" and fig.layout.yaxis4.side == "right"
    assert panel_axes(1) == {"xaxis": "x", "yaxis": "y"} and panel_axes(2) == {"xaxis": "x2", "yaxis": "y2"}


def test_translucent():
    assert translucent("#3b6fd8", 0.5) == "rgba(59,111,216,0.5)"


@pytest.mark.parametrize(("currency", "fmt"), [("EUR", ",.2f"), ("JPY", ",.0f"), ("CRC", ",.0f"), ("IDR", ",.0f"), ("usd", ",.2f")])
def test_chart_amounts_use_metas_minor_units(currency, fmt):
    """Axes and hover text round like the tables: CRC and IDR without decimals, as Meta counts them."""
    assert money_format(currency) == fmt
