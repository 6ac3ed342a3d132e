"""Article extraction: an article page's HTML → title, lead, body paragraphs, image, time.

Known CMS layouts (`site_rules`) are tried first because their containers, sapo elements
and author lines are exact; any other page goes through a density-based extractor of our
own (`density`) so that a newsroom's new site still yields its story. `metadata` reads
what the page declares, `lead` finds the sapo, `clean` strips the chrome and cuts the
paragraphs, `article` puts them together. Pure: no I/O.
"""

from feeds.extract.article import ExtractionError, extract_article, extract_generic

__all__ = ["ExtractionError", "extract_article", "extract_generic"]
