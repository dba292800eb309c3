"""The network under both clients: TLS (sans-I/O and its configuration), proxies, dialing."""
