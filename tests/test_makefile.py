"""`make test` alone passes on a fresh machine: it installs Debian's Chromium for the
browser tests when it is missing (read from make's dry run, nothing installed here)."""
import subprocess
import sys

from tests.fault_helpers import ROOT


def dry_run(target, chromium) -> str:
    result = subprocess.run(["make", "-n", target, f"CHROMIUM={chromium}"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_test_installs_chromium_first_when_it_is_missing(tmp_path):
    steps = dry_run("test", tmp_path / "no-chromium-here")
    install = steps.index("apt-get install -y -qq chromium")
    assert "apt-get update" in steps[:install]
    assert install < steps.index("-m pytest")


def test_make_test_installs_nothing_when_chromium_is_there():
    steps = dry_run("test", sys.executable)
    assert "apt-get" not in steps and "-m pytest" in steps
