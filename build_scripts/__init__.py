"""Build scripts for the campaign survey site: surveys in, statistics, charts and pages out."""

__version__ = "0.1.0"
