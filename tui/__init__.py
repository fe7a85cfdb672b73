"""The terminal explorer for magnets (installed as ``magnets.tui``).

Build the app with :func:`magnets.tui.app.make_app`. This package imports Textual;
the domain (``magnets``) never imports it. Heavy modules (pandas, the domain, plotting)
are imported inside functions so the first screen paints quickly.
"""
