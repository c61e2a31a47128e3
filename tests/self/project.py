"""Where the project's own files are, for the self-tests that read the checkout (the README, the lock, the spec)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
