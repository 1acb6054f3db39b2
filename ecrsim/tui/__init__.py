"""The Textual app. Only this package imports Textual."""


def run_app() -> int:
    from ecrsim.tui.app import EcrsimApp

    EcrsimApp().run()
    return 0
