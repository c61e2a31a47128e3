"""What the suite judges with: the requests it builds, the requirement catalog, the JSON Schemas, the
expectations that read as sentences, and the fuzzing with its registered checks.
"""
