"""The locks `make` installs from (made by `make lock`): requirements.lock holds what `make demo` and
`make dev` run and nothing else, requirements-test.lock adds the test tools, requirements-mutate.lock
adds mutmut, requirements-tools.lock holds uv, pip and setuptools. Every pin carries its hashes, the
locks agree on the pins they share, and each lock is the whole of what pyproject.toml asks for."""

import subprocess
import sys
import tomllib
from importlib.metadata import distribution
from pathlib import Path
from typing import NamedTuple

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = PROJECT["dependencies"]
EXTRAS = PROJECT["optional-dependencies"]
# Each lock with what it is made from: the runtime dependencies and these extras of pyproject.toml.
LOCKS = {"requirements.lock": (), "requirements-test.lock": ("test",), "requirements-mutate.lock": ("test", "mutate")}


class Pin(NamedTuple):
    version: Version
    marker: Marker | None
    hashes: tuple[str, ...]

    def applies(self) -> bool:
        return self.marker is None or self.marker.evaluate()


def parse_lock(text: str) -> dict[str, Pin]:
    """`name==version [; marker] \\` lines, each followed by its `--hash=` lines."""
    pins: dict[str, Pin] = {}
    name = ""
    for line in text.splitlines():
        stripped = line.strip().removesuffix("\\").strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("--hash="):
            pin = pins[name]
            pins[name] = pin._replace(hashes=(*pin.hashes, stripped.removeprefix("--hash=")))
            continue
        requirement = Requirement(stripped)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        name = canonicalize_name(requirement.name)
        assert name not in pins, f"{name} pinned twice"
        pins[name] = Pin(Version(specifier.version), requirement.marker, ())
    return pins


def read_lock(file: str) -> dict[str, Pin]:
    return parse_lock((ROOT / file).read_text(encoding="utf-8"))


def requirements(extras: tuple[str, ...]) -> list[Requirement]:
    return [Requirement(r) for r in [*RUNTIME, *(r for extra in extras for r in EXTRAS[extra])]]


def test_parse_lock_reads_pins_markers_and_hashes():
    pins = parse_lock(
        "# header\nuvloop==0.23.0 ; sys_platform != 'win32' \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n"
        "    # via uvicorn\nPyYAML==6.0.4 \\\n    --hash=sha256:cc\n"
    )
    assert pins == {
        "uvloop": Pin(Version("0.23.0"), Marker("sys_platform != 'win32'"), ("sha256:aa", "sha256:bb")),
        "pyyaml": Pin(Version("6.0.4"), None, ("sha256:cc",)),
    }


def test_every_dependency_has_an_upper_bound():
    unbounded = [
        str(r)
        for r in requirements(tuple(EXTRAS))
        if not any(s.operator in ("<", "<=", "==", "~=") for s in r.specifier)
    ]
    assert unbounded == []


@pytest.mark.parametrize("file", [*LOCKS, "requirements-tools.lock"])
def test_every_pin_has_a_hash(file):
    pins = read_lock(file)
    assert pins, file
    assert [name for name, pin in pins.items() if not pin.hashes] == []
    assert all(h.startswith("sha256:") for pin in pins.values() for h in pin.hashes)


@pytest.mark.parametrize(("file", "extras"), LOCKS.items())
def test_each_lock_pins_what_pyproject_asks_for_within_its_bounds(file, extras):
    pins = read_lock(file)
    outside = [
        f"{r} but {pins[canonicalize_name(r.name)].version if canonicalize_name(r.name) in pins else 'not pinned'}"
        for r in requirements(extras)
        if canonicalize_name(r.name) not in pins or pins[canonicalize_name(r.name)].version not in r.specifier
    ]
    assert outside == []


def test_the_runtime_lock_has_no_test_tool():
    """`make demo` installs none of them (packaging, which the tests import, Dagster needs too)."""
    tools = {"pytest", "pytest-timeout", "playwright", "facebook-business", "aiosmtpd", "ruff", "mypy", "mutmut"}
    assert tools <= {canonicalize_name(Requirement(r).name) for extra in EXTRAS.values() for r in extra}
    assert sorted(tools & set(read_lock("requirements.lock"))) == []


