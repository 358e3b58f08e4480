"""Language detection compared on the labelled sample of short social posts: the detector
ingest uses, the one it used before, and maintained alternatives (``python -m bench.langid``)."""
