from __future__ import annotations

from textual.widgets import OptionList
from tui_helpers import PACK, ready

from ecrsim.tui.app import EcrsimApp
from ecrsim.tui.home import HomeScreen
from ecrsim.tui.scenario_screen import ScenarioScreen


def _rows(app: EcrsimApp) -> list[str]:
    return [str(option.prompt) for option in app.screen.query_one(OptionList).options]


async def test_home_lists_the_sandbox_then_scenarios_grouped_by_topic(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        assert isinstance(app.screen, HomeScreen)
        rows = _rows(app)
        assert rows[0].startswith("▶ Sandbox")
        groups = [row.strip() for row in rows if row.strip() in ("Basics", "IAM")]
        assert groups == ["Basics", "IAM"]
        first_push = next(row for row in rows if "The first push" in row)
        assert "D1 Secure" in first_push and "●○○" in first_push and "new" in first_push


async def test_the_filter_narrows_the_list_but_never_hides_the_sandbox(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+f", *"readonly")
        await pilot.pause()
        rows = _rows(app)
        assert any("ReadOnly cannot create" in row for row in rows)
        assert not any("The first push" in row for row in rows)
        await pilot.press(*"zzz")
        await pilot.pause()
        rows = _rows(app)
        assert rows[0].startswith("▶ Sandbox")
        assert "No scenario matches the filter." in rows[-1]


async def test_enter_on_the_filter_then_enter_opens_the_first_match(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+f", *"push", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioScreen)
        assert app.screen.session.entry is not None and app.screen.session.entry.id == "tui-first-push"


async def test_one_key_opens_the_sandbox_and_escape_comes_back(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("enter")  # the sandbox row is highlighted first
        await pilot.pause()
        assert isinstance(app.screen, ScenarioScreen) and app.screen.session.is_sandbox
        await pilot.press("escape", "escape")  # the terminal has focus: the first leaves it for the guide
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_a_broken_scenario_file_is_reported_and_the_rest_still_listed(tmp_path, make_app) -> None:
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    (pack / "basics" / "broken.yaml").write_text("id: [oops\n")
    app = EcrsimApp(pack_dir=pack)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        assert [entry.id for entry in app.entries] == ["tui-first-push", "tui-readonly"]
        assert any("broken.yaml" in n.message for n in app._notifications)


async def test_a_missing_pack_leaves_the_sandbox_usable(tmp_path) -> None:
    app = EcrsimApp(pack_dir=tmp_path / "nowhere")
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        for _ in range(100):
            if app.screen.loaded:
                break
            await pilot.pause(0.01)
            await app.workers.wait_for_complete()
        rows = _rows(app)
        assert rows[0].startswith("▶ Sandbox") and "No scenarios could be loaded." in rows[-1]
        assert any("cannot read the file" in n.message for n in app._notifications)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioScreen)


async def test_slash_focuses_the_filter(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"iam")
        await pilot.pause()
        assert app.screen.query_one("#home-filter").value == "iam"
