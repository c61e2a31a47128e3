"""The JSON Schemas of every document (2020-12), shipped as package data (``reactor_conformance.schemas``): the spec
references them as ``../schemas/…``, which resolves beside it in the checkout and in an installed package alike."""
