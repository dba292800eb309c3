"""One module per library; each runs one measurement in a fresh process (see __main__)."""
