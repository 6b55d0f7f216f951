"""lienchain: a consortium register of vehicle titles and liens on a private EVM chain."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lienchain")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
