#!/usr/bin/env python3
"""Generates the OpenAPI v3 component schemas that kubesim serves under /openapi/v3.

The source is the official Kubernetes schema set shipped by the PyPI package
`kubernetes-validate` (its `v<K8S>-local/_definitions.json`, which is the apiserver's
OpenAPI definitions rewritten as JSON Schema). This script keeps only the kinds the
simulator serves and everything they reference, undoes the JSON Schema rewriting
(nullable type lists, `$defs` references, the apiVersion/kind enums it adds) and writes
them as one JSON object inside a Swift source file, so the simulator needs no resources.

    .venv/bin/pip install kubernetes-validate==1.33.1
    .venv/bin/python scripts/gen-kubesim-openapi.py          # regenerate
    .venv/bin/python scripts/gen-kubesim-openapi.py --check  # exit 1 when stale
"""

import argparse
import importlib.util
import json
import pathlib
import sys

KUBERNETES_VERSION = "1.33.0"
ROOT = pathlib.Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "Sources/KubeSim/API/OpenAPIDefinitions.swift"

# The kinds kubesim serves (Sources/KubeSim/Resources/ResourceCatalog.swift), their
# lists, and the meta types every group-version document names.
ROOTS = [
    f"io.k8s.api.{package}.{kind}"
    for package, kinds in {
        "core.v1": ["Namespace", "Node", "Pod", "Service", "ConfigMap", "ResourceQuota", "Event"],
        "apps.v1": ["Deployment", "ReplicaSet"],
        "batch.v1": ["Job", "CronJob"],
        "networking.v1": ["Ingress"],
        "scheduling.v1": ["PriorityClass"],
        "coordination.v1": ["Lease"],
        "autoscaling.v1": ["Scale"],
    }.items()
    for base in kinds
    for kind in ([base] if base == "Scale" else [base, base + "List"])
] + [
    "io.k8s.apimachinery.pkg.apis.meta.v1." + name
    for name in ["Status", "DeleteOptions", "Patch", "WatchEvent", "APIResourceList"]
]

DEFS_PREFIX = "#/$defs/"
COMPONENTS_PREFIX = "#/components/schemas/"


def locate_definitions(explicit):
    if explicit:
        return pathlib.Path(explicit)
    # Only the package's data is needed: find it without importing the package.
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("kubernetes-validate is not installed: pip install kubernetes-validate==1.33.1, or pass --definitions")
    base = pathlib.Path(list(spec.submodule_search_locations)[0]) / "kubernetes-json-schema"
    path = base / f"v{KUBERNETES_VERSION}-local" / "_definitions.json"
    if not path.exists():
        sys.exit(f"{path} is missing: this kubernetes-validate has no Kubernetes {KUBERNETES_VERSION} schemas")
    return path


def references(value):
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith(DEFS_PREFIX):
            yield ref[len(DEFS_PREFIX):]
        for child in value.values():
            yield from references(child)
    elif isinstance(value, list):
        for child in value:
            yield from references(child)


def closure(definitions, roots):
    seen, pending = set(), list(roots)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        if name not in definitions:
            sys.exit(f"no definition {name} in the official schemas")
        seen.add(name)
        pending.extend(references(definitions[name]))
    return sorted(seen)


def to_openapi(value, has_gvk=False, property_name=None):
    """Turns one JSON Schema node back into the OpenAPI v3 form the apiserver serves."""
    if isinstance(value, list):
        return [to_openapi(item) for item in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for key, child in value.items():
        if key == "properties" and isinstance(child, dict):
            gvk = "x-kubernetes-group-version-kind" in value
            result[key] = {name: to_openapi(schema, gvk, name) for name, schema in child.items()}
        elif key == "type" and isinstance(child, list):
            kinds = [kind for kind in child if kind != "null"]
            result[key] = kinds[0] if len(kinds) == 1 else kinds
        elif key == "$ref" and isinstance(child, str):
            result[key] = COMPONENTS_PREFIX + child[len(DEFS_PREFIX):]
        elif key == "enum" and has_gvk and property_name in ("apiVersion", "kind"):
            continue
        else:
            result[key] = to_openapi(child)
    # The apiserver wraps a reference that carries its own description in allOf.
    if "$ref" in result and len(result) > 1:
        result["allOf"] = [{"$ref": result.pop("$ref")}]
    return result


def render(definitions):
    selected = {name: to_openapi(definitions[name]) for name in closure(definitions, ROOTS)}
    # One definition a line, so that a regeneration diffs by definition.
    lines = [json.dumps(name) + ":" + json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
             for name, schema in sorted(selected.items())]
    text = "{\n" + ",\n".join(lines) + "\n}"
    assert '"""#' not in text
    return (
        "// Generated by scripts/gen-kubesim-openapi.py from the official Kubernetes "
        f"{KUBERNETES_VERSION} schemas\n"
        "// (PyPI kubernetes-validate). Do not edit.\n\n"
        "/// The OpenAPI v3 component schemas of the kinds kubesim serves, keyed by definition name.\n"
        "enum OpenAPIDefinitions {\n"
        f'    static let kubernetesVersion = "{KUBERNETES_VERSION}"\n\n'
        f'    static let json = #"""\n{text}\n"""#\n'
        "}\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--definitions", help="path to kubernetes-validate's _definitions.json")
    parser.add_argument("--check", action="store_true", help="fail when the committed output is stale")
    args = parser.parse_args()
    definitions = json.loads(locate_definitions(args.definitions).read_text())["$defs"]
    text = render(definitions)
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text() != text:
            sys.exit(f"{OUTPUT.relative_to(ROOT)} is stale: run scripts/gen-kubesim-openapi.py")
        return
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({len(text)} bytes)")


if __name__ == "__main__":
    main()
