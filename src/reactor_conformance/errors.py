"""The two ways the tool's input can be wrong; ``str()`` of each is one line for a person."""


class ConfigError(Exception):
    """The profile, the environment or the credentials are wrong."""


class TargetError(Exception):
    """The target cannot be reached, or does not answer like a Reactor API."""


class Unreachable(TargetError):
    """No connection to the target at all (refused, unknown host, TLS): before the run, or once it went away."""
