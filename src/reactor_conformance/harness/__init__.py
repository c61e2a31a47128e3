"""Running the suite: the pytest plugin, the run's configuration (built once), the preflight, and the
proof of the suite (faults and legal variations).
"""
