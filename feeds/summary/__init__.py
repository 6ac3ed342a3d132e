"""Parts of the extractive summarizer; `feeds.summarize` is its entry point."""
