"""The kit every platform builds on: the inbound and outbound ports, item loops, field and
time parsing, signatures, polling cursors, HTML text and text length."""
