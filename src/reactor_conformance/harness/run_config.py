"""What one run is aimed at, built once: the target and its identities, the run folder, the level and the budgets.

The controller builds it from the plugin's options (``RunConfig.from_options``): the profile is read and checked
there and only there, or taken from the embedded reference server as data, and the target is preflighted. The
xdist workers get it as plain data (``to_wire`` / ``from_wire``): nothing is parsed or read again.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import ConfigError
from ..target import redact
from ..target.profile import Profile, load_profile, profile_from_env, profile_of

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
class RunConfig:
    profile: Profile
    run_dir: Path
    started_at: datetime
    level: str
    embedded: bool
    faults: tuple[str, ...]
    variants: tuple[str, ...]
    allow_writes: bool
    read_only: bool
    max_rps: float
    fuzz_enabled: bool
    fuzz_examples: int
    fuzz_seed: int
    nightly: bool
    _server: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for identity in self.profile.identities.values():
            for name, value in identity.secrets().items():
                redact.register(name, value)

    # -- building ----------------------------------------------------------------------------
    @classmethod
    def from_options(cls, opt) -> RunConfig:
        """The run the options ask for: the embedded reference server when no target is named."""
        if opt.target and not (opt.profile or os.environ.get("REACTOR_BASE_URL")):
            raise ConfigError(f"--target {opt.target} needs credentials: pass --profile FILE or set REACTOR_* "
                              "variables")
        if (opt.fault or opt.variant) and (opt.target or opt.profile):
            raise ConfigError("--fault and --variant apply to the embedded reference server only; "
                              "drop --target/--profile")
        server = None
        if opt.profile:
            profile = load_profile(opt.profile)
        elif os.environ.get("REACTOR_BASE_URL"):
            profile = profile_from_env(os.environ)
        else:
            server = _start_embedded(tuple(opt.fault), tuple(opt.variant))
            profile = profile_of(server.profile(), "the embedded reference server")
        try:
            if opt.target:
                profile = profile.with_base_url(opt.target)
            run = cls(profile=profile, run_dir=Path(opt.run_dir) if opt.run_dir else new_run_dir(Path(opt.reports)),
                      started_at=utc_now(), level=opt.level, embedded=server is not None, faults=tuple(opt.fault),
                      variants=tuple(opt.variant), allow_writes=opt.allow_writes, read_only=opt.read_only,
                      max_rps=opt.max_rps, fuzz_enabled=not opt.no_fuzz,
                      fuzz_examples=opt.fuzz_examples or (NIGHTLY_FUZZ_EXAMPLES if opt.nightly
                                                          else DEFAULT_FUZZ_EXAMPLES),
                      fuzz_seed=opt.fuzz_seed if opt.fuzz_seed is not None else DEFAULT_FUZZ_SEED,
                      nightly=opt.nightly, _server=server)
            if server is None:
                from .preflight import check_target

                check_target(run.profile)
        except Exception:
            if server is not None:
                server.stop()
            raise
        run.run_dir.mkdir(parents=True, exist_ok=True)
        return run

    def to_wire(self) -> dict:
        """Plain data for the xdist workers."""
        return {"profile": self.profile.to_data(), "run_dir": str(self.run_dir),
                "started_at": self.started_at.isoformat(), "level": self.level, "embedded": self.embedded,
                "faults": list(self.faults), "variants": list(self.variants), "allow_writes": self.allow_writes,
                "read_only": self.read_only, "max_rps": self.max_rps, "fuzz_enabled": self.fuzz_enabled,
                "fuzz_examples": self.fuzz_examples, "fuzz_seed": self.fuzz_seed, "nightly": self.nightly}

    @classmethod
    def from_wire(cls, wire: dict) -> RunConfig:
        return cls(**{**wire, "profile": Profile.from_data(wire["profile"]), "run_dir": Path(wire["run_dir"]),
                      "started_at": datetime.fromisoformat(wire["started_at"]), "faults": tuple(wire["faults"]),
                      "variants": tuple(wire["variants"])})

    def close(self) -> None:
        """End of the run (also after Ctrl-C): delete what the ledger still lists, stop the embedded server."""
        if not self.embedded:
            self.delete_leftovers()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def delete_leftovers(self):
        """Delete every resource the run's ledger lists as created and not yet deleted."""
        from ..target.identities import clients_for
        from ..target.ledger import Ledger, cleanup

        ledger_path = self.run_dir / "ledger.jsonl"
        if not ledger_path.is_file():
            return None
        ledger = Ledger(ledger_path)
        if not ledger.outstanding():
            return None
        return cleanup(ledger, clients_for(self.profile))

    # -- what the tests ask --------------------------------------------------------------------
    @property
    def run_id(self) -> str:
        return self.run_dir.name

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
    """Start the reference server on a free loopback port (the suite itself never imports the server)."""
    from ..refserver.server import start_server

    try:
        return start_server(port=0, faults=faults, variants=variants)
    except ValueError as error:
        raise ConfigError(str(error)) from None
