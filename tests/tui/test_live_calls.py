"""The Live calls panel: the sandbox serves its world to boto3, and lists and explains each request."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import OptionList
from tui_helpers import ready, static_text

from ecrsim.endpoint.keys import user_keys
from ecrsim.tui.live_calls import LiveCalls
from ecrsim.tui.scenario_screen import ScenarioScreen

boto3 = pytest.importorskip("boto3")
from botocore.exceptions import ClientError  # noqa: E402


async def test_the_sandbox_serves_its_world_and_lists_each_call(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ScenarioScreen)
        await pilot.press("f12")
        await pilot.pause()
        live = screen.query_one(LiveCalls)
        await pilot.click("#live-start")
        await pilot.pause()
        assert live.server is not None
        assert "Listening on http://127.0.0.1:" in static_text(pilot, "#live-status")
        key_id, secret = user_keys(screen.session.world)["admin"]
        ecr = boto3.client(
            "ecr",
            endpoint_url=f"http://127.0.0.1:{live.server.port}",
            region_name="us-east-1",
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
        )
        await asyncio.to_thread(ecr.create_repository, repositoryName="web")
        await pilot.pause()
        assert "web" in screen.session.world.accounts["111122223333"].registries["us-east-1"].repositories
        assert "web" in static_text(pilot, "#world-text")  # the world panel redrew
        wrong = boto3.client(
            "ecr",
            endpoint_url=f"http://127.0.0.1:{live.server.port}",
            region_name="us-east-1",
            aws_access_key_id=key_id,
            aws_secret_access_key="wrong",
        )
        with pytest.raises(ClientError):
            await asyncio.to_thread(wrong.describe_repositories)
        await pilot.pause()
        calls = screen.query_one("#live-calls", OptionList)
        labels = [str(calls.get_option_at_index(i).prompt) for i in range(calls.option_count)]
        assert labels == [
            "09:00:00 user/admin ecr:CreateRepository OK",
            f"09:00:00 {key_id} ecr:DescribeRepositories InvalidSignatureException",
        ]
        shown = static_text(pilot, "#live-text")
        assert "REFUSED: ecr:DescribeRepositories: InvalidSignatureException" in shown
        assert "the signature does not match the one computed with the secret of" in shown
        # The Explain panel explains the last request, as `sim explain` does.
        assert "InvalidSignatureException" in static_text(pilot, "#explain-text")
