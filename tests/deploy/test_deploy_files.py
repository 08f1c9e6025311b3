"""deploy/ checked with well-kept validators, and for what issue 15 asks of it: hadolint on the
image definition, kubernetes-validate (Kubernetes 1.35, strict) on the manifests, the
Compose Specification's JSON schema on the compose file, nginx -t on the proxy's
configuration; a non-root user, a healthcheck, probes, limits and a PodDisruptionBudget."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
CONTAINERFILE = DEPLOY / "Containerfile"
KUBERNETES_VERSION = "1.35.0"
COMPOSE_SCHEMA = Path(__file__).parent / "schemas" / "compose-spec.json"
# What an operator puts in deploy/.env (deploy/env.example), for interpolation.
COMPOSE_ENV = {
    "POSTGRES_PASSWORD": "pw0123456789",
    "ALUR_SECRET_KEY": "s" * 48,
    "ALUR_AUDIT_KEY": "k1:" + "A" * 44,
    "ALUR_BASE_URL": "https://alur.example.go.id",
}
INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}")


def manifests() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document:
                found.append((path.name, document))
    return found


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for _name, doc in manifests() if doc["kind"] == kind]


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}``."""

    def value(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if env.get(name):
            return env[name]
        if operator == ":-":
            return argument
        raise AssertionError(f"{name} is required: {argument}")

    return INTERPOLATION.sub(value, text)


def compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(interpolate(text, COMPOSE_ENV if env is None else env))


# --- the image definition -----------------------------------------------------------------


def test_hadolint_passes_the_image_definition() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    done = subprocess.run(
        [hadolint, "--no-color", str(CONTAINERFILE)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def instructions() -> list[tuple[str, str]]:
    text = CONTAINERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def test_the_image_runs_as_a_non_root_user_with_a_healthcheck() -> None:
    final = instructions()
    last_from = max(i for i, (keyword, _) in enumerate(final) if keyword == "FROM")
    stage = final[last_from:]
    users = [rest for keyword, rest in stage if keyword == "USER"]
    assert users, "the final stage sets no USER"
    assert users[-1].split(":")[0] not in ("root", "0")
    health = [rest for keyword, rest in stage if keyword == "HEALTHCHECK"]
    assert health
    assert "/healthz" in health[0]
    base = [rest for keyword, rest in final if keyword == "ARG" and rest.startswith("BASE=")]
    assert base
    assert "bookworm" in base[0]  # Debian bookworm's python3.11, as the suite runs
    assert any("python3.11" in rest for keyword, rest in stage if keyword == "RUN")
    for library in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert any(library in rest for keyword, rest in stage if keyword == "RUN"), library
    assert ("CMD", '["alur", "serve", "--host", "0.0.0.0", "--port", "8000"]') in stage


# --- Kubernetes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "document"),
    manifests(),
    ids=[f"{name}:{doc['kind']}" for name, doc in manifests()],
)
def test_kubernetes_validate_passes_each_manifest(name: str, document: dict[str, Any]) -> None:
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_manifests_hold_what_a_province_needs() -> None:
    kinds = sorted({doc["kind"] for _name, doc in manifests()})
    assert kinds == sorted(
        [
            "ConfigMap",
            "Deployment",
            "Ingress",
            "Job",
            "PodDisruptionBudget",
            "Secret",
            "Service",
        ]
    )
    commands = {
        doc["metadata"]["name"]: doc["spec"]["template"]["spec"]["containers"][0]["command"]
        for doc in [*of_kind("Deployment"), *of_kind("Job")]
    }
    assert commands["alur-migrate"] == ["alur", "migrate"]
    assert commands["alur-worker"] == ["alur", "worker"]
    assert commands["alur-app"][:2] == ["alur", "serve"]
    budgets = {doc["metadata"]["name"] for doc in of_kind("PodDisruptionBudget")}
    assert "alur-app" in budgets


def pod_specs() -> list[tuple[str, dict[str, Any]]]:
    return [
        (doc["metadata"]["name"], doc["spec"]["template"]["spec"])
        for doc in [*of_kind("Deployment"), *of_kind("Job")]
    ]


@pytest.mark.parametrize(("name", "pod"), pod_specs(), ids=[name for name, _ in pod_specs()])
def test_every_pod_is_locked_down_and_sized(name: str, pod: dict[str, Any]) -> None:
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    for container in pod["containers"]:
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        assert container["resources"]["requests"]["cpu"]
        assert container["resources"]["requests"]["memory"]
        assert container["resources"]["limits"]["memory"]
        names = {
            ref.get("configMapRef", ref.get("secretRef", {})).get("name")
            for ref in container["envFrom"]
        }
        assert names == {"alur"}


def test_the_app_has_liveness_and_readiness_probes() -> None:
    (app,) = [d for d in of_kind("Deployment") if d["metadata"]["name"] == "alur-app"]
    container = app["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    (config,) = of_kind("ConfigMap")
    # ALUR_PROCESSES counts the app processes of every replica (alur.tenants.deployment).
    assert int(config["data"]["ALUR_PROCESSES"]) == app["spec"]["replicas"]


# --- compose --------------------------------------------------------------------------------


def test_the_compose_file_follows_the_compose_specification() -> None:
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(compose(), schema, cls=jsonschema.Draft7Validator)


def test_the_compose_file_refuses_to_start_without_its_secrets() -> None:
    for name in COMPOSE_ENV:
        with pytest.raises(AssertionError, match=name):
            compose({k: v for k, v in COMPOSE_ENV.items() if k != name})


def test_the_compose_file_runs_a_province_on_one_server() -> None:
    services = compose()["services"]
    assert set(services) == {"db", "migrate", "app", "worker", "proxy"}
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in services["db"]["volumes"])
    assert services["migrate"]["command"] == ["alur", "migrate"]
    assert services["migrate"]["restart"] == "no"
    assert services["worker"]["command"] == ["alur", "worker"]
    for name in ("app", "worker"):
        after = services[name]["depends_on"]["migrate"]["condition"]
        assert after == "service_completed_successfully"
    app = services["app"]
    assert int(app["deploy"]["replicas"]) == 3
    assert str(app["environment"]["ALUR_PROCESSES"]) == "3"  # interpolated from APP_REPLICAS
    assert app["environment"]["ALUR_SECURE_COOKIES"] == "1"
    assert "ports" not in app  # reached only through the proxy
    assert services["proxy"]["depends_on"]["app"]["condition"] == "service_healthy"
    scaled = compose({**COMPOSE_ENV, "APP_REPLICAS": "5"})["services"]["app"]
    assert str(scaled["environment"]["ALUR_PROCESSES"]) == "5"


def test_the_compose_settings_pass_the_production_rule() -> None:
    from alur.tenants.deployment import unsafe_settings

    env = compose()["services"]["app"]["environment"]
    assert unsafe_settings({k: str(v) for k, v in env.items()}) == []


@pytest.mark.skipif(
    not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists(), reason="no nginx"
)
def test_nginx_accepts_the_proxy_configuration(tmp_path: Path) -> None:
    """deploy/nginx.conf under Debian's nginx -t, with a throwaway certificate in place of
    deploy/certs/."""
    key, cert = tmp_path / "privkey.pem", tmp_path / "fullchain.pem"
    openssl = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    openssl += ["-subj", "/CN=alur.test", "-keyout", str(key), "-out", str(cert)]
    subprocess.run(openssl, check=True, capture_output=True, timeout=60)
    conf = tmp_path / "nginx.conf"
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    conf.write_text(text.replace("/etc/nginx/certs", str(tmp_path)), encoding="utf-8")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    done = subprocess.run(
        [nginx, "-t", "-c", str(conf), "-p", str(tmp_path), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
