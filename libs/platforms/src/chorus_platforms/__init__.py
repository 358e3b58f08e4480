"""Every platform Chorus speaks, each described once in its own folder (see ``registry``)."""
