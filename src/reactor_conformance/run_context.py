"""What one run is aimed at: the resolved target, its identities, the run folder and the budgets.

The controller builds it once (``RunContext.start``); xdist workers rebuild it from the
plain dict the controller hands them (``to_wire`` / ``from_wire``), so every process of a
run talks to the same target with the same settings.
"""

from __future__ import annotations

import ipaddress
import os
import tempfile
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from . import redact
from .errors import ConfigError
from .settings import Profile, load_profile, profile_from_env

DEFAULT_FUZZ_EXAMPLES = 10
NIGHTLY_FUZZ_EXAMPLES = 100
DEFAULT_FUZZ_SEED = 20240723


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def new_run_dir(reports: Path, now: datetime | None = None) -> Path:
    """A fresh ``reports/<UTC timestamp>`` folder name (``-2``, ``-3`` … if taken)."""
    stamp = (now or utc_now()).strftime("%Y%m%dT%H%M%SZ")
    candidate, n = reports / stamp, 1
    while candidate.exists():
        n += 1
        candidate = reports / f"{stamp}-{n}"
    return candidate


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class RunContext:
    profile_path: str
    run_dir: Path
    run_id: str
    started_at: datetime
    level: str
    embedded: bool
    faults: tuple[str, ...]
    variants: tuple[str, ...]
    target_override: str | None
    allow_writes: bool
    read_only: bool
    max_rps: float
    fuzz_enabled: bool
    fuzz_examples: int
    fuzz_seed: int
    nightly: bool
    profile: Profile = field(init=False)
    _server: object = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.run_dir = Path(self.run_dir)
        if self.profile_path == "<environment>":
            profile = profile_from_env(os.environ)
            if profile is None:
                raise ConfigError("no target configured: REACTOR_BASE_URL is not set")
        else:
            profile = load_profile(self.profile_path)
        if self.target_override:
            profile = profile.with_base_url(self.target_override)
        self.profile = profile
        for identity in profile.identities.values():
            for name, value in identity.secrets().items():
                redact.register(name, value)

    # -- building ----------------------------------------------------------------------------
    @classmethod
    def start(cls, config) -> "RunContext":
        opt = config.option
        target, profile_path = opt.target, opt.profile
        server = None
        if target and not (profile_path or os.environ.get("REACTOR_BASE_URL")):
            raise ConfigError(f"--target {target} needs credentials: pass --profile FILE or set REACTOR_* variables")
        if (opt.fault or opt.variant) and (target or profile_path):
            raise ConfigError("--fault and --variant apply to the embedded reference server only; "
                              "drop --target/--profile")
        if not profile_path and not target and os.environ.get("REACTOR_BASE_URL"):
            profile_path = "<environment>"
        if not profile_path:
            server, profile_path = _start_embedded(tuple(opt.fault), tuple(opt.variant))
        run_dir = Path(opt.run_dir) if opt.run_dir else new_run_dir(Path(opt.reports))
        examples = opt.fuzz_examples or (NIGHTLY_FUZZ_EXAMPLES if opt.nightly else DEFAULT_FUZZ_EXAMPLES)
        try:
            context = cls(
                profile_path=str(profile_path), run_dir=run_dir, run_id=run_dir.name, started_at=utc_now(),
                level=opt.level, embedded=server is not None, faults=tuple(opt.fault), variants=tuple(opt.variant),
                target_override=target, allow_writes=opt.allow_writes, read_only=opt.read_only,
                max_rps=opt.max_rps, fuzz_enabled=not opt.no_fuzz, fuzz_examples=examples,
                fuzz_seed=opt.fuzz_seed if opt.fuzz_seed is not None else DEFAULT_FUZZ_SEED,
                nightly=opt.nightly,
            )
        except Exception:
            if server is not None:
                server.stop()
            raise
        context._server = server
        if server is None:
            from .preflight import check_target

            check_target(context.profile)
        run_dir.mkdir(parents=True, exist_ok=True)
        return context

    def to_wire(self) -> dict:
        wire = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
        wire["run_dir"] = str(self.run_dir)
        wire["started_at"] = self.started_at.isoformat()
        wire["faults"], wire["variants"] = list(self.faults), list(self.variants)
        return wire

    @classmethod
    def from_wire(cls, wire: dict) -> "RunContext":
        values = dict(wire)
        values["started_at"] = datetime.fromisoformat(values["started_at"])
        values["faults"], values["variants"] = tuple(values["faults"]), tuple(values["variants"])
        return cls(**values)

    def close(self) -> None:
        """End of the run (also after Ctrl-C): delete what the ledger still lists, stop the embedded server."""
        if not self.embedded:
            self.delete_leftovers()
        if self._server is not None:
            self._server.stop()
            self._server = None
            Path(self.profile_path).unlink(missing_ok=True)

    def delete_leftovers(self):
        """Delete every resource the run's ledger lists as created and not yet deleted."""
        from .clients import clients_for
        from .ledger import Ledger, cleanup

        ledger_path = self.run_dir / "ledger.jsonl"
        if not ledger_path.is_file():
            return None
        ledger = Ledger(ledger_path)
        if not ledger.outstanding():
            return None
        return cleanup(ledger, clients_for(self.profile))

    # -- what the tests ask --------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self.profile.target.base_url

    @property
    def writes_allowed(self) -> bool:
        if self.read_only:
            return False
        return self.allow_writes or self.profile.target.allow_writes or is_loopback(self.base_url)

    def writes_refusal(self) -> str:
        if self.read_only:
            return "not run: --read-only"
        return f"not run: {self.base_url} is not on loopback; pass --allow-writes to let the suite create resources"

    def target_record(self) -> dict:
        return {"base_url": self.base_url, "embedded": self.embedded, "faults": list(self.faults),
                "variants": list(self.variants)}

    def fuzz_record(self) -> dict:
        return {"enabled": self.fuzz_enabled, "examples": self.fuzz_examples, "seed": self.fuzz_seed}


def _start_embedded(faults: tuple[str, ...], variants: tuple[str, ...]):
    """Start the reference server on a free loopback port and write its profile to a private file."""
    from .refserver.server import start_server  # the suite itself never imports the server

    try:
        server = start_server(port=0, faults=faults, variants=variants)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    handle, path = tempfile.mkstemp(prefix="reactor-embedded-", suffix=".toml")
    os.close(handle)
    server.write_profile(path)
    return server, path
