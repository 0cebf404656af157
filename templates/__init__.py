"""jinja2 page layouts, shipped as package data."""
