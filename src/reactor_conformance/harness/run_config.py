"""What one run is aimed at, built once: the target and its identities, the run folder, the level and the budgets.

The controller builds it from the plugin's options (``RunConfig.from_options``): the profile is read and checked
there and only there, or taken from the embedded reference server as data, and the target is preflighted. The
xdist workers get it as plain data (``to_wire`` / ``from_wire``): nothing is parsed or read again.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from ..client import redact
from ..client.profile import Profile, load_profile, profile_from_env, profile_of
from ..errors import ConfigError

DEFAULT_FUZZ_EXAMPLES = 10
NIGHTLY_FUZZ_EXAMPLES = 100
DEFAULT_FUZZ_SEED = 20240723


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def claim_run_dir(reports: Path, now: datetime) -> Path:
    """A new ``reports/<UTC timestamp>`` folder, made for this run alone: ``-2``, ``-3`` … when the name is taken,
    also by a run started in the same second beside this one."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    reports.mkdir(parents=True, exist_ok=True)
    candidate, number = reports / stamp, 1
    while True:
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            number += 1
            candidate = reports / f"{stamp}-{number}"


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
    """The profile it runs with, its folder and start, and every option of the run as given (``options``, by the
    names the plugin declares them under): an option added there is here, and in every worker, with no other edit."""

    profile: Profile
    run_dir: Path
    started_at: datetime
    embedded: bool
    options: dict
    _server: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for identity in self.profile.identities.values():
            for name, value in identity.secrets().items():
                redact.register(name, value)

    # -- building ----------------------------------------------------------------------------
    @classmethod
    def from_options(cls, options: dict) -> RunConfig:
        """The run the options ask for: the embedded reference server when no target is named."""
        target, profile_file = options["target"], options["profile"]
        if target and not (profile_file or os.environ.get("REACTOR_BASE_URL")):
            raise ConfigError(f"--target {target} needs credentials: pass --profile FILE or set REACTOR_* variables")
        if (options["fault"] or options["variant"]) and (target or profile_file):
            raise ConfigError("--fault and --variant apply to the embedded reference server only; "
                              "drop --target/--profile")
        server = None
        if profile_file:
            profile = load_profile(profile_file)
        elif os.environ.get("REACTOR_BASE_URL"):
            profile = profile_from_env(os.environ)
        else:
            server = _start_embedded(tuple(options["fault"]), tuple(options["variant"]))
            profile = profile_of(server.profile(), "the embedded reference server")
        try:
            if target:
                profile = profile.with_base_url(target)
            run = cls(profile, Path(options["run_dir"] or options["reports"]), utc_now(), server is not None,
                      dict(options), server)  # without --run-dir, the reports folder until its own is claimed
            if server is None:
                from .preflight import check_target

                check_target(run.profile)
        except Exception:
            if server is not None:
                server.stop()
            raise
        if options["run_dir"]:
            run.run_dir.mkdir(parents=True, exist_ok=True)
        else:  # claimed only now: a target that cannot be tested leaves no folder behind
            run.run_dir = claim_run_dir(run.run_dir, run.started_at)
        return run

    def to_wire(self) -> dict:
        """Plain data for the xdist workers."""
        return {"profile": self.profile.to_data(), "run_dir": str(self.run_dir),
                "started_at": self.started_at.isoformat(), "embedded": self.embedded, "options": self.options}

    @classmethod
    def from_wire(cls, wire: dict) -> RunConfig:
        return cls(Profile.from_data(wire["profile"]), Path(wire["run_dir"]),
                   datetime.fromisoformat(wire["started_at"]), wire["embedded"], dict(wire["options"]))

    def close(self) -> None:
        """End of the run (also after Ctrl-C): delete what the ledger still lists, stop the embedded server and
        remove its lock files (its address was this run's alone: no other run takes turns there)."""
        if not self.embedded:
            self.delete_leftovers()
        if self._server is not None:
            self._server.stop()
            self._server = None
            shutil.rmtree(self.lock_folder, ignore_errors=True)

    def delete_leftovers(self):
        """Delete every resource the run's ledger lists as created and not yet deleted."""
        from ..client.identities import clients_for
        from ..client.ledger import Ledger, cleanup

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
    def level(self) -> str:
        return self.options["level"]

    @property
    def faults(self) -> tuple[str, ...]:
        return tuple(self.options["fault"])

    @property
    def variants(self) -> tuple[str, ...]:
        return tuple(self.options["variant"])

    @property
    def max_rps(self) -> float:
        return self.options["max_rps"]

    @property
    def exchanges(self) -> str:
        """Which exchanges the run's HAR file keeps: ``failed``, ``all`` or ``none``."""
        return self.options["exchanges"]

    @property
    def fuzz_enabled(self) -> bool:
        return not self.options["no_fuzz"]

    @property
    def nightly(self) -> bool:
        return self.options["nightly"]

    @property
    def fuzz_examples(self) -> int:
        return self.options["fuzz_examples"] or (NIGHTLY_FUZZ_EXAMPLES if self.nightly else DEFAULT_FUZZ_EXAMPLES)

    @property
    def fuzz_seed(self) -> int:
        seed = self.options["fuzz_seed"]
        return DEFAULT_FUZZ_SEED if seed is None else seed

    @property
    def base_url(self) -> str:
        return self.profile.target.base_url

    @property
    def lock_folder(self) -> Path:
        """Where the processes of this run, and the runs on this machine against the same target, take turns with
        the target's packages: one lock file per package, in a folder of the target's own."""
        digest = hashlib.sha1(self.base_url.encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / "reactor-conformance-locks" / digest

    @property
    def writes_allowed(self) -> bool:
        if self.options["read_only"]:
            return False
        return self.options["allow_writes"] or self.profile.target.allow_writes or is_loopback(self.base_url)

    def writes_refusal(self) -> str:
        if self.options["read_only"]:
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
