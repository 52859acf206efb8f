"""The Function desk: the line's call handling deployed as Twilio Functions through the Serverless API.

Where a TwiML Bin must be pasted in the Console (Bins have no API), a Function can be deployed by
`apply()`: one Service per line (its unique name from the line's tag), one Environment, one
Function per piece of TwiML, each a `protected` Function Version (Twilio checks X-Twilio-Signature,
as it recommends: https://www.twilio.com/docs/serverless/functions-assets/visibility), a Build polled
until it completes, and a Deployment. The desk has the shape of the Bin desks (find, ensure,
remove by friendly name, StepResult rows): a second `ensure` with the same TwiML changes nothing;
new TwiML (a changed caller ID) makes a new version, build and deployment; `remove` takes the
Function out and deletes the Service with the last one, so teardown removes only the course's.

It talks to Twilio only through the client it is given, wherever that client sends its requests.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from ..errors import TwilioApiError
from .functions import handler_source, upload_function_version
from .results import WOULD, StepResult
from .twiml_desk import HostedTwiml

if TYPE_CHECKING:
    from twilio.rest import Client

__all__ = ["FunctionDesk", "DeployedFunction", "ENVIRONMENT", "BUILD_TIMEOUT", "function_url_problem", "is_function_url"]

ENVIRONMENT = "production"
BUILD_TIMEOUT = 300.0  # seconds: Twilio's builds take seconds to a minute or two
RUNTIME = "node22"
DEPENDENCIES = '[{"name": "twilio", "version": "5.10.0"}]'


@dataclass(frozen=True)
class DeployedFunction:
    """A deployed Function: its friendly name, public URL, Function SID and the deployed source."""

    friendly_name: str
    url: str
    sid: str = ""
    source: str | None = None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:50] or "line"


class FunctionDesk:
    """Hosts the line's TwiML as Twilio Functions in the Service `service_name` (see the module docstring)."""

    host = "functions"
    resource = "Twilio Function"
    placeholder_url = "https://….twil.io/…"

    def __init__(self, client: "Client", service_name: str, sleep: Callable[[float], None] = time.sleep,
                 progress: bool = True) -> None:
        self.client = client
        self.service_name = service_name
        self.unique_name = _slug(service_name)
        self._sleep = sleep
        self._progress = progress

    # -- reading ---------------------------------------------------------------------------------
    def _service(self) -> Any:
        return next((s for s in self.client.serverless.v1.services.list() if s.unique_name == self.unique_name), None)

    def _environment(self, service: Any) -> Any:
        environments = self.client.serverless.v1.services(service.sid).environments.list()
        return next((e for e in environments if e.unique_name == ENVIRONMENT), None)

    def _deployed_versions(self, service: Any, environment: Any) -> list[dict[str, Any]]:
        if environment is None or not environment.build_sid:
            return []
        build = self.client.serverless.v1.services(service.sid).builds(environment.build_sid).fetch()
        return list(build.function_versions or [])

    def _content(self, service_sid: str, version: dict[str, Any]) -> str:
        content = self.client.serverless.v1.services(service_sid).functions(version["function_sid"]) \
            .function_versions(version["sid"]).function_version_content().fetch()
        return str(content.content)

    def path_of(self, friendly_name: str) -> str:
        """The Function's path on the domain: its friendly name without the service's ("…outbound" → /outbound)."""
        name = friendly_name[len(self.service_name):] if friendly_name.startswith(self.service_name) else friendly_name
        return "/" + _slug(name)

    def deployed(self, friendly_name: str) -> DeployedFunction | None:
        """The Function with this friendly name and its deployed source (None when not deployed), or None."""
        service = self._service()
        if service is None:
            return None
        functions = self.client.serverless.v1.services(service.sid).functions.list()
        function = next((f for f in functions if f.friendly_name == friendly_name), None)
        if function is None:
            return None
        environment = self._environment(service)
        version = next((v for v in self._deployed_versions(service, environment)
                        if v["function_sid"] == function.sid), None)
        if version is None:
            return DeployedFunction(friendly_name, "", function.sid, None)
        return DeployedFunction(friendly_name, f"https://{environment.domain_name}{version['path']}", function.sid,
                                self._content(service.sid, version))

    def find(self, friendly_name: str, url: str | None = None) -> HostedTwiml | None:
        """The deployed Function with this friendly name as HostedTwiml (`twiml` None: the desk keeps
        JavaScript, not TwiML), or None; `url` is ignored, the Serverless API knows its Functions."""
        found = self.deployed(friendly_name)
        if found is None or not found.url:
            return None
        return HostedTwiml(friendly_name, found.url, found.sid)

    # -- writing ---------------------------------------------------------------------------------
    def _ensure_service(self) -> tuple[Any, Any]:
        service = self._service() or self.client.serverless.v1.services.create(
            unique_name=self.unique_name, friendly_name=self.service_name, include_credentials=False)
        environment = self._environment(service) or self.client.serverless.v1.services(service.sid) \
            .environments.create(unique_name=ENVIRONMENT)
        return service, environment

    def _wait_for_build(self, service_sid: str, build_sid: str) -> None:
        from ..progress import progress_reporter

        reporter = progress_reporter("Build", self._progress)
        waited, delay = 0.0, 0.5
        status = "building"
        try:
            while True:
                status = self.client.serverless.v1.services(service_sid).builds(build_sid).build_status().fetch().status
                if status != "building":
                    break
                if waited >= BUILD_TIMEOUT:
                    raise TwilioApiError(0, None, f"build {build_sid} still building after {BUILD_TIMEOUT:.0f} s",
                                         "Twilio's packager is slow or stuck.",
                                         "Run apply() again later; it picks up where this one stopped.")
                reporter.update(int(waited), None, f"{status} ({waited:.0f} s)")
                self._sleep(delay)
                waited += delay
                delay = min(delay * 2, 2.0)
        finally:
            reporter.close(str(status))
        if status != "completed":
            raise TwilioApiError(0, None, f"build {build_sid} {status}",
                                 "Twilio could not package the Functions: a syntax error in a handler is the usual "
                                 "cause.",
                                 "Check the handler's JavaScript (Console > Functions and Assets > Services > "
                                 "the build's logs), then run apply() again.")

    def _deploy(self, service: Any, environment: Any, versions: list[str]) -> Any:
        builds = self.client.serverless.v1.services(service.sid).builds
        build = builds.create(function_versions=versions, dependencies=DEPENDENCIES, runtime=RUNTIME)
        self._wait_for_build(service.sid, build.sid)
        self.client.serverless.v1.services(service.sid).environments(environment.sid).deployments.create(
            build_sid=build.sid)
        return self.client.serverless.v1.services(service.sid).environments(environment.sid).fetch()

    def put(self, friendly_name: str, twiml: str) -> DeployedFunction:
        """Deploy the handler for `twiml` as the Function `friendly_name` (a new version, build and deployment)."""
        source = handler_source(twiml, comment=friendly_name)
        service, environment = self._ensure_service()
        functions = self.client.serverless.v1.services(service.sid).functions
        function = next((f for f in functions.list() if f.friendly_name == friendly_name), None) \
            or functions.create(friendly_name=friendly_name)
        version = upload_function_version(self.client, service.sid, function.sid, self.path_of(friendly_name),
                                          source, "protected")
        kept = [v["sid"] for v in self._deployed_versions(service, environment) if v["function_sid"] != function.sid]
        environment = self._deploy(service, environment, [*kept, version["sid"]])
        return DeployedFunction(friendly_name, f"https://{environment.domain_name}{version['path']}", function.sid,
                                source)

    def delete(self, found: DeployedFunction) -> None:
        """Take the Function out of the deployment and delete it; the last one takes the Service with it."""
        service = self._service()
        if service is None:
            return
        functions = self.client.serverless.v1.services(service.sid).functions.list()
        if all(f.sid == found.sid for f in functions):
            self.client.serverless.v1.services(service.sid).delete()
            return
        environment = self._environment(service)
        kept = [v["sid"] for v in self._deployed_versions(service, environment) if v["function_sid"] != found.sid]
        if environment is not None and kept:
            self._deploy(service, environment, kept)
        self.client.serverless.v1.services(service.sid).functions(found.sid).delete()

    # -- the desk protocol ------------------------------------------------------------------------
    def ensure(self, friendly_name: str, twiml: str, url: str | None = None, *, field: str = "bin_url",
               dry_run: bool = False) -> StepResult:
        """Make sure the Function answering `twiml` is deployed; the row's `name` is its URL."""
        found = self.deployed(friendly_name)
        source = handler_source(twiml, comment=friendly_name)
        if found is not None and found.source == source:
            return StepResult(self.resource, found.url, found.sid, "unchanged", friendly_name)
        action = "created" if found is None or found.source is None else "updated"
        detail = friendly_name if action == "created" else f"{friendly_name}: new version deployed"
        if dry_run:
            return StepResult(self.resource, found.url if found and found.url else self.placeholder_url,
                              found.sid if found else "", WOULD[action], detail)
        made = self.put(friendly_name, twiml)
        return StepResult(self.resource, made.url, made.sid, action, detail)

    def remove(self, friendly_name: str, url: str | None = None) -> StepResult:
        """Teardown of one Function (and of the Service with the last one)."""
        found = self.deployed(friendly_name)
        if found is None:
            return StepResult(self.resource, friendly_name, "", "absent", "nothing to remove: not found")
        self.delete(found)
        return StepResult(self.resource, found.url or friendly_name, found.sid, "deleted", friendly_name)


