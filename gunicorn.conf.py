"""gunicorn's settings file (read from the working directory, the repository root): the desk's start-up
checks (config.py) see the number of workers gunicorn really runs, however it was given (`--workers`,
`WEB_CONCURRENCY`), and a refused setting stops gunicorn before any worker starts."""
import os
import sys


def on_starting(server) -> None:
    from dotenv import load_dotenv

    import config

    load_dotenv()
    os.environ["WEB_CONCURRENCY"] = str(server.cfg.workers)
    try:
        config.load()
    except config.ConfigError as exc:
        print(f"factdesk: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
