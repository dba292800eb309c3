"""Server-Sent Events internals: the parser, the chunked decoder, the transport on requests."""
