"""The benchmark's server (`make bench`): production settings, with the URLconf that adds the
benchmark's reference views under /bench/ (bench/urls.py). Production never loads it."""

from .prod import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
