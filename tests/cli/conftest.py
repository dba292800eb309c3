from tests.cli.harness import cli

__all__ = ["cli"]
