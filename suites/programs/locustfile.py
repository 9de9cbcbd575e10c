"""Locust users for the programs suite: each worker names its requests after its own pid, so
the master's CSV shows whether the stats of both workers reached it."""

from __future__ import annotations

import os

from locust import HttpUser, constant, task


class Visitor(HttpUser):
    wait_time = constant(0.1)

    @task
    def index(self) -> None:
        self.client.get("/", name=f"worker-{os.getpid()}")