def test_pins_shared_by_the_locks_are_equal():
    locks = {file: read_lock(file) for file in [*LOCKS, "requirements-tools.lock"]}
    versions: dict[str, set[tuple[str, Version]]] = {}
    for file, pins in locks.items():
        for name, pin in pins.items():
            versions.setdefault(name, set()).add((file, pin.version))
    assert {name: seen for name, seen in versions.items() if len({v for _, v in seen}) > 1} == {}
    # The wider lock holds every pin of the narrower one.
    for narrow, wide in [("requirements.lock", "requirements-test.lock"), ("requirements-test.lock", "requirements-mutate.lock")]:
        assert sorted(set(locks[narrow]) - set(locks[wide])) == [], (narrow, wide)


def closure(pins: dict[str, Pin], roots: list[Requirement]) -> tuple[set[str], list[str]]:
    """The distributions the roots need on this machine, following the requirements each installed
    distribution declares (with the extras asked of it), and every requirement the pins miss."""
    needed: set[tuple[str, str]] = set()
    missed: list[str] = []
    todo = [(r, "") for r in roots]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        if name not in pins or pins[name].version not in requirement.specifier:
            missed.append(f"{requirement} ({pins[name].version if name in pins else 'not pinned'})")
            continue
        for wanted in {"", *requirement.extras} - {x for n, x in needed if n == name}:
            needed.add((name, wanted))
            dist = distribution(name)
            if Version(dist.version) != pins[name].version:
                missed.append(f"{name} {pins[name].version} pinned, {dist.version} installed")
            todo += [(Requirement(r), wanted) for r in dist.requires or []]
    return {name for name, _ in needed}, missed


def lock_problems(pins: dict[str, Pin], roots: list[Requirement]) -> tuple[list[str], list[str]]:
    """What the roots need that the pins miss (or pin otherwise than the installed distribution they
    were read from), and the pins (for this machine) that nothing needs."""
    needed, missed = closure(pins, roots)
    return sorted(set(missed)), sorted({name for name, pin in pins.items() if pin.applies()} - needed)


@pytest.mark.parametrize(("file", "extras"), [("requirements.lock", ()), ("requirements-test.lock", ("test",))])
def test_a_lock_is_exactly_what_its_requirements_need(file, extras):
    """Read with the installed distributions' own requirements: no requirement is left unpinned or
    pinned outside its bounds, and no pin is there that nothing asks for (a test tool in the
    runtime lock, say)."""
    assert lock_problems(read_lock(file), requirements(extras)) == ([], [])


def test_lock_problems_finds_a_missing_an_outside_and_a_stray_pin():
    pins = read_lock("requirements.lock")
    assert lock_problems(pins, [Requirement("httpx>=0.28,<0.29")])[0] == []
    # httpx needs anyio, certifi, httpcore and idna; httpcore h11; anyio typing_extensions (Python < 3.15).
    assert closure(pins, [Requirement("httpx>=0.28,<0.29")])[0] == {
        "httpx", "anyio", "certifi", "httpcore", "h11", "idna", "typing-extensions"
    }
    without_h11 = {name: pin for name, pin in pins.items() if name != "h11"}
    assert lock_problems(without_h11, requirements(())) == (["h11>=0.16 (not pinned)", "h11>=0.8 (not pinned)"], [])
    old_h11 = {**pins, "h11": pins["h11"]._replace(version=Version("0.14.0"))}
    assert lock_problems(old_h11, requirements(())) == (["h11 0.14.0 pinned, 0.16.0 installed", "h11>=0.16 (0.14.0)"], [])
    with_pytest = {**pins, "pytest": Pin(Version("9.2.0"), None, ("sha256:00",))}
    assert lock_problems(with_pytest, requirements(())) == ([], ["pytest"])
    windows_only = {**pins, "pywin32-ctypes": Pin(Version("0.2.3"), Marker("sys_platform == 'win32'"), ("sha256:00",))}
    assert lock_problems(windows_only, requirements(())) == ([], [])


def test_pip_check_finds_the_installed_venv_consistent():
    done = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
