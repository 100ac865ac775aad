"""axe-core (vendored from npm, see vendor/README.md) run inside a page: the page's
serious and critical violations. Evaluated through the DevTools protocol, so the
portal's strict CSP (script-src 'self') stays in force for everything else."""
from pathlib import Path

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
BLOCKING = ("serious", "critical")


def violations(page) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                          ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
                          " targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
    return [f"{v['impact']}: {v['id']} ({v['help']}) at {v['targets']}" for v in found
            if v["impact"] in BLOCKING]


def assert_accessible(page, name: str) -> None:
    found = violations(page)
    assert found == [], f"axe-core on the {name} page:\n" + "\n".join(found)
