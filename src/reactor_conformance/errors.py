"""The two ways the tool's input can be wrong; ``str()`` of each is one line for a person."""


class ConfigError(Exception):
    """The profile, the environment or the credentials are wrong."""


class TargetError(Exception):
    """The target cannot be reached, or does not answer like a Reactor API."""
