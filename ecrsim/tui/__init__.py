"""The Textual app. Only this package imports Textual."""


def run_app() -> int:
    from ecrsim.tui.app import EcrsimApp

    app = EcrsimApp()
    app.run()
    return app.return_code or 0  # 1 after an internal error (the session saved: ecrsim.tui.rescue)
