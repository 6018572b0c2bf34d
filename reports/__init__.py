"""Plotly figure builders and the HTML page template of the daily report."""
