"""The generated half of the suite: schemathesis, driven by ``openapi/reactor.yaml``, inside the pytest run.

One module per job:

- ``spec``: the spec and its schemathesis settings, loaded; ``state``: what a process works out once (``FuzzingState``);
- ``generation``: the search's settings, the coverage cases and the drawn cases, handed out per caller;
- ``sending``: the spec aimed at the target (``Aim``), its pace, and the generated requests sent;
- ``judging``: which requirement each check serves, and one answer judged; ``own_checks`` and ``tolerances``: the
  project's checks and what the contract tolerates of schemathesis's;
- ``findings``: a requirement's failure, reported as the scenarios report theirs; ``search``: one operation fuzzed as
  one caller, a failure shrunk; ``stateful``: what the link sequences need;
- ``internals``: the only place that reaches past schemathesis's public API, each reach with its reason.
"""
