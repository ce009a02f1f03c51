"""The HTML report: the figures of the Values in the Wild study, computed from the user's graph.

- :mod:`valuegraph.report.charts` - pure inline-SVG charts (no JavaScript, no network);
- :mod:`valuegraph.report.page` - the self-contained HTML page around them;
- :mod:`valuegraph.report.figures` - one function per figure, calling the analyses of ``queries/``;
- :mod:`valuegraph.report.reproduce` - the command and GraphQL query behind each figure;
- :mod:`valuegraph.report.build` - runs the figures and records every analysis call they made.

``valuegraph report`` (``cli/report.py``) and ``GET /report``
(``api/report_routes.py``) both go through :func:`valuegraph.report.build.build_report`.
"""
