"""What the suite judges with: the requests it builds, the requirement catalog, the JSON Schemas, the
expectations that read as sentences (the fuzzing is a package of its own, ``reactor_conformance.fuzzing``).
"""
