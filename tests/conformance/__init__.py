"""The conformance suite: it speaks only HTTP to its target. Shipped inside the package as
``reactor_conformance.suite``, so that an installed ``reactor-conformance run`` finds it."""