def is_function_url(url: str | None) -> bool:
    """Whether a voice URL is a deployed Twilio Function's (https://….twil.io/…)."""
    from urllib.parse import urlsplit

    parts = urlsplit(str(url or "").strip())
    return parts.scheme == "https" and (parts.hostname or "").lower().endswith(".twil.io")


def _code(source: str) -> str:
    return "\n".join(line for line in source.strip().splitlines() if not line.lstrip().startswith("//"))


def function_url_problem(client: "Client", url: str, expected_twiml: str) -> str | None:
    """Why the Function at `url` is not the course's live handler for `expected_twiml`, or None when it is.

    Checks through the Serverless API that an Environment with that domain has a Deployment, that
    its Build holds a Function Version at that path, and that the version's code is the handler
    `handler_source(expected_twiml)` writes (comment lines aside).
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    host, path = (parts.hostname or "").lower(), parts.path or "/"
    for service in client.serverless.v1.services.list():
        for environment in client.serverless.v1.services(service.sid).environments.list():
            if environment.domain_name.lower() != host:
                continue
            if not environment.build_sid:
                return f"nothing is deployed on {host} (environment {environment.unique_name} has no build)"
            build = client.serverless.v1.services(service.sid).builds(environment.build_sid).fetch()
            version = next((v for v in build.function_versions or [] if v["path"] == path), None)
            if version is None:
                return f"the live deployment on {host} has no Function at {path}"
            content = client.serverless.v1.services(service.sid).functions(version["function_sid"]) \
                .function_versions(version["sid"]).function_version_content().fetch().content
            if _code(str(content)) != _code(handler_source(expected_twiml)):
                return f"the Function at {path} is not the course's handler (its code was changed)"
            return None
    return f"no Serverless environment of this account serves {host}"
