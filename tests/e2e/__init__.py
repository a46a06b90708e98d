"""End to end (base environment, driving the scanner environments): every path, one answer."""
